// SPDX-License-Identifier: MIT
// mta-sim: the queue as real files (--queue DIR).
#include "queue_files.hpp"

#include <fmt/format.h>

#include <ctime>
#include <unistd.h>

namespace mta_sim {

queue_files::queue_files(const std::string& root, unsigned worker)
    : w_(root), id_prefix_(fmt::format("{:08x}{:04x}", static_cast<std::uint32_t>(::getpid()), worker & 0xffffu)) {}

std::string queue_files::put(chan ch, const message& m) {
    counters::queue::envelope e;
    e.id = fmt::format("{}{:012x}", id_prefix_, m.id);
    e.size = m.bytes;
    e.recipients = m.recipients;
    e.created = static_cast<std::int64_t>(std::time(nullptr));
    e.from = m.bounce ? "<>" : fmt::format("<sender{}@{}>", m.id,
                                           m.sender == sender_kind::internet   ? "example.com"
                                           : m.sender == sender_kind::intranet ? "intranet.example"
                                                                               : "localhost");
    // The simulator stores a short stand-in for the content; the envelope's size is what the
    // counters account.
    const std::string body = fmt::format("Subject: mta-sim message {}\n\n{} bytes, {} recipients\n", e.id,
                                         m.bytes, m.recipients);
    return w_.put(name_of(ch), e.id, e, body);
}

} // namespace mta_sim
