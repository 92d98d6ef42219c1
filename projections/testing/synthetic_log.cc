#include "projections/testing/synthetic_log.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace iomhub::projections::testing {
namespace {

std::string Uuid(uint64_t hi, uint64_t lo) {
  return absl::StrFormat("%08x-%04x-4%03x-8%03x-%012x", (hi >> 32) & 0xffffffff, (hi >> 16) & 0xffff,
                         hi & 0xfff, (lo >> 48) & 0xfff, lo & 0xffffffffffffULL);
}

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

struct Person {
  std::string stream;
  int step = 0;
  int contacts = 0;
  int referrals = 0;
  int considerations = 0;
  int warnings = 0;
  std::string team;
  uint64_t cohort_roll = 0;  // which cohort the person is selected into
  absl::Time next_free_slot = absl::InfinitePast();  // appointments never overlap
};

}  // namespace

std::vector<std::string> SyntheticTeams() {
  return {"gwent-newport", "gwent-caerphilly", "south-wales-cardiff", "south-wales-swansea",
          "north-wales-wrexham", "dyfed-powys-carmarthenshire"};
}

std::vector<SyntheticAppend> SyntheticLog(int people, int events, uint32_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> teams = SyntheticTeams();
  std::vector<Person> persons(people);
  for (int i = 0; i < people; ++i) {
    persons[i].stream = absl::StrCat("person-", Uuid(seed, static_cast<uint64_t>(i) + 1));
    persons[i].team = teams[i % teams.size()];
    persons[i].cohort_roll = rng() % 100;
  }
  std::vector<SyntheticAppend> out;
  out.reserve(events);
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 9, 1, 8, 0, 0), absl::UTCTimeZone());
  uint64_t event_number = 0;
  while (static_cast<int>(out.size()) < events) {
    Person& p = persons[rng() % persons.size()];
    now += absl::Seconds(static_cast<int64_t>(rng() % 600));
    SyntheticAppend a;
    a.stream = p.stream;
    v1::Event& e = a.event;
    e.set_event_id(Uuid(seed ^ 0x5eed, ++event_number));
    *e.mutable_occurred_at() = At(now);
    v1::Producer* producer = e.mutable_producer();
    producer->set_agency(v1::AGENCY_KIND_PROBATION);
    producer->set_system("wales-probation-ndelius");
    producer->set_role("probation_officer");
    producer->set_user_id(absl::StrCat("po-", rng() % 40));
    const int step = p.step++;
    const uint64_t roll = rng() % 100;
    // Follows the hub's command rules (DOMAIN.md 3, 4, 5, 10): Y2A cases in
    // Flex, WISDOM cases in Free with a high risk of harm recorded first,
    // one warning per order, appointments that never overlap.
    const uint64_t cohort = p.cohort_roll;
    if (step == 0) {
      e.mutable_nominal_referred()->set_team_id(p.team);
      e.mutable_nominal_referred()->set_referral_reason("neighbourhood crime");
    } else if (step == 1) {
      e.mutable_risk_level_changed()->set_risk_of_harm(cohort < 85 ? v1::RISK_LEVEL_MEDIUM
                                                                   : v1::RISK_LEVEL_HIGH);
      e.mutable_risk_level_changed()->set_assessment_ref(absl::StrCat("oasys-", event_number));
    } else if (step == 2) {
      auto* s = e.mutable_cohort_selected();
      s->set_cohort(cohort < 60 ? v1::COHORT_FIXED : cohort < 85 ? v1::COHORT_FLEX : v1::COHORT_FREE);
      s->set_strand(cohort < 60 ? v1::STRAND_NEIGHBOURHOOD_CRIME
                                : cohort < 85 ? v1::STRAND_Y2A : v1::STRAND_WISDOM);
      s->set_team_id(p.team);
    } else if (step == 3) {
      auto* plan = e.mutable_contact_plan_set();
      plan->set_min_contacts_per_week(3);
      plan->add_countable_modes(v1::CONTACT_MODE_OFFICE);
      plan->add_countable_modes(v1::CONTACT_MODE_HOME_VISIT);
      plan->set_rationale("Fixed default");
      *plan->mutable_next_review_due() = At(now + absl::Hours(24 * 84));
    } else if (step == 4) {
      producer->set_agency(v1::AGENCY_KIND_POLICE);
      producer->set_system("gwent-police-niche");
      producer->set_role("police_officer");
      auto* id = e.mutable_identifier_linked();
      id->set_kind(v1::IDENTIFIER_KIND_PNC);
      id->set_value(absl::StrFormat("%02d/%06dX", static_cast<int>(seed % 100), event_number));
    } else if (roll < 40) {
      auto* c = e.mutable_contact_scheduled();
      c->set_contact_id(absl::StrCat("c-", ++p.contacts));
      c->set_mode(roll < 20 ? v1::CONTACT_MODE_OFFICE : v1::CONTACT_MODE_HOME_VISIT);
      const absl::Time slot = std::max(now + absl::Hours(24), p.next_free_slot) +
                              absl::Hours(static_cast<int64_t>(rng() % 72));
      *c->mutable_scheduled_for() = At(slot);
      p.next_free_slot = slot + absl::Minutes(45);
      c->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
      c->set_duration_minutes(45);
    } else if (roll < 70 && p.contacts > 0) {
      auto* o = e.mutable_contact_outcome_recorded();
      o->set_contact_id(absl::StrCat("c-", 1 + rng() % p.contacts));
      o->set_outcome(roll < 60 ? v1::CONTACT_OUTCOME_ATTENDED_COMPLIED
                               : v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE);
    } else if (roll < 76) {
      auto* r = e.mutable_referral_sent();
      r->set_referral_id(absl::StrCat("ref-", ++p.referrals));
      r->set_service(static_cast<v1::ServiceKind>(1 + rng() % 4));
      r->set_provider("provider");
      r->set_priority_access_requested(true);
      *r->mutable_respond_by() = At(now + absl::Hours(24 * 7));
    } else if (roll < 80 && p.referrals > 0) {
      auto* r = e.mutable_referral_outcome_recorded();
      r->set_referral_id(absl::StrCat("ref-", 1 + rng() % p.referrals));
      r->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
    } else if (roll < 83) {
      e.mutable_accommodation_status_changed()->set_status(
          static_cast<v1::AccommodationStatus>(1 + rng() % 5));
    } else if (roll < 85) {
      e.mutable_employment_status_changed()->set_status(
          static_cast<v1::EmploymentStatus>(1 + rng() % 5));
    } else if (roll < 87) {
      auto* w = e.mutable_warning_issued();
      w->set_order_ref(absl::StrCat("co-", ++p.warnings));
      w->set_reason("missed appointment");
      *w->mutable_liable_until() = At(now + absl::Hours(24 * 365));
    } else if (roll < 89) {
      auto* b = e.mutable_breach_consideration_opened();
      b->set_consideration_id(absl::StrCat("bc-", ++p.considerations));
      b->set_trigger(v1::BREACH_TRIGGER_MISSED_CONTACTS);
    } else if (roll < 92 && p.considerations > 0) {
      producer->set_role(roll < 90 ? "senior_probation_officer" : "sergeant");
      if (roll >= 90) producer->set_agency(v1::AGENCY_KIND_POLICE);
      auto* pos = e.mutable_position_recorded();
      pos->set_consideration_id(absl::StrCat("bc-", p.considerations));
      pos->set_position(v1::ENFORCEMENT_POSITION_WARN);
      pos->set_rationale("first failure");
    } else if (roll < 94) {
      producer->set_agency(v1::AGENCY_KIND_POLICE);
      producer->set_system("gwent-police-niche");
      e.mutable_arrest_recorded()->set_custody_ref(absl::StrCat("cust-", event_number));
    } else if (roll < 96) {
      producer->set_agency(v1::AGENCY_KIND_HEALTH);
      auto* consent = e.mutable_consent_recorded();
      consent->set_consent_id(absl::StrCat("consent-", p.stream.substr(7, 8)));
      consent->set_agency(v1::AGENCY_KIND_HEALTH);
      consent->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
    } else if (roll < 97) {
      auto* t = e.mutable_team_changed();
      t->set_from_team_id(p.team);
      p.team = teams[rng() % teams.size()];
      t->set_to_team_id(p.team);
    } else {
      e.mutable_alert_raised()->set_rule("CONTACTS_BELOW_PLAN");
      e.mutable_alert_raised()->set_window(absl::StrCat("w", step));
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace iomhub::projections::testing
