// iomhub-probation-feed: HMPPS domain events into the hub. See --help and
// docs/probation-feed.md.
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "clients/adapters/adapter_main.h"
#include "clients/adapters/probation_mapping.h"

ABSL_FLAG(std::string, agency, "probation",
          "Whose events to take: probation (probation-case.*, enforcement.*) or prison "
          "(prison-offender-events.*); use that agency's certificate.");

namespace {

constexpr char kUsage[] =
    "iomhub-probation-feed: takes HMPPS domain events (the national probation and prison event\n"
    "feed: raw JSON or SNS notifications, one per file, an array, or JSON lines) into the hub\n"
    "as the probation (or prison) partner system would. Maps registrations (IIOM, MAPP, RHRH,\n"
    "RVHR), breach notices, breaches raised, recalls, receptions and releases; finds each person\n"
    "by CRN or NOMS number; appends each message once (replays append nothing).\n"
    "  iomhub-probation-feed [flags] FILE|DIR|- ...\n"
    "  iomhub-probation-feed --profile=wales-probation --checkpoint=/var/lib/iomhub-feed/cp \\\n"
    "      /srv/hmpps-events/\n"
    "Prints one line per rejected message (file:line: reason) and a summary; exit 0 when\n"
    "nothing was rejected, 1 otherwise, 2 for a usage error. docs/probation-feed.md.";

}  // namespace

int main(int argc, char** argv) {
  return iomhub::adapters::AdapterMain(
      argc, argv,
      {.program = "iomhub-probation-feed",
       .usage = kUsage,
       .source = iomhub::adapters::kHmppsSource,
       .make_mapper = []() -> absl::StatusOr<iomhub::adapters::Mapper> {
         const std::string agency = absl::GetFlag(FLAGS_agency);
         if (agency != "probation" && agency != "prison") {
           return absl::InvalidArgumentError(
               absl::StrCat("--agency must be probation or prison, not \"", agency, "\""));
         }
         const auto which = agency == "prison" ? iomhub::adapters::HmppsAgency::kPrison
                                               : iomhub::adapters::HmppsAgency::kProbation;
         return iomhub::adapters::Mapper([which](absl::string_view json) {
           return iomhub::adapters::MapHmppsMessage(json, which);
         });
       }});
}
