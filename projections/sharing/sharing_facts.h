// SharingFacts: what the sharing policy needs to know of a person, derived
// from their PersonState (the one fold of their stream, person_state.h), so
// the meaning of "on IOM", "consent in force" and "who leads this contact"
// is written once. Outcomes name only the id of what they answer (a
// contact, a referral, a consent); the facts say what that was, so an
// outcome is routed like the event it answers.
//
// A value; thread-compatible.
#ifndef IOMHUB_PROJECTIONS_SHARING_SHARING_FACTS_H_
#define IOMHUB_PROJECTIONS_SHARING_SHARING_FACTS_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "iomhub/v1/person_state.pb.h"

namespace iomhub::projections::sharing {

struct SharingFacts {
  struct Consent {
    v1::AgencyKind agency = v1::AGENCY_KIND_UNSPECIFIED;
    v1::ServiceKind service = v1::SERVICE_KIND_UNSPECIFIED;
    absl::Time expires_at = absl::InfiniteFuture();
    bool withdrawn = false;
  };
  struct ContactLead {
    v1::LeadAgency lead = v1::LEAD_AGENCY_UNSPECIFIED;
    v1::AgencyKind led_by = v1::AGENCY_KIND_UNSPECIFIED;  // with LEAD_AGENCY_PARTNER
  };

  bool on_iom = false;
  // The NominalDeselected that ended the latest period on IOM (0: none).
  uint64_t deselected_at_position = 0;
  std::string team_id;
  // The log position the facts reflect: every event of the person up to it.
  uint64_t reflects_position = 0;
  absl::flat_hash_map<std::string, Consent> consents;  // by consent_id
  absl::flat_hash_map<std::string, ContactLead> contacts;  // by contact_id
  absl::flat_hash_map<std::string, v1::ServiceKind> referrals;  // by referral_id

  // Whether a consent to share with `agency` is in force at `now`: recorded,
  // not withdrawn, not expired, for one of `services` (empty: any service;
  // a consent recorded without a service covers every service).
  bool ConsentInForce(v1::AgencyKind agency, absl::Span<const int> services,
                      absl::Time now) const;
};

// `reflects_position` is the view checkpoint the state was read at (at least
// state.last_position()).
SharingFacts DeriveSharingFacts(const v1::PersonState& state, uint64_t reflects_position);

// Whether a contact led by (`lead`, `led_by`) is led by `agency`.
bool LedBy(v1::LeadAgency lead, v1::AgencyKind led_by, v1::AgencyKind agency);

}  // namespace iomhub::projections::sharing

#endif  // IOMHUB_PROJECTIONS_SHARING_SHARING_FACTS_H_
