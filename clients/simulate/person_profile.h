// PersonProfile: who one simulated person is when the model starts on them —
// age, cohort and strand, risk, order, needs, how reliably they keep
// appointments, and their agency identifiers. Drawn from the person's own
// random stream (model_rates.h gives the weights). No name, no address, no
// real identifier: identifiers are random values in the agencies' formats,
// unique within a run.
//
// Pure; thread-compatible.
#ifndef IOMHUB_CLIENTS_SIMULATE_PERSON_PROFILE_H_
#define IOMHUB_CLIENTS_SIMULATE_PERSON_PROFILE_H_

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "clients/simulate/partnership.h"
#include "clients/simulate/sim_random.h"
#include "iomhub/v1/events.pb.h"

namespace iomhub::simulate {

struct PersonProfile {
  uint32_t index = 0;     // the person's number in the run
  std::string person_id;  // hub person id (UUID)
  const TeamInfo* team = nullptr;
  size_t team_index = 0;
  uint64_t practitioner = 0;  // the lead probation officer's number in the team
  int age = 0;                // at the start of the period
  absl::CivilDay date_of_birth;
  v1::Cohort cohort = v1::COHORT_UNSPECIFIED;
  v1::Strand strand = v1::STRAND_UNSPECIFIED;
  v1::RiskLevel risk = v1::RISK_LEVEL_UNSPECIFIED;
  bool on_licence = false;  // released on licence (recall possible), else a community order
  std::string order_ref;
  v1::AccommodationStatus accommodation = v1::ACCOMMODATION_STATUS_UNSPECIFIED;
  v1::EmploymentStatus employment = v1::EMPLOYMENT_STATUS_UNSPECIFIED;
  bool substance_misuse_need = false;
  bool mental_health_need = false;
  double propensity = 0;            // added to the chance of keeping an appointment
  bool existing = false;            // on IOM before the period starts
  bool team_over_capacity = false;  // the team's cohort exceeds its caseload capacity
  bool referred_by_police = false;
  bool pre_release = false;  // referred while in prison, released in the period
  absl::Time referred_at;
  std::string pnc, niche_nominal, crn, noms;

  bool young() const { return age <= 24; }
};

// Draws person `index` of team `team`. `referred_at` is when they were
// referred (before `start` for people already on IOM).
PersonProfile MakeProfile(SimRandom& rng, uint32_t index, const std::string& person_id,
                          const TeamInfo& team, size_t team_index, absl::CivilDay start,
                          bool existing, absl::Time referred_at, uint64_t identifier_offset);

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_PERSON_PROFILE_H_
