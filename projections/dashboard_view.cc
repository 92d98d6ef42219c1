#include "projections/dashboard_view.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/timestamps.h"
#include "projections/calendar.h"
#include "projections/case_view_projection.h"
#include "projections/person_state.h"

namespace iomhub::projections {
namespace {

constexpr absl::string_view kSep("\0", 1);
// A contact's outcome is attributed to its week while the person has events
// no more than this long after it.
constexpr absl::Duration kContactMemory = absl::Hours(24 * 7 * 26);
// "Answered in time" when a referral names no respond-by: 5 working days.
constexpr absl::Duration kDefaultAnswerTime = absl::Hours(24 * 7);

std::string PersonKey(absl::string_view person) { return absl::StrCat("p", kSep, person); }
std::string MemberKey(absl::string_view team, absl::string_view person) {
  return absl::StrCat("t", kSep, team, kSep, person);
}
std::string WeekKey(absl::string_view team, absl::string_view week) {
  return absl::StrCat("w", kSep, team, kSep, week);
}

// What a person adds to their team's running state counts.
struct Contribution {
  std::string team;
  bool on_iom = false;
  bool fixed = false;
  uint32_t plan = 0;
  int accommodation = 0;
  int employment = 0;
  friend bool operator==(const Contribution&, const Contribution&) = default;
};

Contribution Of(const v1::DashboardPerson& p) {
  Contribution c;
  c.team = p.team_id();
  c.on_iom = p.on_iom();
  // Contacts are planned for people in the community: custody weeks are
  // no Fixed person-weeks.
  c.fixed = p.on_iom() && p.cohort() == v1::COHORT_FIXED && !p.in_custody();
  // Without a plan a Fixed person's minimum is 3 (as in the case view).
  c.plan = !c.fixed ? 0 : p.min_contacts_per_week() == 0 ? 3 : p.min_contacts_per_week();
  c.accommodation = p.accommodation();
  c.employment = p.employment();
  return c;
}

void Add(v1::DashboardTally& t, const Contribution& c, int sign) {
  if (!c.on_iom) return;
  t.set_on_iom_delta(t.on_iom_delta() + sign);
  if (c.fixed) {
    t.set_fixed_delta(t.fixed_delta() + sign);
    t.set_fixed_plan_delta(t.fixed_plan_delta() + sign * static_cast<int>(c.plan));
  }
  (*t.mutable_accommodation_delta())[c.accommodation] += sign;
  (*t.mutable_employment_delta())[c.employment] += sign;
}

bool Attended(v1::ContactOutcome o) {
  return o == v1::CONTACT_OUTCOME_ATTENDED_COMPLIED ||
         o == v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY;
}
bool Missed(v1::ContactOutcome o) {
  return o == v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE || o == v1::CONTACT_OUTCOME_FAILED_TO_ATTEND;
}
bool Counted(v1::ContactOutcome o) {
  return o != v1::CONTACT_OUTCOME_UNSPECIFIED && o != v1::CONTACT_OUTCOME_RESCHEDULED;
}

// Counts (sign +1) or uncounts (−1) a contact in its week's tally. A
// contact rescheduled away was not offered (as in the case view).
void CountContact(v1::DashboardTally& t, const v1::DashboardPerson::Contact& c, int sign) {
  if (c.outcome() == v1::CONTACT_OUTCOME_RESCHEDULED) return;
  auto bump = [sign](uint32_t v) { return static_cast<uint32_t>(static_cast<int>(v) + sign); };
  t.set_contacts_offered(bump(t.contacts_offered()));
  if (c.fixed_plan()) t.set_fixed_offered(bump(t.fixed_offered()));
  if (Counted(c.outcome())) t.set_outcomes_recorded(bump(t.outcomes_recorded()));
  if (Attended(c.outcome())) {
    t.set_contacts_kept(bump(t.contacts_kept()));
    if (c.fixed_plan()) t.set_fixed_kept(bump(t.fixed_kept()));
  }
  if (Missed(c.outcome())) t.set_contacts_missed(bump(t.contacts_missed()));
}

void AddNeed(v1::DashboardPerson& p, v1::ServiceKind service) {
  if (service == v1::SERVICE_KIND_UNSPECIFIED) return;
  for (int s : p.needs()) {
    if (s == service) return;
  }
  p.add_needs(service);
  std::sort(p.mutable_needs()->begin(), p.mutable_needs()->end());
}

bool PlanCounts(const v1::DashboardPerson& p, v1::ContactMode mode) {
  if (!p.on_iom() || p.cohort() != v1::COHORT_FIXED) return false;
  if (p.countable_modes().empty()) return true;
  return std::find(p.countable_modes().begin(), p.countable_modes().end(), mode) !=
         p.countable_modes().end();
}

absl::StatusOr<std::string> WeekLabelOf(const google::protobuf::Timestamp& ts) {
  absl::StatusOr<IsoWeek> week = WeekOf(ToTime(ts));
  if (!week.ok()) return week.status();
  return WeekLabel(*week);
}

class Folder {
 public:
  Folder(ViewTxn& txn, const v1::Event& event, v1::DashboardPerson& person, std::string week)
      : txn_(txn), event_(event), person_(person), week_(std::move(week)) {}

