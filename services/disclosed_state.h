// A person's state as one recipient may know it: the fold (person_state.h)
// of the events of their stream the delivery cursor gives that recipient,
// trimmed as sent. Case views, alert lists and decision boards for partners
// whose agreements carry conditions are built from it, so a query never
// shows more than a read of the stream would.
#ifndef IOMHUB_SERVICES_DISCLOSED_STATE_H_
#define IOMHUB_SERVICES_DISCLOSED_STATE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "iomhub/v1/person_state.pb.h"
#include "services/delivery_cursor.h"
#include "services/hub_context.h"

namespace iomhub::services {

// NOT_FOUND "no case for person P that you may see": the same answer for a
// person the hub does not hold and one the caller may see nothing of.
absl::Status NoCaseFor(absl::string_view person);

// The state of `person` (a uuid) as `cursor`'s recipient may know it: their
// stream up to position `upto` (what the views reflect), each event
// offered to the cursor and folded as delivered. NOT_FOUND (NoCaseFor) when
// nothing of it reaches the recipient. REQUIRES: the case view reflects
// `upto` (the cursor's facts are read from it).
absl::StatusOr<v1::PersonState> DisclosedState(HubContext& hub, DeliveryCursor& cursor,
                                               const std::string& person, uint64_t upto);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_DISCLOSED_STATE_H_
