// `iomctl agreements` and `iomctl explain` (SharingService): the sharing
// agreements the hub holds, and why an event was or was not delivered to a
// recipient. Protobuf JSON lines, or a few lines for people (--summary).
#ifndef IOMHUB_CLIENTS_IOMCTL_SHARING_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_SHARING_COMMAND_H_

#include <cstdint>
#include <string>

#include "clients/iomctl/command_env.h"
#include "iomhub/v1/sharing_service.pb.h"

namespace iomhub::iomctl {

struct AgreementsOptions {
  // "": list every agreement; else show this one ("ID" or "ID@VERSION").
  std::string id{};
  bool in_force_only = false;
  bool summary = false;
};

struct ExplainOptions {
  // The recipient: a principal id, and the role and purpose it would call
  // with. Empty: the caller itself.
  std::string system{};
  std::string role{};
  std::string purpose{};
  uint64_t position = 0;  // required
  bool summary = false;
};

// The human forms --summary prints.
std::string SummarizeAgreements(const v1::ListAgreementsResponse& response);
std::string SummarizeAgreement(const v1::LoadedAgreement& loaded);
std::string SummarizeExplain(const v1::ExplainResponse& response);

// Each runs its command and returns the exit code.
int RunAgreements(const CommandEnv& env, const AgreementsOptions& options);
int RunExplain(const CommandEnv& env, const ExplainOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_SHARING_COMMAND_H_
