// SPDX-License-Identifier: MIT
// counters-ingest: the --channel-map file (FROM TO pairs renaming the grammars' channels).
#include "grammar.hpp"
#include "interpreter.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace counters::ingest {

channel_map channel_map::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
    channel_map m;
    std::string text;
    for (unsigned n = 1; std::getline(in, text); ++n) {
        const std::string where = path + ":" + std::to_string(n) + ": ";
        if (const auto hash = text.find('#'); hash != std::string::npos) text.erase(hash);
        for (char& c : text)
            if (c == '\t' || c == '\r') c = ' ';
        const auto w = detail::words(text);
        if (w.empty()) continue;
        if (w.size() == 1) throw std::runtime_error(where + "missing field: FROM TO expected");
        if (w.size() > 2) throw std::runtime_error(where + "extra field: FROM TO expected");
        for (const auto name : w)
            if (!detail::valid_channel(name))
                throw std::runtime_error(where + "invalid channel name '" + std::string(name) +
                                         "' (1 to 32 printable ASCII bytes, no spaces)");
        if (m.map_.count(w[0]) != 0) throw std::runtime_error(where + "'" + std::string(w[0]) + "' mapped twice");
        m.add(std::string(w[0]), std::string(w[1]));
    }
    if (in.bad()) throw std::runtime_error(path + ": read error");
    return m;
}

void channel_map::add(std::string from, std::string to) { map_[std::move(from)] = std::move(to); }

std::string_view channel_map::map(std::string_view name) const noexcept {
    const auto it = map_.find(name);
    return it == map_.end() ? name : std::string_view(it->second);
}

} // namespace counters::ingest
