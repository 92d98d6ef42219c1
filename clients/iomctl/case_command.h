// `iomctl case`, `cohort`, `find` (CaseService) and `views`, `rebuild`
// (AdminService): queries over the hub's live views, printed as protobuf
// JSON lines.
#ifndef IOMHUB_CLIENTS_IOMCTL_CASE_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_CASE_COMMAND_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "clients/iomctl/command_env.h"
#include "iomhub/v1/case_service.pb.h"

namespace iomhub::iomctl {

// "pnc:01/123456X", "crn:X123456", "noms:A1234BC", "niche:N-77" (kind case
// does not matter). INVALID_ARGUMENT otherwise.
absl::StatusOr<v1::IdentifierRef> ParseIdentifier(absl::string_view text);

struct CaseOptions {
  std::string person_id{};   // either this
  std::string identifier{};  // or this ("kind:value")
  uint64_t min_position = 0;
  std::string as_of{};       // RFC 3339; "" = now
  bool summary = false;      // a few lines for people instead of JSON
};

struct CohortOptions {
  std::string team_id{};  // required
  std::string cohort{};   // fixed | flex | free; "" = all
  std::string strand{};   // neighbourhood_crime | y2a | wisdom | local; "" = all
  bool include_deselected = false;
  uint64_t min_position = 0;
  std::string as_of{};
  bool summary = false;
};

// The human summaries `case --summary` and `cohort --summary` print.
std::string SummarizeCase(const v1::GetCaseResponse& response);
std::string SummarizeCohort(const v1::ListCohortResponse& response);

struct FindOptions {
  std::string identifier{};  // required
  uint64_t min_position = 0;
};

struct ViewsOptions {
  bool digests = false;
};

struct RebuildOptions {
  std::string view{};  // required
  // Wait until the new generation is swapped in (or the rebuild fails),
  // printing the view's state then.
  bool wait = false;
};

// Each runs its command and returns the exit code.
int RunCase(const CommandEnv& env, const CaseOptions& options);
int RunCohort(const CommandEnv& env, const CohortOptions& options);
int RunFind(const CommandEnv& env, const FindOptions& options);
int RunViews(const CommandEnv& env, const ViewsOptions& options);
int RunRebuild(const CommandEnv& env, const RebuildOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_CASE_COMMAND_H_
