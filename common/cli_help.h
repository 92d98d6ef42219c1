// --help and --version for every binary, exiting 0. (Abseil 20220623's own --help handling
// exits with status 1, which breaks `tool --help && ...`.)
#ifndef IOMHUB_COMMON_CLI_HELP_H_
#define IOMHUB_COMMON_CLI_HELP_H_

#include <ostream>

#include "absl/strings/string_view.h"

namespace iomhub {

// True if argv asks for help (--help, -help, -h) before any "--".
bool WantsHelp(int argc, char** argv);

// If argv asks for the version (--version) before any "--", prints
// "<program> <version> (commit <sha>)" to stdout and returns true: the
// caller exits 0.
bool PrintVersionIfAsked(int argc, char** argv);

// Prints `usage`, then every flag defined in a source file whose path
// contains `flags_file` (e.g. "iomhubd_main"), sorted, with default and help.
void PrintHelp(std::ostream& out, absl::string_view usage, absl::string_view flags_file);

}  // namespace iomhub

#endif  // IOMHUB_COMMON_CLI_HELP_H_
