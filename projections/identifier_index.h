// The identifier index ("identifier_index"): agencies' own identifiers
// (PNC id, Niche nominal id, CRN, NOMS number) → the hub person id, so a
// partner finds a person by the number its own system uses. Keys (‖ is NUL):
//   "i" ‖ KIND ‖ value → person_id    (KIND: the IdentifierKind value name)
//   "r" ‖ merged_id    → person_id    a duplicate folded into another person
// The NHS number is never indexed: it stays in the health partition and is
// never a join key (DOMAIN.md). A value linked to a second person moves to
// it (the latest link wins); lookups follow merges.
#ifndef IOMHUB_PROJECTIONS_IDENTIFIER_INDEX_H_
#define IOMHUB_PROJECTIONS_IDENTIFIER_INDEX_H_

#include <string>

#include "absl/status/statusor.h"
#include "eventstore/view_store.h"
#include "iomhub/v1/events.pb.h"
#include "projections/projection.h"

namespace iomhub::projections {

inline constexpr char kIdentifierIndex[] = "identifier_index";

class IdentifierIndexProjection final : public Projection {
 public:
  absl::string_view name() const override { return kIdentifierIndex; }
  bool Wants(const eventstore::EventPeek& event) const override;
  absl::Status Apply(const v1::Event& event, ViewTxn& txn) const override;
};

// The person `kind`/`value` identifies in the physical index `view`, after
// following merges. NOT_FOUND if none; INVALID_ARGUMENT for the NHS number
// or an unspecified kind.
absl::StatusOr<std::string> LookUpPerson(eventstore::ViewStore& views, const std::string& view,
                                         v1::IdentifierKind kind, const std::string& value);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_IDENTIFIER_INDEX_H_
