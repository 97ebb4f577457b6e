// SPDX-License-Identifier: MIT
// imsimta: the original front end; `imsimta counters ...` and `imsimta qm ...`.
#include "imsimta.hpp"

#include <iostream>

int main(int argc, char** argv) { return counters::tools::imsimta::run(argc, argv, std::cout, std::cerr); }
