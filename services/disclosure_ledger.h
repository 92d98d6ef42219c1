// DisclosureLedger: what a DeliveryCursor let through since it was last
// taken — for each event of a person's stream sent (or folded into a view
// shown), its position, type and the agreement it travelled under — so the
// audit record for a batch names exactly what left, and never its content
// (docs/audit.md). Hub records (not a person's stream) are not personal
// data and are not noted.
//
// Not thread-safe: it belongs to one cursor.
#ifndef IOMHUB_SERVICES_DISCLOSURE_LEDGER_H_
#define IOMHUB_SERVICES_DISCLOSURE_LEDGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "iomhub/v1/audit_service.pb.h"
#include "projections/sharing/policy.h"

namespace iomhub::services {

class DisclosureLedger {
 public:
  // Notes the event at `position` of `stream`, sent under `rule` (null for
  // a rule-less delivery), `trimmed` when fields were removed.
  void Note(uint64_t position, absl::string_view stream, int payload_field,
            const projections::sharing::Rule* rule, bool trimmed);
  bool empty() const { return notes_.empty(); }
  size_t size() const { return notes_.size(); }
  void Clear();

  // Moves what was noted into `record` as subjects, one per (person,
  // agreement), in order of first appearance; `views` are added to each.
  // Leaves the ledger empty.
  void TakeInto(v1::AuditRecord* record, const std::vector<std::string>& views = {});

 private:
  struct Note_ {
    uint64_t position;
    uint32_t person;  // index in people_
    int payload_field;
    const projections::sharing::Rule* rule;
    bool trimmed;
  };
  std::vector<Note_> notes_;
  // Each person once: a batch names few people many times.
  absl::flat_hash_map<std::string, uint32_t> person_index_;
  std::vector<std::string> people_;
};

// "id@version" of the agreement a rule belongs to ("" for none).
std::string AgreementLabel(const projections::sharing::Rule* rule);

// Adds `position`, of payload type `type`, to `subject` (event_types holds
// each type once; type_of points into it).
void AddRef(v1::AuditSubject* subject, uint64_t position, absl::string_view type);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_DISCLOSURE_LEDGER_H_
