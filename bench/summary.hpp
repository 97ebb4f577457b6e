// SPDX-License-Identifier: MIT
// A Google Benchmark console reporter that also keeps every result, then prints the final
// table of ratios (ours / floor, alternative / ours, processes / one process) and can write
// it as JSON, so that nobody has to do arithmetic on the raw table.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bench {

class summary_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override;

    /// Prints the summary table (after RunSpecifiedBenchmarks()).
    void print_summary(std::ostream& out);
    /// Writes the rows of the last print_summary() as JSON to @p path. Throws on failure.
    void write_json(const std::string& path) const;
    /// Number of benchmarks that reported an error.
    int errors() const noexcept { return errors_; }

private:
    struct figure {
        std::vector<double> cpu_ns, real_ns, items_per_s; // per repetition
        std::optional<double> med_cpu_ns, med_real_ns, med_items_per_s; // "median" aggregate
        double cpu() const;
        double real() const;
        double items() const;
    };
    struct line {
        std::string group, label, unit, ratio_label, target;
        double value = 0;
        std::optional<double> ratio;
        std::optional<bool> met;
        std::string note;
    };
    const figure* find(const std::string& key) const;
    static line mk(std::string group, std::string label, std::string unit, double value);
    std::map<std::string, figure> figs_;
    std::vector<line> lines_;
    int errors_ = 0;
};

} // namespace bench
