// SPDX-License-Identifier: MIT
// libFuzzer target: the counters-ingest line interpreter (every grammar) on arbitrary lines.
// Input: one byte choosing the format ((byte & 7) % 5: auto, postfix, exim, sendmail,
// msgserver; bit 0x40: the first half of the lines is replayed with record=false), then
// lines separated by '\n' (over 2000 bytes: cut and passed as truncated). It records into a
// private section (removed at exit). Checked: no crash, leak or undefined behaviour; every
// line counted once (lines = recorded + ignored + skipped); the saved state loads into a
// fresh interpreter and saves back to the same text.
#include <interpreter.hpp>

#include <counters/admin.hpp>
#include <counters/section.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>
#include <unistd.h>

namespace {

std::string& section_name() {
    static std::string name = "fuzz_ingest_" + std::to_string(::getpid());
    return name;
}

void remove_section() {
    try {
        if (counters::section_exists(section_name())) counters::delete_section(section_name());
    } catch (...) {
    }
}

counters::section& fuzz_section() {
    static counters::section* s = [] {
        auto* p = new counters::section(section_name()); // lives until exit
        std::atexit(remove_section);
        return p;
    }();
    return *s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace counters::ingest;
    if (size == 0) return 0;
    static constexpr log_format formats[] = {log_format::automatic, log_format::postfix, log_format::exim,
                                             log_format::sendmail, log_format::msgserver};
    const log_format f = formats[(data[0] & 7U) % 5];
    const bool replay = (data[0] & 0x40U) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::vector<std::string_view> lines;
    for (std::size_t b = 0; b <= text.size();) {
        std::size_t e = text.find('\n', b);
        if (e == std::string_view::npos) e = text.size();
        lines.push_back(text.substr(b, e - b));
        b = e + 1;
    }
    counters::section& sec = fuzz_section();
    std::string saved;
    {
        interpreter in(sec, f, channel_map{}, 8);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const bool record = !(replay && i < lines.size() / 2);
            const std::string_view l = lines[i];
            if (l.size() > 2000) in.line(l.substr(0, 2000), record, true);
            else in.line(l, record);
        }
        const ingest_counts& c = in.counts();
        std::uint64_t total = c.recorded + c.ignored;
        for (const auto& [reason, n] : c.skipped) total += n;
        if (c.lines != lines.size() || total != c.lines) __builtin_trap();
        std::ostringstream o;
        in.save(o);
        saved = o.str();
        in.flush();
    }
    interpreter again(sec, log_format::automatic, channel_map{}, 8);
    std::istringstream is(saved);
    if (!again.load(is)) __builtin_trap();
    std::ostringstream o;
    again.save(o);
    if (o.str() != saved) __builtin_trap();
    return 0;
}
