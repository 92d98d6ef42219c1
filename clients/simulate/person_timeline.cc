#include "clients/simulate/person_timeline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/simulate/sim_calendar.h"
#include "common/timestamps.h"

namespace iomhub::simulate {
namespace {

using P = Partnership;

constexpr absl::Duration kWeek = absl::Hours(24 * 7);
constexpr absl::Duration kReviewInterval = absl::Hours(24 * 7 * 12);

v1::Event Linked(v1::IdentifierKind kind, const std::string& value, const std::string& by) {
  v1::Event e;
  e.mutable_identifier_linked()->set_kind(kind);
  e.mutable_identifier_linked()->set_value(value);
  e.mutable_identifier_linked()->set_approved_by(by);
  return e;
}

v1::Event Registration(v1::Registration r, bool added, const char* code) {
  v1::Event e;
  e.mutable_registration_changed()->set_registration(r);
  e.mutable_registration_changed()->set_added(added);
  e.mutable_registration_changed()->set_register_code(code);
  return e;
}

v1::HandlingMarking HandlingOf(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kIntelligenceFlagged:
      return v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_INTELLIGENCE;
    case v1::Event::kTreatmentEngagementChanged:
      return v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_HEALTH;
    case v1::Event::kReferralSent: {
      const v1::ServiceKind s = e.referral_sent().service();
      return s == v1::SERVICE_KIND_MENTAL_HEALTH || s == v1::SERVICE_KIND_SUBSTANCE_MISUSE
                 ? v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_HEALTH
                 : v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_PERSONAL;
    }
    default:
      return v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_PERSONAL;
  }
}

uint32_t PlanLevel(v1::Cohort cohort, v1::Strand strand) {
  if (cohort == v1::COHORT_FIXED) return 3;
  if (cohort == v1::COHORT_FREE && strand != v1::STRAND_WISDOM) return 1;
  return 2;
}

}  // namespace

PersonTimeline::PersonTimeline(PersonProfile profile, absl::CivilDay start, int weeks,
                               SimRandom rng)
    : p_(std::move(profile)),
      team_(*p_.team),
      start_(start),
      weeks_(weeks),
      start_time_(AtLondon(start, 0)),
      end_time_(AtLondon(start + 7 * weeks, 0)),
      rng_(rng),
      cohort_(p_.cohort),
      strand_(p_.strand),
      risk_(p_.risk),
      accommodation_(p_.accommodation),
      employment_(p_.employment) {}

std::vector<Step> PersonTimeline::Build() {
  Onboard();
  for (int w = 0; w < weeks_; ++w) Week(w);
  std::vector<Step> kept;
  kept.reserve(steps_.size());
  for (Step& s : steps_) {
    if (s.at < end_time_) kept.push_back(std::move(s));
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Step& a, const Step& b) { return a.at < b.at; });
  return kept;
}

void PersonTimeline::Emit(absl::Time at, const Sender& sender, std::vector<v1::Event> events) {
  Step step{.at = at, .person = p_.index, .sender = sender, .events = std::move(events)};
  for (v1::Event& e : step.events) {
    *e.mutable_occurred_at() = ToTimestamp(at);
    e.set_stream(absl::StrCat("person-", p_.person_id));
    e.set_schema_version(1);
    if (!IsDecisionStep(step)) e.set_handling(HandlingOf(e));
  }
  steps_.push_back(std::move(step));
}

absl::Time PersonTimeline::WorkingTime(absl::CivilDay day, int from, int to) {
  return AtLondon(day, 0) + absl::Minutes(rng_.Between(from * 60, to * 60 - 1));
}

absl::CivilDay PersonTimeline::SomeWorkingDay(absl::CivilDay monday) {
  return NextWorkingDay(monday + rng_.Between(0, 4));
}

bool PersonTimeline::InCustody(absl::Time t) const {
  for (const auto& [in, out] : custody_) {
    if (t >= in && t < out) return true;
  }
  return false;
}

bool PersonTimeline::CustodyAfter(absl::Time t) const {
  for (const auto& [in, out] : custody_) {
    if (out > t) return true;
  }
  return false;
}

std::string PersonTimeline::NextId(const char* prefix) {
  return absl::StrFormat("%s-%s-%05d-%d", prefix, team_.code, p_.index, ++ids_);
}

