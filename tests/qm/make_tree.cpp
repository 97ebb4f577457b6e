// SPDX-License-Identifier: MIT
// make_tree: writes a deterministic queue tree with counters_queue's writer and prints what a
// scanner must find, one line per channel: `channel messages held recipients blocks`.
// usage: make_tree [-l] ROOT MESSAGES [CHANNELS [BLOCK_SIZE]]
// Without -l every file is written through queue::writer exactly as an MTA would. With -l
// (large trees) the 64 distinct envelopes are written once and every message file is a hard
// link to one of them: writing 100k small files costs ~0.7 ms each on some disks, a link a
// few microseconds, and the scanner still opens and reads every name.
// Message i goes to channel i % CHANNELS (names ch00, ch01, ...), every 4th into a
// subdirectory, has (i % 3) retries, every 7th is held; size 100 + 481 * (i % 64) bytes,
// 1 + i % 4 recipients, created 1700000000 + i % 64.
#include <counters_queue/queue.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

/// Creates the directories of ROOT/REL as needed.
void make_dirs(const std::string& root, const std::string& rel) {
    for (std::size_t p = rel.find('/'); p != std::string::npos; p = rel.find('/', p + 1))
        ::mkdir((root + "/" + rel.substr(0, p)).c_str(), 0700);
}

/// Writes @p text to @p path (which must not exist).
void write_new(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    if (::close(fd) != 0 || !ok) throw std::runtime_error("cannot write " + path);
}

} // namespace

int main(int argc, char** argv) {
    bool link = false;
    if (argc > 1 && std::string(argv[1]) == "-l") {
        link = true;
        --argc;
        ++argv;
    }
    if (argc < 3) {
        std::fprintf(stderr, "usage: make_tree [-l] ROOT MESSAGES [CHANNELS [BLOCK_SIZE]]\n");
        return 2;
    }
    try {
        namespace q = counters::queue;
        const std::string root = argv[1];
        const unsigned long n = std::stoul(argv[2]);
        const unsigned long channels = argc > 3 ? std::stoul(argv[3]) : 4;
        const auto block = static_cast<std::uint32_t>(argc > 4 ? std::stoul(argv[4]) : 1024);
        if (channels == 0 || channels > 100 || block == 0) throw std::invalid_argument("bad CHANNELS or BLOCK_SIZE");
        struct expect {
            unsigned long messages = 0, held = 0, recipients = 0, blocks = 0;
        };
        std::vector<expect> want(channels);
        q::writer w(root);
        char chan[8], id[32];
        for (unsigned long i = 0; i < n; ++i) {
            const unsigned long c = i % channels;
            std::snprintf(chan, sizeof chan, "ch%02lu", c);
            std::snprintf(id, sizeof id, "%012lx", i + 1);
            q::envelope e;
            e.size = 100 + 481 * (i % 64);
            e.recipients = 1 + i % 4;
            e.created = 1700000000 + static_cast<std::int64_t>(i % 64);
            e.from = "<sender@example.com>";
            const bool held = i % 7 == 6;
            const std::string body = "Subject: test\n\nbody\n";
            if (link) {
                const std::string tmpl = root + "/.templates/" + std::to_string(i % 64);
                if (i < 64) {
                    make_dirs(root, ".templates/x");
                    write_new(tmpl, q::format_envelope(e) + body);
                }
                const q::file_name f{static_cast<unsigned>(i % 3), id, "00", held};
                std::string rel = chan;
                rel += i % 4 == 3 ? "/sub/" : "/";
                rel += q::make_file_name(f);
                if (i < 4 * channels) make_dirs(root, rel);
                std::string target = root;
                target += '/';
                target += rel;
                if (::link(tmpl.c_str(), target.c_str()) != 0)
                    throw std::runtime_error("cannot link " + rel + ": " + std::strerror(errno));
            } else {
                std::string path = w.put(chan, id, e, body, i % 4 == 3 ? "sub" : "");
                for (unsigned long r = 0; r < i % 3; ++r) path = w.retry(path);
                if (held) w.hold(path);
            }
            if (held) ++want[c].held;
            ++want[c].messages;
            want[c].recipients += e.recipients;
            want[c].blocks += q::blocks_of(e.size, block);
        }
        if (link) {
            for (unsigned long t = 0; t < 64 && t < n; ++t)
                ::unlink((root + "/.templates/" + std::to_string(t)).c_str());
            ::rmdir((root + "/.templates").c_str());
        }
        for (unsigned long c = 0; c < channels && c < n; ++c)
            std::printf("ch%02lu %lu %lu %lu %lu\n", c, want[c].messages, want[c].held, want[c].recipients,
                        want[c].blocks);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_tree: %s\n", e.what());
        return 1;
    }
}
