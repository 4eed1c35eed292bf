// backcover: the command line. All the work is in run_cli (src/cli/app.cpp).
#include <iostream>
#include <string>
#include <vector>

#include "backcover/cli/app.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return backcover::cli::run_cli(args, std::cout, std::cerr);
}