v1::Event PersonTimeline::PlanEvent(uint32_t level, absl::Time next_review,
                                    const std::string& rationale) const {
  v1::Event e;
  v1::ContactPlanSet* plan = e.mutable_contact_plan_set();
  plan->set_min_contacts_per_week(level);
  if (cohort_ == v1::COHORT_FIXED) {
    for (v1::ContactMode m : {v1::CONTACT_MODE_OFFICE, v1::CONTACT_MODE_HOME_VISIT,
                              v1::CONTACT_MODE_PUBLIC_PLACE, v1::CONTACT_MODE_PARTNER_AGENCY}) {
      plan->add_countable_modes(m);
    }
    // Rural teams count phone contacts: travel would make the plan unkeepable.
    if (team_.rural) plan->add_countable_modes(v1::CONTACT_MODE_PHONE);
  } else {
    for (int m = v1::CONTACT_MODE_OFFICE; m <= v1::CONTACT_MODE_ONLINE; ++m) {
      plan->add_countable_modes(static_cast<v1::ContactMode>(m));
    }
  }
  plan->set_rationale(rationale);
  *plan->mutable_next_review_due() = ToTimestamp(next_review);
  return e;
}

void PersonTimeline::Onboard() {
  const absl::Time r = p_.referred_at;
  const Sender referrer = p_.referred_by_police ? P::PoliceOfficer(team_, rng_.Next())
                                                : P::ProbationOfficer(team_, p_.practitioner);
  std::string reason;
  switch (p_.strand) {
    case v1::STRAND_Y2A:
      reason = "young adult moving from youth to adult justice (Y2A)";
      break;
    case v1::STRAND_WISDOM:
      reason = "serious and dangerous offender: WISDOM criteria";
      break;
    case v1::STRAND_NEIGHBOURHOOD_CRIME:
      reason = "neighbourhood crime: meets the Fixed cohort criteria";
      break;
    default:
      reason = "local priority: prolific acquisitive offending";
  }
  if (p_.pre_release) absl::StrAppend(&reason, "; referred before release");
  std::vector<v1::Event> first(1);
  first[0].mutable_nominal_referred()->set_team_id(team_.team.id());
  first[0].mutable_nominal_referred()->set_referral_reason(reason);
  *first[0].mutable_nominal_referred()->mutable_date_of_birth() =
      ToTimestamp(absl::FromCivil(p_.date_of_birth, absl::UTCTimeZone()));
  if (p_.referred_by_police) {
    first.push_back(Linked(v1::IDENTIFIER_KIND_PNC, p_.pnc, referrer.user));
    first.push_back(Linked(v1::IDENTIFIER_KIND_NICHE_NOMINAL, p_.niche_nominal, referrer.user));
  } else {
    first.push_back(Linked(v1::IDENTIFIER_KIND_CRN, p_.crn, referrer.user));
    first.push_back(Linked(v1::IDENTIFIER_KIND_PNC, p_.pnc, referrer.user));
  }
  Emit(r, referrer, std::move(first));

  absl::CivilDay base = LondonDay(r);
  if (p_.pre_release) {
    const Sender prison = P::PrisonOfficer(rng_.Next());
    Emit(WorkingTime(AddWorkingDays(base, 1)), prison,
         {Linked(v1::IDENTIFIER_KIND_NOMS, p_.noms, prison.user)});
    const absl::CivilDay release_day = NextWorkingDay(base + rng_.Between(5, 15));
    const absl::Time release = WorkingTime(release_day, 9, 11);
    v1::Event released;
    released.mutable_released_from_custody()->set_establishment(kPrisonEstablishment);
    *released.mutable_released_from_custody()->mutable_licence_end() =
        ToTimestamp(release + rng_.Between(26, 104) * kWeek);
    Emit(release, prison, {released});
    custody_.push_back({r - 52 * kWeek, release});
    accommodation_ = rng_.Chance(0.6) ? v1::ACCOMMODATION_STATUS_APPROVED_PREMISES
                                      : v1::ACCOMMODATION_STATUS_TEMPORARY;
    base = release_day;
  }

  const absl::Time s = WorkingTime(AddWorkingDays(base, rng_.Between(1, 8)), 10, 16);
  const Sender spo = P::SeniorProbationOfficer(team_);
  std::vector<v1::Event> selection;
  if (p_.referred_by_police) selection.push_back(Linked(v1::IDENTIFIER_KIND_CRN, p_.crn, spo.user));
  if (p_.on_licence && !p_.pre_release) {
    selection.push_back(Linked(v1::IDENTIFIER_KIND_NOMS, p_.noms, spo.user));
  }
  v1::Event risk;
  risk.mutable_risk_level_changed()->set_risk_of_harm(risk_);
  risk.mutable_risk_level_changed()->set_assessment_ref(NextId("OASYS"));
  selection.push_back(risk);  // before the selection: WISDOM needs it recorded
  v1::Event selected;
  v1::CohortSelected* cs = selected.mutable_cohort_selected();
  cs->set_cohort(cohort_);
  cs->set_strand(strand_);
  if (strand_ == v1::STRAND_Y2A) {
    const absl::CivilDay d = LondonDay(s);
    *cs->mutable_min_duration_until() =
        ToTimestamp(AtLondon(absl::CivilDay(absl::CivilMonth(d) + 3) + (d.day() - 1), 17));
  }
  cs->set_team_id(team_.team.id());
  cs->set_lead_practitioner(P::PractitionerRef(team_, p_.practitioner));
  selection.push_back(selected);
  plan_level_ = PlanLevel(cohort_, strand_);
  next_review_due_ = s + kReviewInterval;
  selection.push_back(
      PlanEvent(plan_level_, next_review_due_, "panel: standard plan for the cohort"));
  selection.push_back(Registration(v1::REGISTRATION_IOM, true, "IIOM"));
  if (strand_ == v1::STRAND_WISDOM) {
    selection.push_back(Registration(v1::REGISTRATION_MAPPA, true, "MAPP"));
  }
  v1::Event housing;
  housing.mutable_accommodation_status_changed()->set_status(accommodation_);
  selection.push_back(housing);
  v1::Event work;
  work.mutable_employment_status_changed()->set_status(employment_);
  selection.push_back(work);
  Emit(s, spo, std::move(selection));
  selected_at_ = s;

  // People on IOM for a while had their plan reviewed: the last review
  // before the period.
  const int64_t reviews = (start_time_ - s) / kReviewInterval;
  if (reviews >= 1) {
    const absl::Time at = WorkingTime(NextWorkingDay(LondonDay(s + reviews * kReviewInterval)));
    if (at < start_time_) {
      next_review_due_ = at + kReviewInterval;
      v1::Event review;
      review.mutable_review_completed()->set_outcome(v1::REVIEW_OUTCOME_MAINTAIN);
      review.mutable_review_completed()->set_rationale("engaging with the plan; maintained");
      *review.mutable_review_completed()->mutable_next_review_due() = ToTimestamp(next_review_due_);
      Emit(at, spo, {review});
    }
  }
}

