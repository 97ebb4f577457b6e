// SPDX-License-Identifier: MIT
// Writes the seed corpus of the fuzzers into DIR (normally fuzz/corpus, committed):
//   DIR/fuzz_section/   valid section images made by the library, plus truncated and
//                       corrupted variants of them
//   DIR/fuzz_registry/  the same for counter-registry images
//   DIR/fuzz_args/      command lines of `counters` and `qm`, one word per line
// Sections and registries are created under unique names in /dev/shm, copied, and removed.
// usage: make_corpus DIR
#include "fuzz_image.hpp"

#include <counters/counters.hpp>
#include <counters/registry.hpp>
#include <counters/registry_snapshot.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

using bytes = std::vector<char>;

bytes read_shm(const std::string& name) {
    std::ifstream in("/dev/shm/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read /dev/shm/" + name);
    return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const bytes& b) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(b.data(), static_cast<std::streamsize>(b.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

/// Removes the section or registry it names when it goes out of scope, even on an exception.
struct remover {
    std::string name;
    bool registry;
    ~remover() {
        try {
            if (registry)
                counters::delete_registry(name);
            else if (counters::section_exists(name))
                counters::delete_section(name);
        } catch (...) {
        }
    }
};

void make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) throw std::runtime_error("cannot create " + path);
}

/// Field offsets of the wire formats (see counters(5) and counters-registry(5)).
struct geometry_fields {
    std::size_t process_slots, process_slot_size, processes_offset, total_size;
};
constexpr geometry_fields section_fields{36, 40, 72, 80};
constexpr geometry_fields registry_fields{52, 56, 88, 96};

template <class T>
T get(const bytes& b, std::size_t off) {
    T v{};
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}
template <class T>
void put(bytes& b, std::size_t off, T v) {
    std::memcpy(b.data() + off, &v, sizeof v);
}

/// A valid image is mostly its table of 256 writer-process slots (hundreds of KB), which
/// makes fuzzing slow and the corpus large: keep the first @p keep slots, fix the recorded
/// process-slot count and total size, and cut the image there.
bytes shrink(bytes img, const geometry_fields& f, std::uint32_t keep) {
    const auto slots = get<std::uint32_t>(img, f.process_slots);
    const auto slot_size = get<std::uint32_t>(img, f.process_slot_size);
    const auto procs = get<std::uint64_t>(img, f.processes_offset);
    if (slots <= keep) return img;
    const std::uint64_t total = procs + std::uint64_t{keep} * slot_size;
    put<std::uint32_t>(img, f.process_slots, keep);
    put<std::uint64_t>(img, f.total_size, total);
    img.resize(static_cast<std::size_t>(total));
    return img;
}

/// DIR/PREFIX-KINDN
std::string file_name(const std::string& dir, const std::string& prefix, const char* kind, std::size_t n) {
    std::string f = dir;
    f += '/';
    f += prefix;
    f += kind;
    f += std::to_string(n);
    return f;
}

/// Writes @p img and a few broken variants of it as DIR/PREFIX-*.
void write_variants(const std::string& dir, const std::string& prefix, const bytes& img) {
    write_file(dir + "/" + prefix + "-valid", img);
    // Truncated: header only, in the middle, one byte short.
    for (std::size_t n : {std::size_t{16}, std::size_t{64}, std::size_t{256}, img.size() / 2, img.size() - 1})
        if (n < img.size())
            write_file(file_name(dir, prefix, "-trunc", n), bytes(img.begin(), img.begin() + static_cast<std::ptrdiff_t>(n)));
    // Corrupted: a few header words and one byte further in set to all-ones / zero.
    for (std::size_t off : {std::size_t{8}, std::size_t{16}, std::size_t{24}, std::size_t{32}, std::size_t{48},
                            std::size_t{64}, std::size_t{96}, img.size() / 3}) {
        if (off + 8 > img.size()) continue;
        bytes ff = img, zero = img;
        for (std::size_t i = 0; i < 8; ++i) {
            ff[off + i] = static_cast<char>(0xff);
            zero[off + i] = 0;
        }
        write_file(file_name(dir, prefix, "-ff", off), ff);
        write_file(file_name(dir, prefix, "-zero", off), zero);
    }
}

