// ProducerTable: who may append which event types (shared DOMAIN.md "Who
// may produce what"), as an iomhub.v1.ProducerTable in protobuf text (the
// hub's producers_file). A producer outside the table is refused: an empty
// table accepts nothing.
//
// A ProducerTable is immutable: thread-safe, copyable.
#ifndef IOMHUB_PROJECTIONS_SHARING_PRODUCER_TABLE_H_
#define IOMHUB_PROJECTIONS_SHARING_PRODUCER_TABLE_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "iomhub/v1/actor.pb.h"
#include "iomhub/v1/config.pb.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::projections::sharing {

// Parses and validates a producer table; `name` labels locations. Each rule
// needs an agency that produces (not UNSPECIFIED, HUB_ADMIN or AUDITOR), at
// least one known event type, valid roles, and conditions only on the types
// they narrow: only_contacts_it_leads on ContactScheduled, only_services on
// TreatmentEngagementChanged, only_consents_for_itself on ConsentRecorded.
// AgreementChanged, AlertRaised and AlertResolved are refused: the hub
// appends them itself.
// INVALID_ARGUMENT: every problem, one per line, "name:line:column: message".
absl::StatusOr<v1::ProducerTable> ParseProducerTable(absl::string_view name,
                                                     absl::string_view text);

// Reads the file at `path`, then ParseProducerTable(path, ...).
// NOT_FOUND: the file cannot be read (the message names `path`).
absl::StatusOr<v1::ProducerTable> LoadProducerTable(const std::string& path);

class ProducerTable {
 public:
  ProducerTable() = default;  // empty: nothing may be produced
  // REQUIRES: `table` validated (ParseProducerTable).
  explicit ProducerTable(v1::ProducerTable table) : table_(std::move(table)) {}

  // OK if some rule for the producer's agency lists the event's type and
  // all of its conditions hold for this event: the producer's role is one
  // of `roles` (if any); a ContactScheduled is led by the producer's agency
  // (only_contacts_it_leads); a TreatmentEngagementChanged is for one of
  // `only_services`; a ConsentRecorded is a consent to share with the
  // producer's agency (only_consents_for_itself).
  // PERMISSION_DENIED otherwise, saying what the table allows instead.
  absl::Status Check(const v1::Actor& producer, const v1::Event& event) const;

  const v1::ProducerTable& config() const { return table_; }

 private:
  v1::ProducerTable table_;
};

}  // namespace iomhub::projections::sharing

#endif  // IOMHUB_PROJECTIONS_SHARING_PRODUCER_TABLE_H_