void PersonTimeline::Week(int w) {
  const absl::CivilDay monday = start_ + 7 * w;
  const absl::Time week_start = AtLondon(monday, 0);
  if (selected_at_ >= AtLondon(monday + 7, 0) || deselected_at_ <= week_start) return;
  MaybeReview(monday);
  MaybeChangeCohortOrDeselect(monday);
  MaybeArrest(monday);  // first: the week's contacts see a remand
  Contacts(monday);
  MaybeRefer(monday);
  MaybeIntervention(monday);
  MaybeChangeCircumstances(monday);
}

void PersonTimeline::MaybeReview(absl::CivilDay monday) {
  if (next_review_due_ < AtLondon(monday, 0) || next_review_due_ >= AtLondon(monday + 7, 0)) {
    return;
  }
  const absl::CivilDay due = LondonDay(next_review_due_);
  absl::CivilDay day = rng_.Chance(0.15) ? AddWorkingDays(due, rng_.Between(5, 15))
                                         : NextWorkingDay(due - rng_.Between(0, 4));
  if (day <= LondonDay(selected_at_)) day = AddWorkingDays(LondonDay(selected_at_), 1);
  const absl::Time at = WorkingTime(day);
  next_review_due_ = at + kReviewInterval;
  if (!OnIom(at)) return;
  const bool may_deselect = strand_ != v1::STRAND_Y2A && strand_ != v1::STRAND_WISDOM;
  const size_t pick = rng_.Pick({0.60, plan_level_ > 1 ? 0.15 : 0.0, plan_level_ < 4 ? 0.10 : 0.0,
                                 may_deselect ? 0.15 : 0.0});
  static constexpr v1::ReviewOutcome kOutcomes[] = {
      v1::REVIEW_OUTCOME_MAINTAIN, v1::REVIEW_OUTCOME_REDUCE, v1::REVIEW_OUTCOME_INCREASE,
      v1::REVIEW_OUTCOME_DESELECT};
  static constexpr const char* kWhy[] = {
      "plan kept: engagement steady", "plan reduced: sustained compliance, avoid overburdening",
      "plan increased: missed contacts and concerns", "deselected: sustained desistance"};
  v1::Event review;
  review.mutable_review_completed()->set_outcome(kOutcomes[pick]);
  review.mutable_review_completed()->set_rationale(kWhy[pick]);
  *review.mutable_review_completed()->mutable_next_review_due() = ToTimestamp(next_review_due_);
  std::vector<v1::Event> events = {review};
  if (pick == 1 || pick == 2) {
    plan_level_ += pick == 1 ? -1 : 1;
    events.push_back(PlanEvent(plan_level_, next_review_due_, kWhy[pick]));
  }
  if (pick == 3) {
    v1::Event deselected;
    deselected.mutable_nominal_deselected()->set_reason("review: sustained desistance");
    events.push_back(deselected);
    events.push_back(Registration(v1::REGISTRATION_IOM, false, "IIOM"));
    deselected_at_ = at;
  }
  Emit(at, P::SeniorProbationOfficer(team_), std::move(events));
}

