// qm (= imsimta qm): parse the global options, then run() one sub-command or a session.
#include "qm_tool.hpp"

#include <iostream>

int main(int argc, char** argv) {
    namespace qm = counters::tools::qm;
    qm::options opts;
    if (auto code = qm::parse_command_line(argc, argv, opts, std::cout, std::cerr)) return *code;
    return qm::run(opts);
}
