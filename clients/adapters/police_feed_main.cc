// iomhub-police-feed: a force records system's export into the hub. See
// --help and docs/police-feed.md.
#include "clients/adapters/adapter_main.h"
#include "clients/adapters/police_mapping.h"

namespace {

constexpr char kUsage[] =
    "iomhub-police-feed: takes a force records system's export (JSON lines in the format of\n"
    "docs/police-feed.md: arrests, charges, warrants issued and executed, police-led IOM\n"
    "contacts and their outcomes, intelligence flags with reference and category only) into the\n"
    "hub as the force's partner system would. Finds each person by PNC or Niche nominal id;\n"
    "appends each message once (replays append nothing).\n"
    "  iomhub-police-feed [flags] FILE|DIR|- ...\n"
    "Prints one line per rejected message (file:line: reason) and a summary; exit 0 when\n"
    "nothing was rejected, 1 otherwise, 2 for a usage error.";

}  // namespace

int main(int argc, char** argv) {
  return iomhub::adapters::AdapterMain(
      argc, argv,
      {.program = "iomhub-police-feed",
       .usage = kUsage,
       .source = iomhub::adapters::kPoliceSource,
       .make_mapper = []() -> absl::StatusOr<iomhub::adapters::Mapper> {
         return iomhub::adapters::Mapper(&iomhub::adapters::MapPoliceMessage);
       }});
}
