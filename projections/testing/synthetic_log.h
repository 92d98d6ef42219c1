// SyntheticLog: a deterministic mix of IOM events across many people, for
// projection tests and benchmarks: referrals and cohort selection, contact
// plans, contacts and outcomes, warnings, breach considerations with
// positions, arrests, referrals to services and their outcomes,
// accommodation, employment, consent, identifiers, team changes. Each
// person's events come in a plausible order; people interleave. No real
// person's data: ids are derived from the seed. Test-only.
#ifndef IOMHUB_PROJECTIONS_TESTING_SYNTHETIC_LOG_H_
#define IOMHUB_PROJECTIONS_TESTING_SYNTHETIC_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "iomhub/v1/envelope.pb.h"

namespace iomhub::projections::testing {

struct SyntheticAppend {
  std::string stream;  // "person-<uuid>"
  v1::Event event;     // with event_id, occurred_at, producer and payload
};

// `events` events over `people` people, the same for the same arguments.
std::vector<SyntheticAppend> SyntheticLog(int people, int events, uint32_t seed);

// The teams the synthetic people are assigned to.
std::vector<std::string> SyntheticTeams();

}  // namespace iomhub::projections::testing

#endif  // IOMHUB_PROJECTIONS_TESTING_SYNTHETIC_LOG_H_
