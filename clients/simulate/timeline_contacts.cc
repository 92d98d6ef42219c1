// PersonTimeline, contacts: the week's contacts against the person's plan,
// who leads each, in which mode and when, and whether it was kept. At most
// one contact a day, so no two appointments ever overlap (DOMAIN.md rule 10).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "clients/simulate/model_rates.h"
#include "clients/simulate/person_timeline.h"
#include "clients/simulate/sim_calendar.h"
#include "common/timestamps.h"

namespace iomhub::simulate {
namespace {

using P = Partnership;

struct ModeShape {
  int from_hour;
  int to_hour;
  uint32_t minutes;
};

ModeShape ShapeOf(v1::ContactMode mode) {
  switch (mode) {
    case v1::CONTACT_MODE_HOME_VISIT:
      return {8, 19, 30};
    case v1::CONTACT_MODE_PUBLIC_PLACE:
      return {10, 18, 30};
    case v1::CONTACT_MODE_PARTNER_AGENCY:
      return {9, 16, 60};
    case v1::CONTACT_MODE_PHONE:
      return {9, 17, 15};
    case v1::CONTACT_MODE_ONLINE:
      return {9, 17, 30};
    default:
      return {9, 16, 45};
  }
}

}  // namespace

v1::ContactMode PersonTimeline::PickMode(v1::LeadAgency lead) {
  // Weights in enum order: office, home visit, public place, partner
  // agency, phone, online. Rural teams meet more by phone and online.
  size_t i;
  if (lead == v1::LEAD_AGENCY_POLICE) {
    i = team_.rural ? rng_.Pick({0.10, 0.45, 0.15, 0, 0.30, 0})
                    : rng_.Pick({0.15, 0.45, 0.25, 0, 0.15, 0});
  } else {
    i = team_.rural ? rng_.Pick({0.35, 0.15, 0, 0.10, 0.25, 0.15})
                    : rng_.Pick({0.55, 0.12, 0, 0.08, 0.17, 0.08});
  }
  return static_cast<v1::ContactMode>(v1::CONTACT_MODE_OFFICE + i);
}

Sender PersonTimeline::ContactSender(v1::LeadAgency lead, v1::AgencyKind partner) {
  if (lead == v1::LEAD_AGENCY_POLICE) return P::PoliceOfficer(team_, p_.index);
  if (lead == v1::LEAD_AGENCY_PROBATION) return P::ProbationOfficer(team_, p_.practitioner);
  if (partner == v1::AGENCY_KIND_HOUSING) return P::HousingOfficer(team_, p_.index);
  if (partner == v1::AGENCY_KIND_HEALTH) return P::HealthWorker(team_, p_.index);
  return P::EmploymentAdviser(p_.index);
}

void PersonTimeline::Contacts(absl::CivilDay monday) {
  std::vector<absl::CivilDay> used;
  PartnerContacts(monday, static_cast<int>((monday - start_) / 7), &used);
  int target = std::max(0, static_cast<int>(plan_level_) - static_cast<int>(used.size()));
  if (target > 0 &&
      rng_.Chance(p_.team_over_capacity ? rates::kShortWeekOverCapacity : rates::kShortWeek)) {
    --target;
  }
  std::vector<absl::CivilDay> days;
  const absl::CivilDay selected = LondonDay(selected_at_);
  for (absl::CivilDay d = monday; d < monday + 5; ++d) {
    if (IsWorkingDay(d) && d > selected && !busy_days_.contains(d)) days.push_back(d);
  }
  std::vector<absl::CivilDay> chosen;
  while (static_cast<int>(chosen.size()) < target && !days.empty()) {
    const size_t i = static_cast<size_t>(rng_.Between(0, static_cast<int64_t>(days.size()) - 1));
    chosen.push_back(days[i]);
    days.erase(days.begin() + static_cast<std::ptrdiff_t>(i));
  }
  std::sort(chosen.begin(), chosen.end());
  const double police = cohort_ == v1::COHORT_FIXED  ? 0.45
                        : cohort_ == v1::COHORT_FLEX ? 0.25
                                                     : 0.35;
  for (absl::CivilDay day : chosen) {
    const v1::LeadAgency lead =
        rng_.Chance(police) ? v1::LEAD_AGENCY_POLICE : v1::LEAD_AGENCY_PROBATION;
    Contact(day, lead, v1::AGENCY_KIND_UNSPECIFIED, selected_at_ + absl::Hours(1), true);
  }
}

bool PersonTimeline::Contact(absl::CivilDay day, v1::LeadAgency lead, v1::AgencyKind partner,
                             absl::Time earliest_booking, bool may_reschedule) {
  if (busy_days_.contains(day)) return false;
  const v1::ContactMode mode =
      lead == v1::LEAD_AGENCY_PARTNER ? v1::CONTACT_MODE_PARTNER_AGENCY : PickMode(lead);
  const ModeShape shape = ShapeOf(mode);
  const absl::Time scheduled =
      AtLondon(day, shape.from_hour) +
      absl::Minutes(15 * rng_.Between(0, (shape.to_hour - shape.from_hour) * 4 - 1));
  absl::Time booked = WorkingTime(day - rng_.Between(1, 7));
  if (booked < earliest_booking) booked = earliest_booking + absl::Minutes(rng_.Between(5, 60));
  if (booked > scheduled - absl::Hours(1)) return false;
  if (!OnIom(scheduled) || InCustody(booked)) return false;

  const Sender sender = ContactSender(lead, partner);
  const std::string id = NextId("CON");
  v1::Event booking;
  v1::ContactScheduled* cs = booking.mutable_contact_scheduled();
  cs->set_contact_id(id);
  cs->set_mode(mode);
  *cs->mutable_scheduled_for() = ToTimestamp(scheduled);
  cs->set_lead_agency(lead);
  cs->set_source_system_ref(absl::StrCat(sender.principal, ":", id));
  cs->set_duration_minutes(shape.minutes);
  if (lead == v1::LEAD_AGENCY_PARTNER) cs->set_led_by(partner);
  Emit(booked, sender, {booking});
  busy_days_.insert(day);

  v1::ContactOutcome outcome;
  std::string reason;
  if (InCustody(scheduled)) {
    outcome = v1::CONTACT_OUTCOME_ACCEPTABLE_ABSENCE;
    reason = "in custody";
  } else {
    double attend = rates::kAttendBase + p_.propensity;
    if (p_.young()) attend -= rates::kAttendYoungPenalty;
    if (team_.rural) attend -= rates::kAttendRuralPenalty;
    if (accommodation_ == v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE) {
      attend -= rates::kAttendNoFixedAbodePenalty;
    }
    if (rng_.Chance(std::clamp(attend, 0.15, 0.97))) {
      outcome = rng_.Chance(0.94) ? v1::CONTACT_OUTCOME_ATTENDED_COMPLIED
                                  : v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY;
    } else {
      switch (rng_.Pick({0.40, 0.30, 0.20, 0.10})) {
        case 0:
          outcome = v1::CONTACT_OUTCOME_ACCEPTABLE_ABSENCE;
          static constexpr const char* kAcceptable[] = {"unwell: note provided", "attending court",
                                                        "family emergency, verified",
                                                        "job interview"};
          reason = kAcceptable[rng_.Between(0, 3)];
          break;
        case 1:
          outcome = v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE;
          static constexpr const char* kUnacceptable[] = {"no reason given", "overslept",
                                                          "said they forgot"};
          reason = kUnacceptable[rng_.Between(0, 2)];
          break;
        case 2:
          outcome = v1::CONTACT_OUTCOME_FAILED_TO_ATTEND;
          break;
        default:
          outcome = v1::CONTACT_OUTCOME_RESCHEDULED;
          reason = "practitioner unavailable; moved";
      }
    }
  }
  const absl::Time recorded =
      scheduled + absl::Minutes(shape.minutes) + absl::Minutes(rng_.Between(15, 300));
  v1::Event result;
  v1::ContactOutcomeRecorded* out = result.mutable_contact_outcome_recorded();
  out->set_contact_id(id);
  out->set_outcome(outcome);
  out->set_absence_reason(reason);
  out->set_source_system_ref(absl::StrCat(sender.principal, ":", id));
  Emit(recorded, sender, {result});

  if (outcome == v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE ||
      outcome == v1::CONTACT_OUTCOME_FAILED_TO_ATTEND) {
    misses_.push_back(scheduled);
    AfterMissedContact(scheduled, recorded);
  }
  if (outcome == v1::CONTACT_OUTCOME_RESCHEDULED && may_reschedule) {
    for (absl::CivilDay d = day + 1; d <= day + 7; ++d) {
      if (IsWorkingDay(d) && !busy_days_.contains(d) &&
          Contact(d, lead, partner, recorded, /*may_reschedule=*/false)) {
        break;
      }
    }
  }
  return true;
}

}  // namespace iomhub::simulate