  absl::StatusOr<v1::DashboardTally*> Tally(const std::string& team, const std::string& week) {
    return txn_.Mutable<v1::DashboardTally>(WeekKey(team, week));
  }
  // The tally of this event's week for the person's team; nullptr without a team.
  absl::StatusOr<v1::DashboardTally*> Here() {
    if (person_.team_id().empty()) return nullptr;
    return Tally(person_.team_id(), week_);
  }

  absl::Status Contact(const v1::ContactScheduled& s) {
    absl::StatusOr<std::string> week = WeekLabelOf(s.scheduled_for());
    if (!week.ok()) return week.status();
    v1::DashboardPerson::Contact& c = (*person_.mutable_contacts())[s.contact_id()];
    if (absl::Status un = Recount(c, -1); !un.ok()) return un;  // rescheduled: move it
    c.set_week(*week);
    c.set_fixed_plan(PlanCounts(person_, s.mode()));
    c.set_team(person_.team_id());
    if (absl::Status re = Recount(c, +1); !re.ok()) return re;
    Forget(ToTime(s.scheduled_for()) - kContactMemory);
    return absl::OkStatus();
  }

  absl::Status Outcome(const v1::ContactOutcomeRecorded& o) {
    auto it = person_.mutable_contacts()->find(o.contact_id());
    if (it == person_.mutable_contacts()->end()) return absl::OkStatus();  // forgotten or unknown
    v1::DashboardPerson::Contact& c = it->second;
    if (absl::Status un = Recount(c, -1); !un.ok()) return un;
    c.set_outcome(o.outcome());
    return Recount(c, +1);
  }

  absl::Status Referral(const v1::ReferralSent& r) {
    AddNeed(person_, r.service());
    v1::DashboardPerson::Referral& ref = (*person_.mutable_referrals())[r.referral_id()];
    if (ref.has_sent_at()) return absl::OkStatus();  // sent again: the first sending counts
    ref.set_service(r.service());
    *ref.mutable_sent_at() = event_.occurred_at();
    if (r.has_respond_by()) *ref.mutable_respond_by() = r.respond_by();
    absl::StatusOr<v1::DashboardTally*> t = Here();
    if (!t.ok() || *t == nullptr) return t.status();
    auto& s = (*(*t)->mutable_referrals())[r.service()];
    s.set_sent(s.sent() + 1);
    return absl::OkStatus();
  }

  absl::Status Answer(const v1::ReferralOutcomeRecorded& o) {
    auto it = person_.mutable_referrals()->find(o.referral_id());
    if (it == person_.mutable_referrals()->end()) return absl::OkStatus();
    const v1::DashboardPerson::Referral ref = it->second;
    person_.mutable_referrals()->erase(it);  // only the first answer counts
    absl::StatusOr<v1::DashboardTally*> t = Here();
    if (!t.ok() || *t == nullptr) return t.status();
    const absl::Time sent = ToTime(ref.sent_at());
    const absl::Time answered = ToTime(event_.occurred_at());
    const absl::Time due =
        ref.has_respond_by() ? ToTime(ref.respond_by()) : sent + kDefaultAnswerTime;
    auto& s = (*(*t)->mutable_referrals())[ref.service()];
    s.set_answered(s.answered() + 1);
    s.set_answer_days_total(s.answer_days_total() +
                            std::max<int64_t>(0, absl::ToInt64Hours(answered - sent) / 24));
    if (answered <= due) s.set_answered_in_time(s.answered_in_time() + 1);
    return absl::OkStatus();
  }

  absl::Status Count(uint32_t (v1::DashboardTally::*get)() const,
                     void (v1::DashboardTally::*set)(uint32_t)) {
    absl::StatusOr<v1::DashboardTally*> t = Here();
    if (!t.ok() || *t == nullptr) return t.status();
    ((**t).*set)(((**t).*get)() + 1);
    return absl::OkStatus();
  }

