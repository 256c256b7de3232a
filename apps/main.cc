// The one binary. Everything it does lives in src/; this file only hands over argv.
#include "cli/main.h"

int main(int argc, char** argv) { return suanli::cli::Main(argc, argv); }
