// PersonTimeline, enforcement: warnings after missed contacts, breach
// considerations and their joint decision (DOMAIN.md rules 5 and 6), arrests
// and charges, remand and recall into custody, and release.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "clients/simulate/model_rates.h"
#include "clients/simulate/person_timeline.h"
#include "clients/simulate/sim_calendar.h"
#include "common/timestamps.h"

namespace iomhub::simulate {
namespace {

using P = Partnership;
using Position = v1::EnforcementPosition;

constexpr absl::Duration kDay = absl::Hours(24);

const char* Word(Position p) {
  switch (p) {
    case v1::ENFORCEMENT_POSITION_BREACH:
      return "breach";
    case v1::ENFORCEMENT_POSITION_RECALL:
      return "recall";
    case v1::ENFORCEMENT_POSITION_WARN:
      return "warn";
    case v1::ENFORCEMENT_POSITION_NO_FURTHER_ACTION:
      return "no further action";
    default:
      return "alternative";
  }
}

const char* Rationale(Position p) {
  switch (p) {
    case v1::ENFORCEMENT_POSITION_BREACH:
      return "pattern of non-compliance: refer for enforcement";
    case v1::ENFORCEMENT_POSITION_RECALL:
      return "risk no longer manageable in the community";
    case v1::ENFORCEMENT_POSITION_WARN:
      return "first lapse; engaging otherwise";
    case v1::ENFORCEMENT_POSITION_NO_FURTHER_ACTION:
      return "explanation accepted; no further action";
    default:
      return "an alternative keeps them engaged";
  }
}

absl::Time LiableUntil(absl::Time at) {
  const absl::CivilDay d = LondonDay(at);
  return AtLondon(absl::CivilDay(d.year() + 1, d.month(), d.day()), 23, 59);
}

}  // namespace

void PersonTimeline::AfterMissedContact(absl::Time scheduled, absl::Time recorded) {
  if (!OnIom(recorded) || recorded < consideration_until_) return;
  const int recent =
      static_cast<int>(std::count_if(misses_.begin(), misses_.end(), [&](absl::Time t) {
        return t <= scheduled && t > scheduled - 30 * kDay;
      }));
  const Sender po = P::ProbationOfficer(team_, p_.practitioner);
  const absl::Time next = WorkingTime(AddWorkingDays(LondonDay(recorded), rng_.Between(1, 3)));
  if (!MayWarn()) {
    if (rng_.Chance(0.12)) {
      OpenConsideration(next,
                        p_.on_licence ? v1::BREACH_TRIGGER_MISSED_CONTACTS
                                      : v1::BREACH_TRIGGER_FAILURES_TO_COMPLY_LIMIT,
                        po, "a further failure to comply while a warning is in force");
    }
    return;
  }
  if (recent >= 2) {
    if (rng_.Chance(0.10)) {
      OpenConsideration(next, v1::BREACH_TRIGGER_MISSED_CONTACTS, po,
                        "two unacceptable absences within 30 days");
    } else if (rng_.Chance(0.15)) {
      IssueWarning(next, "second unacceptable absence within 30 days");
    }
    return;
  }
  if (rng_.Chance(0.06)) IssueWarning(next, "unacceptable absence");
}

void PersonTimeline::IssueWarning(absl::Time at, const std::string& reason) {
  if (!MayWarn()) return;
  v1::Event e;
  e.mutable_warning_issued()->set_order_ref(p_.order_ref);
  e.mutable_warning_issued()->set_reason(reason);
  *e.mutable_warning_issued()->mutable_liable_until() = ToTimestamp(LiableUntil(at));
  Emit(at, P::ProbationOfficer(team_, p_.practitioner), {e});
  warnings_.push_back(at);
}

void PersonTimeline::OpenConsideration(absl::Time at, v1::BreachTrigger trigger,
                                       const Sender& opener, const std::string& summary) {
  if (at < consideration_until_) return;
  const std::string id = NextId("BC");
  v1::Event opened;
  v1::BreachConsiderationOpened* o = opened.mutable_breach_consideration_opened();
  o->set_consideration_id(id);
  o->set_trigger(trigger);
  o->set_order_ref(p_.order_ref);
  o->set_summary(summary);
  Emit(at, opener, {opened});
  const Sender sergeant = P::Sergeant(team_);
  const Sender spo = P::SeniorProbationOfficer(team_);
  const absl::CivilDay day = LondonDay(at);
  if (rng_.Chance(0.05)) {
    const absl::Time t = WorkingTime(AddWorkingDays(day, rng_.Between(1, 3)));
    v1::Event withdrawn;
    withdrawn.mutable_breach_consideration_withdrawn()->set_consideration_id(id);
    withdrawn.mutable_breach_consideration_withdrawn()->set_reason(
        "evidence for the absence provided later");
    Emit(t, spo, {withdrawn});
    consideration_until_ = t;
    return;
  }
  // What each side may propose: a licence is recalled, an order breached;
  // while a warning is in force, warning again is unlawful (rule 5).
  const bool offence =
      trigger == v1::BREACH_TRIGGER_ARREST || trigger == v1::BREACH_TRIGGER_NEW_OFFENCE;
  const Position severe =
      p_.on_licence ? v1::ENFORCEMENT_POSITION_RECALL : v1::ENFORCEMENT_POSITION_BREACH;
  const Position options[] = {severe, v1::ENFORCEMENT_POSITION_WARN,
                              v1::ENFORCEMENT_POSITION_ALTERNATIVE,
                              v1::ENFORCEMENT_POSITION_NO_FURTHER_ACTION};
  const double warn = MayWarn() ? (offence ? 0.15 : p_.on_licence ? 0.30 : 0.40) : 0.0;
  const double severe_weight = offence ? 0.60 : p_.on_licence ? 0.45 : 0.35;
  const Position police = options[rng_.Pick({severe_weight, warn, 0.15, 0.10})];
  Position probation = police;
  if (rng_.Chance(rates::kPositionsDiffer)) {
    auto w = [&](size_t i, double weight) { return options[i] == police ? 0.0 : weight; };
    probation = options[rng_.Pick({w(0, severe_weight), w(1, warn), w(2, 0.15), w(3, 0.10)})];
  }
  static constexpr const char* kAlternatives[] = {"structured activity",
                                                  "increased contact for four weeks",
                                                  "referral to the substance misuse service"};
  const std::string police_alt =
      police == v1::ENFORCEMENT_POSITION_ALTERNATIVE ? kAlternatives[rng_.Between(0, 2)] : "";
  const std::string probation_alt = probation == police ? police_alt
                                    : probation == v1::ENFORCEMENT_POSITION_ALTERNATIVE
                                        ? kAlternatives[rng_.Between(0, 2)]
                                        : "";
  absl::Time t_police = WorkingTime(AddWorkingDays(day, rng_.Between(1, 4)));
  absl::Time t_probation = WorkingTime(AddWorkingDays(day, rng_.Between(1, 4)));
  // Some wait on a manager's leave or a busy week.
  if (rng_.Chance(0.10)) {
    absl::Time& later = t_police > t_probation ? t_police : t_probation;
    later = WorkingTime(AddWorkingDays(LondonDay(later), rng_.Between(5, 8)));
  }
  if (t_police == t_probation) t_probation += absl::Minutes(1);
  auto position = [&](Position p, const std::string& alt) {
    v1::Event e;
    e.mutable_position_recorded()->set_consideration_id(id);
    e.mutable_position_recorded()->set_position(p);
    e.mutable_position_recorded()->set_rationale(Rationale(p));
    e.mutable_position_recorded()->set_alternative(alt);
    return e;
  };
  Emit(t_police, sergeant, {position(police, police_alt)});
  Emit(t_probation, spo, {position(probation, probation_alt)});
  const bool police_second = t_police > t_probation;
  const absl::Time second = std::max(t_police, t_probation);

  Position decision = police;
  std::string alternative = police_alt;
  absl::Time decided;
  v1::Event decided_event;
  v1::JointDecisionRecorded* d = decided_event.mutable_joint_decision_recorded();
  d->set_consideration_id(id);
  if (probation == police) {
    decided = WorkingTime(AddWorkingDays(LondonDay(second), rng_.Between(0, 2)));
    if (decided <= second) decided = second + absl::Minutes(rng_.Between(20, 120));
    d->set_rationale(absl::StrCat("agreed: ", Rationale(decision)));
    d->set_decision(decision);
    d->set_alternative(alternative);
    Emit(decided, rng_.Chance(0.5) ? sergeant : spo, {decided_event});
  } else {
    const absl::Time escalated = second + absl::Minutes(rng_.Between(30, 240));
    v1::Event e;
    const bool to_inspector = police_second;
    e.mutable_decision_escalated()->set_consideration_id(id);
    e.mutable_decision_escalated()->set_escalated_to_role(to_inspector ? "inspector"
                                                                       : "head_of_pdu");
    e.mutable_decision_escalated()->set_reason(
        absl::StrCat("positions differ: police ", Word(police), ", probation ", Word(probation)));
    Emit(escalated, police_second ? sergeant : spo, {e});
    decided = WorkingTime(AddWorkingDays(LondonDay(escalated), rng_.Between(1, 5)));
    if (rng_.Chance(0.5)) {
      decision = probation;
      alternative = probation_alt;
    }
    d->set_decision(decision);
    d->set_alternative(alternative);
    d->set_by_escalation(true);
    d->set_rationale(absl::StrCat("on escalation: ", Rationale(decision)));
    Emit(decided, to_inspector ? P::Inspector(team_) : P::HeadOfPdu(team_), {decided_event});
  }
  consideration_until_ = decided;
  if (decision == v1::ENFORCEMENT_POSITION_WARN) warnings_.push_back(decided);
  AfterDecision(decided, decision);
}

void PersonTimeline::AfterDecision(absl::Time at, Position decision) {
  if (decision == v1::ENFORCEMENT_POSITION_WARN) {
    v1::Event e;
    const absl::Time t = at + absl::Minutes(rng_.Between(30, 180));
    e.mutable_warning_issued()->set_order_ref(p_.order_ref);
    e.mutable_warning_issued()->set_reason("joint decision: warn");
    *e.mutable_warning_issued()->mutable_liable_until() = ToTimestamp(LiableUntil(t));
    Emit(t, P::ProbationOfficer(team_, p_.practitioner), {e});
    return;
  }
  if (decision != v1::ENFORCEMENT_POSITION_RECALL) return;
  const std::string id = NextId("RCL");
  const absl::Time requested = at + absl::Minutes(rng_.Between(60, 240));
  v1::Event request;
  request.mutable_recall_requested()->set_recall_id(id);
  request.mutable_recall_requested()->set_reason("joint decision: recall");
  Emit(requested, P::SeniorProbationOfficer(team_), {request});
  const absl::Time decided = WorkingTime(AddWorkingDays(LondonDay(requested), rng_.Between(1, 2)));
  const bool approved = rng_.Chance(0.9);
  v1::Event recall;
  recall.mutable_recall_decided()->set_recall_id(id);
  recall.mutable_recall_decided()->set_approved(approved);
  recall.mutable_recall_decided()->set_rationale(
      approved ? "recall approved" : "not approved: manage in the community");
  Emit(decided, P::HeadOfPdu(team_), {recall});
  const absl::Time arrest = decided + absl::Hours(rng_.Between(4, 120));
  if (approved && !CustodyAfter(decided)) Arrest(arrest, "recall", /*recall=*/true);
}

void PersonTimeline::MaybeArrest(absl::CivilDay monday) {
  double p = rates::kArrestPerWeek * (p_.young() ? 1.4 : 1.0) * (p_.on_licence ? 1.1 : 1.0);
  if (!rng_.Chance(p)) return;
  const absl::Time t =
      AtLondon(monday + rng_.Between(0, 6), 0) + absl::Minutes(rng_.Between(0, 24 * 60 - 1));
  if (!OnIom(t) || CustodyAfter(t)) return;
  Arrest(t, "new offence", /*recall=*/false);
}

void PersonTimeline::Arrest(absl::Time at, const std::string& why, bool recall) {
  static constexpr const char* kStations[][3] = {
      {"Carmarthen", "Aberystwyth", "Llandrindod Wells"},
      {"Newport Central", "Ystrad Mynach", "Cwmbran"},
      {"Wrexham", "St Asaph", "Caernarfon"},
      {"Cardiff Bay", "Swansea Central", "Merthyr Tydfil"}};
  const size_t area = team_.area_code == "DP"   ? 0
                      : team_.area_code == "GW" ? 1
                      : team_.area_code == "NW" ? 2
                                                : 3;
  const Sender officer = P::PoliceOfficer(team_, rng_.Next());
  v1::Event arrested;
  arrested.mutable_arrest_recorded()->set_custody_ref(NextId("CUS"));
  arrested.mutable_arrest_recorded()->set_station(kStations[area][rng_.Between(0, 2)]);
  Emit(at, officer, {arrested});
  if (recall) {
    Custody(at + absl::Hours(rng_.Between(12, 30)), "recalled on licence",
            rng_.Chance(0.5) ? absl::Hours(24 * 28) : absl::InfiniteDuration());
    return;
  }
  const bool charged = rng_.Chance(rates::kChargedAfterArrest);
  absl::Time last = at;
  if (charged) {
    static constexpr const char* kCategories[] = {"burglary",      "theft", "robbery",
                                                  "vehicle crime", "drugs", "violence"};
    v1::Event charge;
    charge.mutable_charge_recorded()->set_charge_ref(NextId("CHG"));
    charge.mutable_charge_recorded()->set_offence_category(kCategories[rng_.Between(0, 5)]);
    last = at + absl::Hours(rng_.Between(6, 20));
    Emit(last, officer, {charge});
    if (rng_.Chance(rates::kRemandedAfterCharge)) {
      Custody(last + absl::Hours(rng_.Between(16, 30)), "remanded by the court",
              absl::Hours(24 * rng_.Between(14, 70)));
    }
  }
  if (rng_.Chance(0.5)) {
    OpenConsideration(WorkingTime(AddWorkingDays(LondonDay(last), rng_.Between(1, 2))),
                      charged ? v1::BREACH_TRIGGER_NEW_OFFENCE : v1::BREACH_TRIGGER_ARREST,
                      P::PoliceOfficer(team_, p_.index),
                      charged ? "charged with a new offence" : absl::StrCat("arrested: ", why));
  }
}

void PersonTimeline::Custody(absl::Time at, const std::string& reason, absl::Duration length) {
  const Sender prison = P::PrisonOfficer(rng_.Next());
  const Sender po = P::ProbationOfficer(team_, p_.practitioner);
  v1::Event received;
  received.mutable_received_into_custody()->set_establishment(kPrisonEstablishment);
  received.mutable_received_into_custody()->set_reason(reason);
  Emit(at, prison, {received});
  v1::Event in_custody;
  in_custody.mutable_accommodation_status_changed()->set_status(v1::ACCOMMODATION_STATUS_CUSTODY);
  Emit(WorkingTime(AddWorkingDays(LondonDay(at), 1)), po, {in_custody});
  const v1::AccommodationStatus before = accommodation_;
  accommodation_ = v1::ACCOMMODATION_STATUS_CUSTODY;
  if (length == absl::InfiniteDuration()) {
    custody_.push_back({at, absl::InfiniteFuture()});
    return;
  }
  const absl::Time release = WorkingTime(NextWorkingDay(LondonDay(at + length)), 9, 12);
  custody_.push_back({at, release});
  v1::Event released;
  released.mutable_released_from_custody()->set_establishment(kPrisonEstablishment);
  if (p_.on_licence) {
    *released.mutable_released_from_custody()->mutable_licence_end() =
        ToTimestamp(release + absl::Hours(24 * 7 * rng_.Between(26, 78)));
  }
  Emit(release, prison, {released});
  accommodation_ = before == v1::ACCOMMODATION_STATUS_SETTLED ? v1::ACCOMMODATION_STATUS_SETTLED
                                                              : v1::ACCOMMODATION_STATUS_TEMPORARY;
  v1::Event housed;
  housed.mutable_accommodation_status_changed()->set_status(accommodation_);
  Emit(release + absl::Hours(2), po, {housed});
}

}  // namespace iomhub::simulate
