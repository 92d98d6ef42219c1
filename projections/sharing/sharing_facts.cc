#include "projections/sharing/sharing_facts.h"

#include <algorithm>

#include "common/timestamps.h"

namespace iomhub::projections::sharing {

bool SharingFacts::ConsentInForce(v1::AgencyKind agency, absl::Span<const int> services,
                                  absl::Time now) const {
  for (const auto& [id, consent] : consents) {
    if (consent.agency != agency || consent.withdrawn || now >= consent.expires_at) continue;
    if (services.empty() || consent.service == v1::SERVICE_KIND_UNSPECIFIED ||
        std::find(services.begin(), services.end(), consent.service) != services.end()) {
      return true;
    }
  }
  return false;
}

SharingFacts DeriveSharingFacts(const v1::PersonState& state, uint64_t reflects_position) {
  SharingFacts facts;
  facts.on_iom = state.cohort().on_iom();
  facts.deselected_at_position = state.cohort().deselected_at_position();
  facts.team_id = state.team_id();
  facts.reflects_position = std::max(reflects_position, state.last_position());
  for (const v1::PersonState::Consent& c : state.consents()) {
    SharingFacts::Consent& consent = facts.consents[c.consent_id()];
    consent.agency = c.agency();
    consent.service = c.service();
    if (c.has_expires_at()) consent.expires_at = ToTime(c.expires_at());
    consent.withdrawn = c.has_withdrawn_at();
  }
  for (const v1::PersonState::Contact& c : state.contacts()) {
    facts.contacts[c.contact_id()] = {.lead = c.lead_agency(), .led_by = c.led_by()};
  }
  for (const v1::PersonState::ServiceReferral& r : state.referrals()) {
    facts.referrals[r.referral_id()] = r.service();
  }
  return facts;
}

bool LedBy(v1::LeadAgency lead, v1::AgencyKind led_by, v1::AgencyKind agency) {
  switch (lead) {
    case v1::LEAD_AGENCY_POLICE:
      return agency == v1::AGENCY_KIND_POLICE;
    case v1::LEAD_AGENCY_PROBATION:
      return agency == v1::AGENCY_KIND_PROBATION;
    case v1::LEAD_AGENCY_PARTNER:
      return led_by == agency && agency != v1::AGENCY_KIND_UNSPECIFIED;
    default:
      return false;
  }
}

}  // namespace iomhub::projections::sharing