  // Moves the person's contribution from `before` to what it is now.
  absl::Status Settle(const Contribution& before) {
    const Contribution after = Of(person_);
    if (after == before) return absl::OkStatus();
    const std::string person = PersonIdOf(event_.stream());
    if (before.team != after.team) {
      if (!before.team.empty()) txn_.Delete(MemberKey(before.team, person));
      if (!after.team.empty()) txn_.Put(MemberKey(after.team, person), "");
    }
    for (const auto& [c, sign] : {std::pair{before, -1}, std::pair{after, +1}}) {
      if (c.team.empty() || !c.on_iom) continue;
      absl::StatusOr<v1::DashboardTally*> t = Tally(c.team, week_);
      if (!t.ok()) return t.status();
      Add(**t, c, sign);
    }
    return absl::OkStatus();
  }

 private:
  // Counts (+1) or uncounts (−1) a contact in the week of the team it counts for.
  absl::Status Recount(const v1::DashboardPerson::Contact& c, int sign) {
    if (c.team().empty() || c.week().empty()) return absl::OkStatus();
    absl::StatusOr<v1::DashboardTally*> t = Tally(c.team(), c.week());
    if (!t.ok()) return t.status();
    CountContact(**t, c, sign);
    return absl::OkStatus();
  }

  // Drops contacts scheduled before `cutoff`: their weeks are long closed.
  void Forget(absl::Time cutoff) {
    absl::StatusOr<IsoWeek> week = WeekOf(cutoff);
    if (!week.ok()) return;
    const std::string label = WeekLabel(*week);
    auto& contacts = *person_.mutable_contacts();
    for (auto it = contacts.begin(); it != contacts.end();) {
      if (it->second.week() < label) {
        it = contacts.erase(it);
      } else {
        ++it;
      }
    }
  }

