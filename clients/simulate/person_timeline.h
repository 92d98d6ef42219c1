// PersonTimeline: the model of one person's time on IOM — everything the
// partners do about them, week by week over the period, as Steps (who sends
// which events, when). The person's state (custody, warnings, open breach
// considerations, appointments, services) is kept as the steps are made, so
// that every step is one the hub accepts: the producer table (each agency
// sends only what it may), the rules that refuse (Y2A stays in Flex, WISDOM
// is Free with a high risk recorded first, no second warning within 12
// months, no overlapping appointments: at most one per day), consent
// recorded before a health or employment referral, and the joint decision
// workflow (positions by the Sergeant and the SPO, escalation when they
// differ, the escalated manager decides).
//
// The parts live in person_timeline.cc (onboarding, the weekly loop,
// reviews, status changes), timeline_contacts.cc, timeline_services.cc and
// timeline_enforcement.cc. model_rates.h holds the rates.
//
// Thread-compatible; one object per person.
#ifndef IOMHUB_CLIENTS_SIMULATE_PERSON_TIMELINE_H_
#define IOMHUB_CLIENTS_SIMULATE_PERSON_TIMELINE_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "clients/simulate/person_profile.h"
#include "clients/simulate/scenario.h"
#include "clients/simulate/sim_random.h"

namespace iomhub::simulate {

class PersonTimeline {
 public:
  // `start` is the Monday the period starts; it lasts `weeks` weeks.
  PersonTimeline(PersonProfile profile, absl::CivilDay start, int weeks, SimRandom rng);

  // The person's steps, in time order (ties in the order made), without
  // event ids: those are the caller's to derive. Steps at or after the end
  // of the period are left out.
  std::vector<Step> Build();

 private:
  // A service the person was referred to.
  struct Service {
    v1::ServiceKind kind = v1::SERVICE_KIND_UNSPECIFIED;
    absl::Time active_from = absl::InfiniteFuture();  // started
    absl::Time active_until = absl::InfiniteFuture();
    std::string consent_id;
  };

  // --- person_timeline.cc
  void Emit(absl::Time at, const Sender& sender, std::vector<v1::Event> events);
  void Onboard();
  void Week(int w);
  void MaybeReview(absl::CivilDay monday);
  void MaybeChangeCohortOrDeselect(absl::CivilDay monday);
  void Deselect(absl::Time at, const std::string& reason);
  void MaybeChangeCircumstances(absl::CivilDay monday);
  void MaybeIntervention(absl::CivilDay monday);
  v1::Event PlanEvent(uint32_t level, absl::Time next_review, const std::string& rationale) const;
  // A working-hours moment on `day` (London), hours in [from, to).
  absl::Time WorkingTime(absl::CivilDay day, int from = 9, int to = 17);
  // A working day within the week of `monday`, or nullopt (all holidays).
  absl::CivilDay SomeWorkingDay(absl::CivilDay monday);
  bool OnIom(absl::Time t) const { return t >= selected_at_ && t < deselected_at_; }
  bool InCustody(absl::Time t) const;
  // Whether any custody period ends after `t` (so none may start then).
  bool CustodyAfter(absl::Time t) const;
  std::string NextId(const char* prefix);

  // --- timeline_contacts.cc
  void Contacts(absl::CivilDay monday);
  // Books a contact on `day`, led as given, and records its outcome; false
  // if the day is taken. Rescheduled contacts are re-booked once.
  bool Contact(absl::CivilDay day, v1::LeadAgency lead, v1::AgencyKind partner,
               absl::Time earliest_booking, bool may_reschedule);
  v1::ContactMode PickMode(v1::LeadAgency lead);
  Sender ContactSender(v1::LeadAgency lead, v1::AgencyKind partner);

  // --- timeline_enforcement.cc
  void AfterMissedContact(absl::Time scheduled, absl::Time recorded);
  void IssueWarning(absl::Time at, const std::string& reason);
  bool MayWarn() const { return warnings_.empty(); }
  void OpenConsideration(absl::Time at, v1::BreachTrigger trigger, const Sender& opener,
                         const std::string& summary);
  void AfterDecision(absl::Time at, v1::EnforcementPosition decision);
  void MaybeArrest(absl::CivilDay monday);
  void Arrest(absl::Time at, const std::string& why, bool recall);
  void Custody(absl::Time at, const std::string& reason, absl::Duration length);

  // --- timeline_services.cc
  void MaybeRefer(absl::CivilDay monday);
  void Refer(absl::CivilDay day, v1::ServiceKind kind);
  void ServiceOutcomes(Service& service, absl::CivilDay sent_day, const std::string& referral_id);
  Sender PartnerSender(v1::ServiceKind kind);
  void PartnerContacts(absl::CivilDay monday, int week, std::vector<absl::CivilDay>* used);

  PersonProfile p_;
  const TeamInfo& team_;
  absl::CivilDay start_;
  int weeks_;
  absl::Time start_time_;
  absl::Time end_time_;
  SimRandom rng_;
  std::vector<Step> steps_;
  uint64_t ids_ = 0;  // for contact, referral, consideration ids

  // State, as of the steps made so far (some lie ahead of the week being made).
  absl::Time selected_at_ = absl::InfiniteFuture();
  absl::Time deselected_at_ = absl::InfiniteFuture();
  uint32_t plan_level_ = 0;
  absl::Time next_review_due_ = absl::InfiniteFuture();
  v1::Cohort cohort_;
  v1::Strand strand_;
  v1::RiskLevel risk_;
  v1::AccommodationStatus accommodation_;
  v1::EmploymentStatus employment_;
  std::vector<std::pair<absl::Time, absl::Time>> custody_;  // [in, out)
  std::set<absl::CivilDay> busy_days_;                      // a contact booked that day
  std::vector<absl::Time> misses_;                          // unacceptable absences
  std::vector<absl::Time> warnings_;                        // issued or decided
  absl::Time consideration_until_ = absl::InfinitePast();   // last one closes
  std::vector<Service> services_;
  std::set<v1::ServiceKind> referred_;
  absl::Time intervention_until_ = absl::InfinitePast();
};

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_PERSON_TIMELINE_H_
