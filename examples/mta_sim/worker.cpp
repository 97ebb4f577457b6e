// SPDX-License-Identifier: MIT
// mta-sim: one worker process.
#include "worker.hpp"

#include "mta.hpp"
#include "queue_files.hpp"
#include "recorder.hpp"
#include "store_access.hpp"
#include "workload.hpp"

#include <counters/registry.hpp>
#include <counters/section.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace mta_sim {

namespace {

void write_all(int fd, const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("cannot send the tally: ") + std::strerror(errno));
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void wait_for_release(int fd) {
    char c;
    for (;;) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        return; // EOF (the parent closed its end, or died) or an error: stop waiting
    }
}

} // namespace

int worker_main(const options& opts, unsigned index, int tally_fd, int release_fd) noexcept {
    try {
        counters::section sec(opts.section);
        recorder rec(sec);
        workload w(opts.seed + index);
        // The registry stays attached, like the section, until the parent has read it.
        std::optional<counters::registry> reg;
        std::optional<service_recorder> srec;
        std::optional<mail_readers> readers;
        if (opts.servers) {
            reg.emplace(opts.registry);
            srec.emplace(*reg, rec.counts());
            readers.emplace(*srec, workload::stream_seed(opts.seed + index), 1.0);
        }
        {
            mta m(rec, w);
            if (readers) m.use_readers(&*readers);
            std::unique_ptr<queue_files> files;
            if (!opts.queue.empty()) {
                files = std::make_unique<queue_files>(opts.queue, index);
                m.queue().use_files(files.get());
            }
            m.run(opts.messages);
        }
        tally& t = rec.counts();
        t.worker = index;
        write_all(tally_fd, &t, sizeof t);
        ::close(tally_fd);
        wait_for_release(release_fd);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mta-sim: worker %u: %s\n", index, e.what());
    } catch (...) {
        std::fprintf(stderr, "mta-sim: worker %u: unknown error\n", index);
    }
    return 1;
}

} // namespace mta_sim
