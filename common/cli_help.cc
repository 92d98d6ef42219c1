#include "common/cli_help.h"

#include <algorithm>
#include <iostream>
#include <vector>

#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "common/version.h"

namespace iomhub {

bool WantsHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-help" || arg == "-h") return true;
  }
  return false;
}

bool PrintVersionIfAsked(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--version" || arg == "-version") {
      absl::string_view program = argc > 0 ? argv[0] : "iomhub";
      if (const size_t slash = program.rfind('/'); slash != absl::string_view::npos) {
        program.remove_prefix(slash + 1);
      }
      std::cout << VersionLine(program) << "\n";
      return true;
    }
  }
  return false;
}

void PrintHelp(std::ostream& out, absl::string_view usage, absl::string_view flags_file) {
  out << usage << "\n\nFlags:\n";
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::StrContains(flag->Filename(), flags_file)) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  for (const absl::CommandLineFlag* flag : flags) {
    out << "  --" << flag->Name() << " (default: \"" << flag->DefaultValue() << "\")\n      "
        << flag->Help() << "\n";
  }
}

}  // namespace iomhub
