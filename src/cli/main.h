#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/connection.h"

namespace suanli::cli {

// Parses argv and runs the chosen subcommand; returns the process exit code.
int Main(int argc, char** argv);

// The same with the output streams and environment given, for tests: args[0] is the program name.
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const EnvLookup& env = RealEnv);

}  // namespace suanli::cli
