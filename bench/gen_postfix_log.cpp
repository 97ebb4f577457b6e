// SPDX-License-Identifier: MIT
// bench_gen_postfix_log: writes a realistic Postfix log (postfix_loggen.hpp) for the
// counters-ingest benchmark (bench/ingest_vs_mtail.sh), and the tally of what it must record.
//
//   bench_gen_postfix_log [--lines N] [--seed S] [--tally FILE] OUTPUT
//
// OUTPUT `-` is standard output; --tally writes the tally as JSON (`-`: standard error).
#include "postfix_loggen.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

namespace {

int usage() {
    std::fprintf(stderr, "usage: bench_gen_postfix_log [--lines n] [--seed s] [--tally file] output\n");
    return 2;
}

bool number(const char* s, std::uint64_t& v) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long n = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || s[0] == '-') return false;
    v = n;
    return true;
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t lines = 1000000;
    std::uint64_t seed = 1;
    std::string tally_file;
    std::string output;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--lines" || a == "--seed" || a == "--tally") && i + 1 < argc) {
            const char* v = argv[++i];
            if (a == "--tally") {
                tally_file = v;
            } else if (!number(v, a == "--lines" ? lines : seed)) {
                std::fprintf(stderr, "bench_gen_postfix_log: %s: not a number: %s\n", a.c_str(), v);
                return 2;
            }
        } else if (output.empty() && (a == "-" || a[0] != '-')) {
            output = a;
        } else {
            return usage();
        }
    }
    if (output.empty()) return usage();
    std::FILE* f = output == "-" ? stdout : std::fopen(output.c_str(), "w");
    if (f == nullptr) {
        std::fprintf(stderr, "bench_gen_postfix_log: cannot open %s: %s\n", output.c_str(), std::strerror(errno));
        return 1;
    }
    static char buf[1 << 20];
    std::setvbuf(f, buf, _IOFBF, sizeof buf);
    const auto tally = bench::generate_postfix_log(lines, seed, [f](std::string_view l) {
        std::fwrite(l.data(), 1, l.size(), f);
        std::fputc('\n', f);
    });
    const bool bad = std::ferror(f) != 0;
    if ((f != stdout ? std::fclose(f) : std::fflush(f)) != 0 || bad) {
        std::fprintf(stderr, "bench_gen_postfix_log: cannot write %s: %s\n", output.c_str(), std::strerror(errno));
        return 1;
    }
    if (!tally_file.empty()) {
        if (tally_file == "-") {
            tally.write_json(std::cerr);
        } else {
            std::ofstream t(tally_file);
            tally.write_json(t);
            if (!t.flush()) {
                std::fprintf(stderr, "bench_gen_postfix_log: cannot write %s\n", tally_file.c_str());
                return 1;
            }
        }
    }
    return 0;
}
