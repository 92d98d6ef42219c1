#include "services/disclosed_state.h"

#include "absl/strings/str_cat.h"
#include "projections/person_state.h"

namespace iomhub::services {

absl::Status NoCaseFor(absl::string_view person) {
  return absl::NotFoundError(absl::StrCat("no case for person ", person, " that you may see"));
}

absl::StatusOr<v1::PersonState> DisclosedState(HubContext& hub, DeliveryCursor& cursor,
                                               const std::string& person, uint64_t upto) {
  const std::string stream = absl::StrCat("person-", person);
  v1::PersonState state;
  uint64_t next = 0;
  for (bool end = false; !end;) {
    absl::StatusOr<eventstore::ReadBatch> read =
        hub.log().ReadStream(stream, next, false, 1000, 8 << 20);
    if (absl::IsNotFound(read.status())) return NoCaseFor(person);
    if (!read.ok()) return read.status();
    for (v1::Event& e : read->events) {
      if (e.position() > upto) {  // the views reflect the log up to `upto`
        end = true;
        break;
      }
      absl::StatusOr<DeliveryCursor::Verdict> verdict = cursor.Offer(&e);
      if (!verdict.ok()) return verdict.status();
      if (*verdict == DeliveryCursor::Verdict::kSkip) continue;
      if (*verdict == DeliveryCursor::Verdict::kWaitForFacts) {
        return absl::InternalError("the case view is behind the position it reported");
      }
      absl::Status folded = projections::ApplyDisclosedToPersonState(e, &state);
      if (!folded.ok()) return folded;
    }
    next = read->next;
    end = end || read->end;
  }
  if (state.events_folded() == 0) return NoCaseFor(person);
  return state;
}

}  // namespace iomhub::services
