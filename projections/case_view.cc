#include "projections/case_view.h"

#include <algorithm>
#include <cstdint>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "common/status_macros.h"
#include "common/timestamps.h"
#include "projections/calendar.h"

namespace iomhub::projections {
namespace {

using v1::PersonState;

bool Countable(const PersonState& state, v1::ContactMode mode) {
  const auto& modes = state.contact_plan().countable_modes();
  if (modes.empty()) return mode != v1::CONTACT_MODE_UNSPECIFIED;
  return absl::c_linear_search(modes, mode);
}

bool Kept(v1::ContactOutcome outcome) {
  return outcome == v1::CONTACT_OUTCOME_ATTENDED_COMPLIED ||
         outcome == v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY;
}

absl::Status FillContactWeek(const PersonState& state, absl::Time as_of, uint32_t default_minimum,
                             v1::CaseView::ContactWeek* week, std::vector<uint64_t>* positions) {
  IOMHUB_ASSIGN_OR_RETURN(const IsoWeek iso, WeekOf(as_of));
  IOMHUB_ASSIGN_OR_RETURN(const absl::Time start, WeekStart(iso));
  IOMHUB_ASSIGN_OR_RETURN(const absl::Time end, NextWeekStart(iso));
  week->set_week_label(WeekLabel(iso));
  *week->mutable_starts_at() = ToTimestamp(start);
  *week->mutable_ends_at() = ToTimestamp(end);

  uint32_t offered = 0;
  uint32_t kept = 0;
  for (const PersonState::Contact& contact : state.contacts()) {
    if (!contact.scheduled() || !contact.has_scheduled_for()) continue;
    const absl::Time when = ToTime(contact.scheduled_for());
    if (when < start || when >= end) continue;
    if (!Countable(state, contact.mode())) continue;
    if (contact.outcome() == v1::CONTACT_OUTCOME_RESCHEDULED) continue;
    ++offered;
    if (positions != nullptr) positions->push_back(contact.scheduled_position());
    if (Kept(contact.outcome())) ++kept;
  }
  week->set_contacts_offered(offered);
  week->set_contacts_kept(kept);

  uint32_t minimum = 0;
  if (state.has_contact_plan()) {
    minimum = state.contact_plan().min_contacts_per_week();
  } else if (state.cohort().on_iom() && state.cohort().cohort() == v1::COHORT_FIXED) {
    minimum = default_minimum;
    week->set_plan_defaulted(true);
  }
  week->set_plan_minimum(minimum);
  week->set_below_plan(offered < minimum);
  return absl::OkStatus();
}

void FillOpenItems(const PersonState& state, absl::Time as_of, v1::CaseView* view) {
  uint32_t open_considerations = 0;
  for (const PersonState::BreachConsideration& bc : state.breach_considerations()) {
    if (bc.status() == PersonState::BreachConsideration::STATUS_OPEN) ++open_considerations;
  }
  view->set_open_breach_considerations(open_considerations);

  uint32_t overdue = 0;
  for (const PersonState::ServiceReferral& r : state.referrals()) {
    if (r.status() != PersonState::ServiceReferral::STATUS_OPEN) continue;
    v1::CaseView::OpenReferral* open = view->add_open_referrals();
    open->set_referral_id(r.referral_id());
    open->set_service(r.service());
    open->set_priority_access_requested(r.priority_access_requested());
    if (r.has_sent_at()) {
      const int64_t days = absl::ToInt64Hours(as_of - ToTime(r.sent_at())) / 24;
      open->set_age_days(static_cast<uint32_t>(std::clamp<int64_t>(days, 0, UINT32_MAX)));
    }
    open->set_overdue(r.has_respond_by() && as_of > ToTime(r.respond_by()));
    if (open->overdue()) ++overdue;
  }
  view->set_open_referral_count(static_cast<uint32_t>(view->open_referrals_size()));
  view->set_overdue_referrals(overdue);

  uint32_t open_alerts = 0;
  for (const PersonState::Alert& alert : state.alerts()) {
    if (alert.has_raised_at() && !alert.has_resolved_at()) ++open_alerts;
  }
  view->set_open_alerts(open_alerts);

  uint32_t active_warnings = 0;
  for (const PersonState::Warning& warning : state.warnings()) {
    if (warning.has_liable_until() && ToTime(warning.liable_until()) > as_of) ++active_warnings;
  }
  view->set_active_warnings(active_warnings);
}

}  // namespace

absl::StatusOr<v1::CaseView::ContactWeek> ContactWeekAt(const v1::PersonState& state,
                                                        absl::Time as_of, uint32_t default_minimum,
                                                        std::vector<uint64_t>* offered_positions) {
  if (as_of == absl::InfiniteFuture() || as_of == absl::InfinitePast()) {
    return absl::InvalidArgumentError("a contact week needs a finite time");
  }
  v1::CaseView::ContactWeek week;
  IOMHUB_RETURN_IF_ERROR(FillContactWeek(state, as_of, default_minimum, &week, offered_positions));
  return week;
}

absl::StatusOr<v1::CaseView> RenderCaseView(const v1::PersonState& state, absl::Time as_of) {
  if (as_of == absl::InfiniteFuture() || as_of == absl::InfinitePast()) {
    return absl::InvalidArgumentError("a case view needs a finite as_of");
  }
  v1::CaseView view;
  IOMHUB_RETURN_IF_ERROR(FillContactWeek(state, as_of, kDefaultFixedContactsPerWeek,
                                         view.mutable_this_week(), nullptr));
  FillOpenItems(state, as_of, &view);
  *view.mutable_state() = state;
  *view.mutable_as_of() = ToTimestamp(as_of);
  return view;
}

}  // namespace iomhub::projections