void PersonTimeline::MaybeChangeCohortOrDeselect(absl::CivilDay monday) {
  if (strand_ == v1::STRAND_Y2A) return;  // Flex for 3 months at least: left alone
  const absl::Time at = WorkingTime(SomeWorkingDay(monday));
  if (!OnIom(at) || at <= selected_at_) return;
  if (rng_.Chance(0.003)) {
    static constexpr const char* kReasons[] = {
        "moved out of the area", "sentenced to a long custodial term",
        "panel: risk reduced, supervision continues outside IOM"};
    Deselect(at, kReasons[rng_.Between(0, 2)]);
    return;
  }
  if (strand_ == v1::STRAND_WISDOM || !rng_.Chance(0.004)) return;
  const v1::Cohort from = cohort_;
  cohort_ = from == v1::COHORT_FIXED ? v1::COHORT_FLEX : v1::COHORT_FIXED;
  strand_ = cohort_ == v1::COHORT_FIXED ? v1::STRAND_NEIGHBOURHOOD_CRIME : v1::STRAND_LOCAL;
  v1::Event changed;
  changed.mutable_cohort_changed()->set_from_cohort(from);
  changed.mutable_cohort_changed()->set_to_cohort(cohort_);
  changed.mutable_cohort_changed()->set_strand(strand_);
  changed.mutable_cohort_changed()->set_reason(cohort_ == v1::COHORT_FIXED
                                                   ? "neighbourhood offending resumed"
                                                   : "offending pattern changed");
  plan_level_ = PlanLevel(cohort_, strand_);
  Emit(at, P::SeniorProbationOfficer(team_),
       {changed, PlanEvent(plan_level_, next_review_due_, "plan set for the new cohort")});
}

void PersonTimeline::Deselect(absl::Time at, const std::string& reason) {
  v1::Event deselected;
  deselected.mutable_nominal_deselected()->set_reason(reason);
  Emit(at, P::SeniorProbationOfficer(team_),
       {deselected, Registration(v1::REGISTRATION_IOM, false, "IIOM")});
  deselected_at_ = at;
}