void section_images(const std::string& dir, const std::string& tag) {
    struct shape {
        const char* name;
        std::uint32_t max_channels;
        std::uint32_t block_size;
        int channels;
    };
    for (const shape& s : {shape{"empty", 1, 1024, 0}, shape{"small", 4, 1024, 3}, shape{"full", 2, 512, 3}}) {
        const std::string name = "fuzzcorpus_" + tag + "_" + s.name;
        const remover cleanup{name, false};
        counters::create_options o;
        o.max_channels = s.max_channels;
        o.block_size = s.block_size;
        {
            counters::section sec(name, o);
            const char* names[] = {"tcp_local", "ims-ms", "l"};
            std::vector<counters::channel> ch;
            ch.reserve(static_cast<std::size_t>(s.channels));
            for (int i = 0; i < s.channels; ++i) ch.push_back(sec.get(names[i]));
            if (ch.size() >= 2) {
                counters::enqueued(ch[0], ch[1], 3, 5000);
                counters::dequeued(ch[1], 1, 1000, 42, true);
                counters::deferred(ch[1], 1, 1000);
                counters::rejected(ch[0], 1, 10);
                counters::failed(ch[1], 1, 100);
                counters::association_opened(ch[0], counters::direction::inbound);
                counters::association_opened(ch[1], counters::direction::outbound);
                counters::association_rejected(ch[0]);
                counters::association_failed(ch[1]);
            }
        }
        if (std::string(s.name) == "small") counters::clear_section(name, counters::clear_what::associations);
        const bytes img = shrink(read_shm(name), section_fields, 2);
        const counters_fuzz::aligned_image check(reinterpret_cast<const std::uint8_t*>(img.data()), img.size());
        (void)counters::decode_snapshot(check.data(), check.size(), "corpus"); // still valid
        write_variants(dir, std::string("section-") + s.name, img);
    }
}

void registry_images(const std::string& dir, const std::string& tag) {
    const std::string name = "fuzzcorpus_" + tag + "_registry";
    const remover cleanup{name, true};
    counters::registry_options o;
    o.max_objects = 4;
    o.max_instances = 2;
    {
        counters::registry reg(name, o);
        counters::counter_instance imap = reg.object("imapstat").instance("global");
        imap.counter("numConnections").add(7);
        imap.gauge("numCurrentConnections").add(2);
        imap.gauge("maxConnections").set_max(5);
        imap.time("lastConnectionTime").stamp();
        counters::counter_instance disk = reg.object("diskusage").instance("primary");
        disk.string("mailPartitionPath").set("/var/spool/mail");
        disk.gauge("percentAvail").set(42);
        reg.define("custom", {{"hits", counters::field_kind::counter, 8, false},
                              {"label", counters::field_kind::string, 16, false}})
            .instance("x")
            .string("label")
            .set("hello");
    }
    const bytes img = shrink(read_shm(name), registry_fields, 2);
    const counters_fuzz::aligned_image check(reinterpret_cast<const std::uint8_t*>(img.data()), img.size());
    (void)counters::decode_registry(check.data(), check.size(), "corpus"); // still valid
    write_variants(dir, "registry", img);
}

void arg_lines(const std::string& dir) {
    const std::vector<std::vector<std::string>> lines = {
        {"-show"},
        {"-show", "-noheaders", "-format=json", "tcp_*"},
        {"-sh", "-noassoc", "-abs", "-output=out.txt", "ims-?s"},
        {"--section", "imta_counters", "-clear", "-channels"},
        {"-create", "-max_channels=64", "-block_size=512", "-mode=0640", "-group=mail"},
        {"-create", "-max_channels=0", "-mode=99"},
        {"-delete", "--", "-show"},
        {"-c"},
        {"--help"},
        {"--version"},
        {"-queue=/var/queue", "-section=x", "summarize", "-held", "-noheading", "tcp_*"},
        {"counters", "show", "-format=json", "-noheaders", "*"},
        {"counters", "create", "-max_channels=100"},
        {"counters", "clear", "-associations", "-section=other"},
        {"dir", "-held", "-nototal", "l"},
        {"-section", "a.b-c", "held", "-total"},
        {"-bogus", "-h"},
        {"-max_channels", "-1", "-create"},
        {"directory", "-envelope", "-owner=mailsrv", "-from=<>", "-to=*@example.com", "-match=and", "-nofile_info",
         "tcp_*", "ims-ms,l"},
        {"su", "-noh", "-he", "-database"},
        {"messages", "tcp_local"},
        {"view", "-directory_tree"},
        // File-backed sections and registries, names in any case (issue 11).
        {"--section", "/var/opt/counters/section", "-show"},
        {"-section=/var//x/", "counters", "show"},
        {"-l", "-o", "IMAPSTAT", "-r", "/var/opt/counters/counter"},
        {"-s", "-o", "imapstat", "-c", "global.maxconnections", "-r/../x"},
    };
    int i = 0;
    for (const auto& l : lines) {
        std::string text;
        for (const auto& w : l) text += w + "\n";
        write_file(dir + "/args-" + std::to_string(i++), bytes(text.begin(), text.end()));
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_corpus DIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    const std::string tag = std::to_string(::getpid());
    try {
        make_dir(dir);
        make_dir(dir + "/fuzz_section");
        make_dir(dir + "/fuzz_registry");
        make_dir(dir + "/fuzz_args");
        section_images(dir + "/fuzz_section", tag);
        registry_images(dir + "/fuzz_registry", tag);
        arg_lines(dir + "/fuzz_args");
    } catch (const std::exception& e) {
        std::cerr << "make_corpus: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
