// PersonTimeline, services: referrals to housing, substance misuse, mental
// health and employment/training, the partner's answer (mental health
// slowest), engagement, partner-led contacts, and consent — recorded by the
// partner before a health or employment referral, sometimes withdrawn.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "clients/simulate/model_rates.h"
#include "clients/simulate/person_timeline.h"
#include "clients/simulate/sim_calendar.h"
#include "common/timestamps.h"

namespace iomhub::simulate {
namespace {

using P = Partnership;

constexpr absl::Duration kWeek = absl::Hours(24 * 7);

bool NeedsConsent(v1::ServiceKind kind) { return kind != v1::SERVICE_KIND_HOUSING; }

bool Health(v1::ServiceKind kind) {
  return kind == v1::SERVICE_KIND_SUBSTANCE_MISUSE || kind == v1::SERVICE_KIND_MENTAL_HEALTH;
}

v1::AgencyKind AgencyOf(v1::ServiceKind kind) {
  if (kind == v1::SERVICE_KIND_HOUSING) return v1::AGENCY_KIND_HOUSING;
  if (Health(kind)) return v1::AGENCY_KIND_HEALTH;
  return v1::AGENCY_KIND_EMPLOYMENT;
}

v1::Event Outcome(const std::string& id, v1::ReferralOutcome outcome, const std::string& reason) {
  v1::Event e;
  e.mutable_referral_outcome_recorded()->set_referral_id(id);
  e.mutable_referral_outcome_recorded()->set_outcome(outcome);
  e.mutable_referral_outcome_recorded()->set_reason(reason);
  return e;
}

v1::Event Engagement(v1::ServiceKind kind, v1::TreatmentEngagement engagement,
                     const std::string& consent) {
  v1::Event e;
  e.mutable_treatment_engagement_changed()->set_service(kind);
  e.mutable_treatment_engagement_changed()->set_engagement(engagement);
  e.mutable_treatment_engagement_changed()->set_consent_ref(consent);
  return e;
}

}  // namespace

Sender PersonTimeline::PartnerSender(v1::ServiceKind kind) {
  if (kind == v1::SERVICE_KIND_HOUSING) return P::HousingOfficer(team_, p_.index);
  if (Health(kind)) return P::HealthWorker(team_, p_.index);
  return P::EmploymentAdviser(p_.index);
}

void PersonTimeline::MaybeRefer(absl::CivilDay monday) {
  const absl::CivilDay day = SomeWorkingDay(monday);
  const absl::Time noon = AtLondon(day, 12);
  if (!OnIom(noon) || InCustody(noon) || day <= LondonDay(selected_at_)) return;
  const bool new_person = !p_.existing && noon - selected_at_ < 4 * kWeek;
  const double p = new_person ? rates::kReferralNewPerson : rates::kReferralPerWeek;
  std::vector<v1::ServiceKind> needs;
  if (accommodation_ == v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE ||
      accommodation_ == v1::ACCOMMODATION_STATUS_TEMPORARY) {
    needs.push_back(v1::SERVICE_KIND_HOUSING);
  }
  if (p_.substance_misuse_need) needs.push_back(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
  if (p_.mental_health_need) needs.push_back(v1::SERVICE_KIND_MENTAL_HEALTH);
  if (employment_ == v1::EMPLOYMENT_STATUS_UNEMPLOYED) {
    needs.push_back(v1::SERVICE_KIND_EMPLOYMENT_TRAINING);
  }
  for (v1::ServiceKind kind : needs) {
    if (referred_.contains(kind) || !rng_.Chance(p)) continue;
    Refer(day, kind);
    return;  // one referral a week at most
  }
}

void PersonTimeline::Refer(absl::CivilDay day, v1::ServiceKind kind) {
  referred_.insert(kind);
  const absl::Time sent = WorkingTime(day, 10, 16);
  const bool by_police = (kind == v1::SERVICE_KIND_HOUSING && rng_.Chance(0.3)) ||
                         (kind == v1::SERVICE_KIND_SUBSTANCE_MISUSE && rng_.Chance(0.2));
  const Sender referrer =
      by_police ? P::PoliceOfficer(team_, p_.index) : P::ProbationOfficer(team_, p_.practitioner);
  const Sender partner = PartnerSender(kind);
  const std::string referral_id = NextId("REF");
  Service service{.kind = kind, .consent_id = ""};
  if (NeedsConsent(kind)) {
    // The partner records the person's consent to share with it (only it
    // may: the producer table), before the referral that relies on it.
    service.consent_id = NextId("CNS");
    v1::Event consent;
    v1::ConsentRecorded* c = consent.mutable_consent_recorded();
    c->set_consent_id(service.consent_id);
    c->set_agency(AgencyOf(kind));
    c->set_service(kind);
    c->set_evidence_ref(absl::StrCat(partner.principal, ":consent-form:", service.consent_id));
    c->set_recorded_by(referrer.user);
    Emit(sent - absl::Minutes(rng_.Between(30, 180)), partner, {consent});
  }
  // The partner's agreed response time, as deploy/config/rules.textproto
  // sets it: mental health 10 working days; Dyfed-Powys 7; otherwise 5.
  const int respond_days = kind == v1::SERVICE_KIND_MENTAL_HEALTH ? 10
                           : team_.area_code == "DP" && kind != v1::SERVICE_KIND_EMPLOYMENT_TRAINING
                               ? 7
                               : 5;
  v1::Event referral;
  v1::ReferralSent* r = referral.mutable_referral_sent();
  r->set_referral_id(referral_id);
  r->set_service(kind);
  r->set_provider(partner.principal);
  r->set_priority_access_requested(rng_.Chance(0.9));
  r->set_consent_ref(service.consent_id);
  *r->mutable_respond_by() = ToTimestamp(AtLondon(AddWorkingDays(day, respond_days), 17));
  Emit(sent, referrer, {referral});
  ServiceOutcomes(service, day, referral_id);
  services_.push_back(service);
}

void PersonTimeline::ServiceOutcomes(Service& service, absl::CivilDay sent_day,
                                     const std::string& referral_id) {
  const v1::ServiceKind kind = service.kind;
  double median = rates::kEmploymentMedianDays;
  double declined = 0.08;
  if (kind == v1::SERVICE_KIND_HOUSING) {
    median = rates::kHousingMedianDays;
    declined = 0.15;
  } else if (kind == v1::SERVICE_KIND_SUBSTANCE_MISUSE) {
    median = rates::kSubstanceMisuseMedianDays;
    declined = 0.12;
  } else if (kind == v1::SERVICE_KIND_MENTAL_HEALTH) {
    median = rates::kMentalHealthMedianDays;
    declined = 0.25;
  }
  const int days =
      std::max(1, static_cast<int>(std::lround(rng_.LogNormal(median, rates::kAnswerSpread))));
  const absl::CivilDay answer_day = AddWorkingDays(sent_day, days);
  const absl::Time answer = WorkingTime(answer_day, 10, 16);
  const Sender partner = PartnerSender(kind);
  if (rng_.Chance(declined)) {
    Emit(answer, partner,
         {Outcome(referral_id, v1::REFERRAL_OUTCOME_DECLINED,
                  Health(kind) ? "thresholds not met: signposted" : "not eligible")});
    return;
  }
  Emit(answer, partner, {Outcome(referral_id, v1::REFERRAL_OUTCOME_ACCEPTED, "")});
  if (!rng_.Chance(0.85)) return;
  const absl::CivilDay start_day = AddWorkingDays(answer_day, rng_.Between(1, 8));
  const absl::Time start = WorkingTime(start_day, 9, 16);
  std::vector<v1::Event> started = {Outcome(referral_id, v1::REFERRAL_OUTCOME_STARTED, "")};
  if (Health(kind)) {
    started.push_back(Engagement(kind, v1::TREATMENT_ENGAGEMENT_STARTED, service.consent_id));
  } else if (kind == v1::SERVICE_KIND_HOUSING) {
    accommodation_ = accommodation_ == v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE
                         ? v1::ACCOMMODATION_STATUS_TEMPORARY
                         : v1::ACCOMMODATION_STATUS_SETTLED;
    v1::Event housed;
    housed.mutable_accommodation_status_changed()->set_status(accommodation_);
    started.push_back(housed);
  } else {
    employment_ = v1::EMPLOYMENT_STATUS_IN_TRAINING;
    v1::Event training;
    training.mutable_employment_status_changed()->set_status(employment_);
    started.push_back(training);
  }
  Emit(start, partner, std::move(started));
  service.active_from = start;

  const bool disengaged = rng_.Chance(Health(kind) ? 0.30 : 0.20);
  const int64_t weeks = disengaged ? rng_.Between(2, 6) : rng_.Between(4, 16);
  const absl::Time end = WorkingTime(NextWorkingDay(LondonDay(start + weeks * kWeek)));
  std::vector<v1::Event> ended;
  if (disengaged) {
    if (Health(kind)) {
      ended.push_back(Engagement(kind, v1::TREATMENT_ENGAGEMENT_DISENGAGED, service.consent_id));
    }
    ended.push_back(Outcome(referral_id, v1::REFERRAL_OUTCOME_CLOSED, "disengaged"));
  } else if (Health(kind)) {
    ended.push_back(Engagement(kind, v1::TREATMENT_ENGAGEMENT_COMPLETED, service.consent_id));
    ended.push_back(Outcome(referral_id, v1::REFERRAL_OUTCOME_CLOSED, "treatment completed"));
  } else if (kind == v1::SERVICE_KIND_EMPLOYMENT_TRAINING) {
    if (rng_.Chance(0.3)) {
      v1::Event job;
      job.mutable_employment_status_changed()->set_status(v1::EMPLOYMENT_STATUS_PART_TIME);
      ended.push_back(job);
    }
    ended.push_back(Outcome(referral_id, v1::REFERRAL_OUTCOME_CLOSED, "course completed"));
  } else {
    ended.push_back(Outcome(referral_id, v1::REFERRAL_OUTCOME_CLOSED, "housed"));
  }
  Emit(end, partner, std::move(ended));
  service.active_until = end;
  if (!service.consent_id.empty() && disengaged && rng_.Chance(0.35)) {
    v1::Event withdrawn;
    withdrawn.mutable_consent_withdrawn()->set_consent_id(service.consent_id);
    withdrawn.mutable_consent_withdrawn()->set_reason("the person withdrew consent");
    Emit(WorkingTime(AddWorkingDays(LondonDay(end), rng_.Between(1, 5))), partner, {withdrawn});
  }
}

void PersonTimeline::PartnerContacts(absl::CivilDay monday, int week,
                                     std::vector<absl::CivilDay>* used) {
  const absl::Time from = AtLondon(monday, 0);
  const absl::Time to = AtLondon(monday + 7, 0);
  for (const Service& s : services_) {
    if (used->size() >= plan_level_) return;
    if (s.active_from >= from || s.active_until <= to) continue;
    if (s.kind == v1::SERVICE_KIND_HOUSING && week % 2 == 1) continue;  // fortnightly
    for (int tries = 0; tries < 3; ++tries) {
      const absl::CivilDay day = monday + rng_.Between(0, 4);
      if (!IsWorkingDay(day) || busy_days_.contains(day)) continue;
      if (Contact(day, v1::LEAD_AGENCY_PARTNER, AgencyOf(s.kind), s.active_from, true)) {
        used->push_back(day);
        break;
      }
    }
  }
}

}  // namespace iomhub::simulate
