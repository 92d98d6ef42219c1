#include "projections/alert_rules/rule_facts.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/timestamps.h"
#include "projections/calendar.h"

namespace iomhub::projections::alert_rules {
namespace {

using v1::PersonState;

absl::TimeZone London() {
  absl::StatusOr<absl::TimeZone> tz = LondonTimeZone();
  // Without tzdata the hub refuses to start (calendar.h); UTC only keeps a
  // message readable if this is ever reached first.
  return tz.ok() ? *tz : absl::UTCTimeZone();
}

}  // namespace

absl::Time AddMonths(absl::Time t, int months) {
  const absl::TimeZone tz = London();
  const absl::CivilSecond local = absl::ToCivilSecond(t, tz);
  const absl::CivilSecond later(local.year(), local.month() + months, local.day(), local.hour(),
                                local.minute(), local.second());
  return absl::FromCivil(later, tz) + (t - absl::FromCivil(local, tz));
}

absl::Time AddDays(absl::Time t, int days) {
  const absl::TimeZone tz = London();
  const absl::CivilSecond local = absl::ToCivilSecond(t, tz);
  return absl::FromCivil(absl::CivilSecond(absl::CivilDay(local) + days) +
                             (local - absl::CivilSecond(absl::CivilDay(local))),
                         tz) +
         (t - absl::FromCivil(local, tz));
}

std::string LondonText(absl::Time t) { return absl::FormatTime("%a %e %b %Y %H:%M", t, London()); }

std::string LondonDate(absl::Time t) {
  std::string text = absl::FormatTime("%e %b %Y", t, London());
  return std::string(absl::StripLeadingAsciiWhitespace(text));
}

absl::Time LiableUntil(const v1::PersonState::Warning& warning, const Parameters& params) {
  if (warning.has_liable_until()) return ToTime(warning.liable_until());
  return AddMonths(ToTime(warning.issued_at()), static_cast<int>(params.warning_liability_months));
}

absl::Time ContactTime(const v1::PersonState::Contact& contact) {
  if (contact.has_scheduled_for()) return ToTime(contact.scheduled_for());
  return ToTime(contact.outcome_recorded_at());
}

absl::Duration AppointmentLength(const v1::PersonState::Contact& contact, const Parameters& params) {
  const uint32_t minutes =
      contact.duration_minutes() > 0 ? contact.duration_minutes() : params.default_appointment_minutes;
  return absl::Minutes(minutes);
}

absl::Time FlexUntil(const v1::PersonState& state, const Parameters& params) {
  const auto& cohort = state.cohort();
  if (cohort.has_min_duration_until()) return ToTime(cohort.min_duration_until());
  return AddMonths(ToTime(cohort.selected_at()), static_cast<int>(params.y2a_min_flex_months));
}

bool MappaActive(const v1::PersonState& state) {
  for (const auto& r : state.registrations()) {
    if (r.registration() == v1::REGISTRATION_MAPPA || r.register_code() == "MAPP") return true;
  }
  return false;
}

bool HighRiskOfHarm(const v1::PersonState& state) {
  const v1::RiskLevel level = state.risk_of_harm().level();
  return level == v1::RISK_LEVEL_HIGH || level == v1::RISK_LEVEL_VERY_HIGH;
}

bool OnFixed(const v1::PersonState& state) {
  return state.cohort().on_iom() && state.cohort().cohort() == v1::COHORT_FIXED;
}

std::optional<absl::Time> ReviewDue(const v1::PersonState& state, const Parameters& params) {
  if (!state.has_contact_plan()) return std::nullopt;
  const auto& plan = state.contact_plan();
  if (plan.has_next_review_due()) return ToTime(plan.next_review_due());
  return AddDays(ToTime(plan.set_at()), static_cast<int>(7 * params.review_interval_weeks));
}

absl::Time LastEnforcementAction(const v1::PersonState& state) {
  absl::Time last = absl::InfinitePast();
  for (const auto& w : state.warnings()) last = std::max(last, ToTime(w.issued_at()));
  for (const auto& bc : state.breach_considerations()) {
    if (bc.has_opened_at()) last = std::max(last, ToTime(bc.opened_at()));
  }
  return last;
}

const PersonState::Contact* FindContact(const PersonState& state, absl::string_view id) {
  for (const auto& c : state.contacts()) {
    if (c.contact_id() == id) return &c;
  }
  return nullptr;
}

const PersonState::ServiceReferral* FindReferral(const PersonState& state, absl::string_view id) {
  for (const auto& r : state.referrals()) {
    if (r.referral_id() == id) return &r;
  }
  return nullptr;
}

const PersonState::BreachConsideration* ConsiderationAfter(const PersonState& state,
                                                           uint64_t since) {
  for (const auto& bc : state.breach_considerations()) {
    if (bc.opened_position() > since) return &bc;
  }
  return nullptr;
}

const PersonState::Warning* WarningAfter(const PersonState& state, uint64_t since) {
  for (const auto& w : state.warnings()) {
    if (w.position() > since) return &w;
  }
  return nullptr;
}

const PersonState::Warning* WarningInForce(const PersonState& state, absl::Time t,
                                           const Parameters& params) {
  for (const auto& w : state.warnings()) {
    if (ToTime(w.issued_at()) <= t && t < LiableUntil(w, params)) return &w;
  }
  return nullptr;
}

bool HasOpenConsideration(const PersonState& state) {
  for (const auto& bc : state.breach_considerations()) {
    if (bc.status() == PersonState::BreachConsideration::STATUS_OPEN) return true;
  }
  return false;
}

bool Accommodated(const PersonState& state) {
  switch (state.accommodation().status()) {
    case v1::ACCOMMODATION_STATUS_SETTLED:
    case v1::ACCOMMODATION_STATUS_TEMPORARY:
    case v1::ACCOMMODATION_STATUS_APPROVED_PREMISES:
      return true;
    default:
      return false;
  }
}

bool FailureToComply(v1::ContactOutcome outcome) {
  return outcome == v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE ||
         outcome == v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY;
}

std::vector<Absence> AbsencesSinceEnforcement(const PersonState& state) {
  const absl::Time since = LastEnforcementAction(state);
  std::vector<Absence> out;
  for (const auto& c : state.contacts()) {
    if (c.outcome() != v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE) continue;
    const absl::Time at = ContactTime(c);
    if (at > since) out.push_back({at, c.outcome_position()});
  }
  std::sort(out.begin(), out.end(), [](const Absence& a, const Absence& b) { return a.at < b.at; });
  return out;
}

size_t MostWithin(const std::vector<Absence>& absences, uint32_t days,
                  std::optional<absl::Time> must_hold, std::vector<Absence>* best) {
  const absl::Duration span = absl::Hours(24 * days);
  size_t most = 0;
  for (size_t i = 0; i < absences.size(); ++i) {
    const absl::Time start = absences[i].at;
    if (must_hold && (*must_hold < start || *must_hold >= start + span)) continue;
    std::vector<Absence> in;
    for (size_t j = i; j < absences.size() && absences[j].at < start + span; ++j) {
      in.push_back(absences[j]);
    }
    if (in.size() > most) {
      most = in.size();
      *best = std::move(in);
    }
  }
  return most;
}

std::string DayWindow(absl::Time t) {
  absl::StatusOr<absl::CivilDay> day = LondonDayOf(t);
  return day.ok() ? DayLabel(*day) : absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

}  // namespace iomhub::projections::alert_rules
