// `iomctl audit` (AuditService; the auditor role only):
//   audit verify [--public_key=PEM]  checks the whole hash chain and every
//       signed checkpoint itself (common/audit_chain.h) and names the first
//       broken sequence number (exit 1);
//   audit sar --person=ID [--format=json|csv]  the subject access report;
//   audit query [--person --agency --system --by_user --agreement
//       --operation --since --until --limit]  records, one JSON line each;
//   audit summary --agreement=ID [--since --until]  counts for a review;
//   audit key  the public key checkpoints are signed with (PEM).
#ifndef IOMHUB_CLIENTS_IOMCTL_AUDIT_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_AUDIT_COMMAND_H_

#include <cstdint>
#include <string>

#include "clients/iomctl/command_env.h"
#include "iomhub/v1/audit_service.pb.h"

namespace iomhub::iomctl {

struct AuditOptions {
  std::string action{};  // verify | sar | query | summary | key
  std::string person_id{};
  std::string agency{};
  std::string system{};
  std::string user_id{};
  std::string agreement{};
  std::string operation{};
  std::string since{};
  std::string until{};
  uint64_t limit = 0;
  std::string format{};           // sar: json (default) | csv
  std::string public_key_file{};  // verify: pin the key instead of asking the hub
};

// The report as CSV (RFC 4180), one row per (record, agreement), with a
// header line.
std::string SubjectAccessCsv(const v1::SubjectAccessReportResponse& report);

int RunAudit(const CommandEnv& env, const AuditOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_AUDIT_COMMAND_H_
