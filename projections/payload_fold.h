// What each payload type means to a person's state: the body of the fold in
// person_state.h, one handler per payload type. Internal to projections/;
// callers use ApplyToPersonState, which checks the envelope first.
//
// Thread-safe: shares nothing.
#ifndef IOMHUB_PROJECTIONS_PAYLOAD_FOLD_H_
#define IOMHUB_PROJECTIONS_PAYLOAD_FOLD_H_

#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"

namespace iomhub::projections {

// Folds the payload of `event` into `*state` (the envelope bookkeeping —
// person_id, versions, positions, times — is the caller's). Never fails:
// payload data that makes no sense is kept as far as it goes.
// REQUIRES: `event` belongs to `*state`'s stream (ApplyToPersonState checks).
void ApplyPayload(const v1::Event& event, v1::PersonState* state);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_PAYLOAD_FOLD_H_
