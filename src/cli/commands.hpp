#pragma once

namespace wharf::cli {

// Parses the command line and runs the subcommand: `serve`, `version`.
int run(int argc, char** argv);

}  // namespace wharf::cli
