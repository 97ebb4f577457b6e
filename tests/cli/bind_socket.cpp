// SPDX-License-Identifier: MIT
// Test helper: leaves a UNIX-domain socket at PATH (bind, then exit without unlinking), for
// the tests that plant a non-section object at a section or registry name.
//   bind_socket PATH       exit 0, or 1 with a message
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bind_socket PATH\n");
        return 2;
    }
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (std::strlen(argv[1]) >= sizeof addr.sun_path) {
        std::fprintf(stderr, "bind_socket: path too long\n");
        return 1;
    }
    std::strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const struct sockaddr*>(&addr), sizeof addr) != 0) {
        std::fprintf(stderr, "bind_socket: %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    ::close(fd);
    return 0;
}