  ViewTxn& txn_;
  const v1::Event& event_;
  v1::DashboardPerson& person_;
  const std::string week_;
};

}  // namespace

bool DashboardViewProjection::Wants(const eventstore::EventPeek& event) const {
  if (!IsPersonStream(event.stream)) return false;
  switch (event.payload_field) {
    case v1::Event::kNominalReferredFieldNumber:
    case v1::Event::kCohortSelectedFieldNumber:
    case v1::Event::kCohortChangedFieldNumber:
    case v1::Event::kNominalDeselectedFieldNumber:
    case v1::Event::kTeamChangedFieldNumber:
    case v1::Event::kContactPlanSetFieldNumber:
    case v1::Event::kContactScheduledFieldNumber:
    case v1::Event::kContactOutcomeRecordedFieldNumber:
    case v1::Event::kWarningIssuedFieldNumber:
    case v1::Event::kBreachConsiderationOpenedFieldNumber:
    case v1::Event::kArrestRecordedFieldNumber:
    case v1::Event::kChargeRecordedFieldNumber:
    case v1::Event::kReferralSentFieldNumber:
    case v1::Event::kReferralOutcomeRecordedFieldNumber:
    case v1::Event::kAccommodationStatusChangedFieldNumber:
    case v1::Event::kEmploymentStatusChangedFieldNumber:
    case v1::Event::kTreatmentEngagementChangedFieldNumber:
    case v1::Event::kReceivedIntoCustodyFieldNumber:
    case v1::Event::kReleasedFromCustodyFieldNumber:
      return true;
    default:
      return false;
  }
}

absl::Status DashboardViewProjection::Apply(const v1::Event& event, ViewTxn& txn) const {
  absl::StatusOr<std::string> week = WeekLabelOf(event.occurred_at());
  if (!week.ok()) return week.status();
  absl::StatusOr<v1::DashboardPerson*> stored =
      txn.Mutable<v1::DashboardPerson>(PersonKey(PersonIdIn(event.stream())));
  if (!stored.ok()) return stored.status();
  v1::DashboardPerson& p = **stored;
  Folder fold(txn, event, p, *week);
  const Contribution before = Of(p);
  if (std::optional<std::string> team = TeamAssignedBy(event); team.has_value()) {
    p.set_team_id(*team);
  }
  switch (event.payload_case()) {
    case v1::Event::kNominalReferred:
      if (event.nominal_referred().has_date_of_birth()) {
        *p.mutable_date_of_birth() = event.nominal_referred().date_of_birth();
      }
      break;
    case v1::Event::kCohortSelected: {
      const v1::CohortSelected& s = event.cohort_selected();
      p.set_on_iom(true);
      p.set_cohort(s.cohort());
      p.set_strand(s.strand());
      if (!s.lead_practitioner().empty()) p.set_lead_practitioner(s.lead_practitioner());
      break;
    }
    case v1::Event::kCohortChanged:
      p.set_cohort(event.cohort_changed().to_cohort());
      if (event.cohort_changed().strand() != v1::STRAND_UNSPECIFIED) {
        p.set_strand(event.cohort_changed().strand());
      }
      break;
    case v1::Event::kNominalDeselected:
      p.set_on_iom(false);
      break;
    case v1::Event::kContactPlanSet:
      p.set_min_contacts_per_week(event.contact_plan_set().min_contacts_per_week());
      *p.mutable_countable_modes() = event.contact_plan_set().countable_modes();
      break;
    case v1::Event::kContactScheduled:
      if (absl::Status s = fold.Contact(event.contact_scheduled()); !s.ok()) return s;
      break;
    case v1::Event::kContactOutcomeRecorded:
      if (absl::Status s = fold.Outcome(event.contact_outcome_recorded()); !s.ok()) return s;
      break;
    case v1::Event::kWarningIssued:
      if (absl::Status s =
              fold.Count(&v1::DashboardTally::warnings, &v1::DashboardTally::set_warnings);
          !s.ok()) {
        return s;
      }
      break;
    case v1::Event::kBreachConsiderationOpened:
      if (absl::Status s = fold.Count(&v1::DashboardTally::breach_considerations,
                                      &v1::DashboardTally::set_breach_considerations);
          !s.ok()) {
        return s;
      }
      break;
    case v1::Event::kArrestRecorded:
      if (absl::Status s =
              fold.Count(&v1::DashboardTally::arrests, &v1::DashboardTally::set_arrests);
          !s.ok()) {
        return s;
      }
      break;
    case v1::Event::kChargeRecorded:
      if (absl::Status s =
              fold.Count(&v1::DashboardTally::charges, &v1::DashboardTally::set_charges);
          !s.ok()) {
        return s;
      }
      break;
    case v1::Event::kReferralSent:
      if (absl::Status s = fold.Referral(event.referral_sent()); !s.ok()) return s;
      break;
    case v1::Event::kReferralOutcomeRecorded:
      if (absl::Status s = fold.Answer(event.referral_outcome_recorded()); !s.ok()) return s;
      break;
    case v1::Event::kAccommodationStatusChanged:
      p.set_accommodation(event.accommodation_status_changed().status());
      if (p.accommodation() != v1::ACCOMMODATION_STATUS_SETTLED) {
        AddNeed(p, v1::SERVICE_KIND_HOUSING);
      }
      break;
    case v1::Event::kEmploymentStatusChanged:
      p.set_employment(event.employment_status_changed().status());
      if (p.employment() == v1::EMPLOYMENT_STATUS_UNEMPLOYED) {
        AddNeed(p, v1::SERVICE_KIND_EMPLOYMENT_TRAINING);
      }
      break;
    case v1::Event::kTreatmentEngagementChanged:
      AddNeed(p, event.treatment_engagement_changed().service());
      break;
    case v1::Event::kReceivedIntoCustody:
      p.set_in_custody(true);
      break;
    case v1::Event::kReleasedFromCustody:
      p.set_in_custody(false);
      break;
    default:
      break;
  }
  return fold.Settle(before);
}

absl::StatusOr<TeamDashboardData> ReadTeamDashboard(eventstore::ViewStore& views,
                                                    const std::string& view,
                                                    const std::string& team_id) {
  TeamDashboardData data;
  std::vector<std::string> members;
  const std::string member_prefix = MemberKey(team_id, "");
  absl::Status scanned =
      views.Scan(view, member_prefix, [&](absl::string_view key, absl::string_view) {
        members.emplace_back(key.substr(member_prefix.size()));
        return true;
      });
  if (!scanned.ok()) return scanned;
  for (const std::string& person : members) {
    absl::StatusOr<std::optional<std::string>> stored = views.Get(view, PersonKey(person));
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    v1::DashboardPerson& p = data.people.emplace_back();
    if (!p.ParseFromString(**stored)) {
      return absl::DataLossError(
          absl::StrCat("the dashboard record of ", person, " does not parse"));
    }
  }
  const std::string week_prefix = WeekKey(team_id, "");
  absl::Status weeks =
      views.Scan(view, week_prefix, [&](absl::string_view key, absl::string_view value) {
        v1::DashboardTally& t = data.weeks[std::string(key.substr(week_prefix.size()))];
        if (!t.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          scanned = absl::DataLossError(
              absl::StrCat("the dashboard tally ", key.substr(2), " does not parse"));
          return false;
        }
        return true;
      });
  if (!weeks.ok()) return weeks;
  if (!scanned.ok()) return scanned;
  return data;
}

}  // namespace iomhub::projections
