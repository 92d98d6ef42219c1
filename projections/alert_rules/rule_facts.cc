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

}  // namespace iomhub::projections::alert_rules