void PersonTimeline::MaybeChangeCircumstances(absl::CivilDay monday) {
  const absl::Time at = WorkingTime(SomeWorkingDay(monday));
  if (!OnIom(at) || InCustody(at)) return;
  const Sender po = P::ProbationOfficer(team_, p_.practitioner);
  if (rng_.Chance(0.012)) {
    using A = v1::AccommodationStatus;
    A to;
    switch (accommodation_) {
      case v1::ACCOMMODATION_STATUS_SETTLED:
        to = v1::ACCOMMODATION_STATUS_TEMPORARY;
        break;
      case v1::ACCOMMODATION_STATUS_TEMPORARY:
        to = rng_.Chance(0.6) ? v1::ACCOMMODATION_STATUS_SETTLED
                              : v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE;
        break;
      default:
        to = rng_.Chance(0.7) ? v1::ACCOMMODATION_STATUS_TEMPORARY
                              : v1::ACCOMMODATION_STATUS_SETTLED;
    }
    accommodation_ = to;
    v1::Event e;
    e.mutable_accommodation_status_changed()->set_status(to);
    Emit(at, po, {e});
  }
  if (rng_.Chance(0.01)) {
    employment_ = employment_ == v1::EMPLOYMENT_STATUS_UNEMPLOYED
                      ? (rng_.Chance(0.5) ? v1::EMPLOYMENT_STATUS_PART_TIME
                                          : v1::EMPLOYMENT_STATUS_IN_TRAINING)
                      : v1::EMPLOYMENT_STATUS_UNEMPLOYED;
    v1::Event e;
    e.mutable_employment_status_changed()->set_status(employment_);
    Emit(at + absl::Minutes(5), po, {e});
  }
  if (rng_.Chance(0.005)) {
    const int floor = strand_ == v1::STRAND_WISDOM ? v1::RISK_LEVEL_HIGH : v1::RISK_LEVEL_LOW;
    const int level = std::clamp(risk_ + (rng_.Chance(0.5) ? 1 : -1), floor,
                                 static_cast<int>(v1::RISK_LEVEL_VERY_HIGH));
    risk_ = static_cast<v1::RiskLevel>(level);
    v1::Event e;
    e.mutable_risk_level_changed()->set_risk_of_harm(risk_);
    e.mutable_risk_level_changed()->set_assessment_ref(NextId("OASYS"));
    Emit(at + absl::Minutes(10), po, {e});
  }
  if (rng_.Chance(0.006)) {
    static constexpr const char* kCategories[] = {"association", "location", "drug supply",
                                                  "exploitation risk", "vehicle use"};
    v1::Event e;
    e.mutable_intelligence_flagged()->set_intelligence_ref(NextId("INT"));
    e.mutable_intelligence_flagged()->set_category(kCategories[rng_.Between(0, 4)]);
    Emit(at + absl::Hours(2), P::PoliceOfficer(team_, rng_.Next()), {e});
  }
}

void PersonTimeline::MaybeIntervention(absl::CivilDay monday) {
  const absl::Time at = WorkingTime(SomeWorkingDay(monday));
  if (!OnIom(at) || InCustody(at) || at < intervention_until_ || !rng_.Chance(0.03)) return;
  const size_t kind = rng_.Pick({0.5, 0.3, 0.2});
  static constexpr const char* kNames[][3] = {
      {"walking group", "fishing trip", "boxing club"},
      {"Thinking Skills (one-to-one)", "Building Choices (adapted)", "Resolve (one-to-one)"},
      {"Building Choices", "Thinking Skills Programme", "Kaizen"}};
  const std::string id = NextId("INTV");
  v1::Event started;
  started.mutable_intervention_started()->set_intervention_id(id);
  started.mutable_intervention_started()->set_kind(
      static_cast<v1::InterventionKind>(v1::INTERVENTION_KIND_STRUCTURED_ACTIVITY - kind));
  started.mutable_intervention_started()->set_name(kNames[kind][rng_.Between(0, 2)]);
  const Sender po = P::ProbationOfficer(team_, p_.practitioner);
  Emit(at, po, {started});
  const int64_t weeks = kind == 0 ? rng_.Between(1, 3) : rng_.Between(6, 12);
  v1::Event ended;
  absl::Time until;
  if (rng_.Chance(0.8)) {
    until = WorkingTime(NextWorkingDay(LondonDay(at + weeks * kWeek)));
    ended.mutable_intervention_completed()->set_intervention_id(id);
  } else {
    until = WorkingTime(NextWorkingDay(LondonDay(at + weeks * kWeek / 2)));
    ended.mutable_intervention_withdrawn()->set_intervention_id(id);
    ended.mutable_intervention_withdrawn()->set_reason("stopped attending");
  }
  intervention_until_ = until;
  Emit(until, po, {ended});
}

}  // namespace iomhub::simulate
