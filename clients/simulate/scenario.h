// Scenario: what a simulation run generates — the people and, in the order
// they happen, the steps partners take about them, each a set of events
// sent by one partner system as one user in one role. The model
// (simulation.h) makes it; the sender (hub_sender.h) sends it; nothing in
// it depends on the hub, so the same seed and flags always give the same
// scenario, byte for byte (Digest).
//
// Plain data; thread-compatible.
#ifndef IOMHUB_CLIENTS_SIMULATE_SCENARIO_H_
#define IOMHUB_CLIENTS_SIMULATE_SCENARIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/simulate/partnership.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::simulate {

// What the model knows of a person (no name: none is needed).
struct PersonInfo {
  std::string person_id;  // the hub person id, a UUID
  size_t team = 0;        // index into Partnership::teams()
  int age = 0;            // at the start of the period
  v1::Cohort cohort = v1::COHORT_UNSPECIFIED;
  v1::Strand strand = v1::STRAND_UNSPECIFIED;
  bool existing = false;  // already on IOM when the period starts
};

struct Step {
  absl::Time at;        // every event's occurred_at
  uint32_t person = 0;  // index into Scenario::people
  Sender sender;
  // One append of these events (ids, stream and times set), or, for a step
  // of a joint breach decision, exactly one event that the sender turns
  // into the DecisionService command (its event_id is the command id).
  std::vector<v1::Event> events;
};

// Whether `step` goes through DecisionService (a single decision-step event:
// opened, position, escalated, decided, withdrawn) rather than Append.
bool IsDecisionStep(const Step& step);

struct Scenario {
  absl::Time start;  // Monday 00:00 London of the first week
  absl::Time end;    // start + weeks
  // Names the run in every derived id: seed, weeks, people, start, teams.
  std::string run_key;
  std::vector<PersonInfo> people;
  // In time order; ties by person, then in the order made. Steps before
  // `start` set up the people already on IOM.
  std::vector<Step> steps;
};

// "person-<uuid>".
std::string StreamOf(const PersonInfo& person);

// SHA-256 (hex) over every step in order: who sends it, when, and each
// event's deterministic serialization.
std::string Digest(const Scenario& scenario);

// The payload type's message name, e.g. "ContactScheduled".
std::string EventTypeName(const v1::Event& event);

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_SCENARIO_H_
