#pragma once

namespace suanli::cli {

// Parses argv and runs the chosen subcommand; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace suanli::cli
