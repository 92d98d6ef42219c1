// ScenarioStats: what a scenario holds, counted and measured from its
// events the way the dashboard would (model_rates.h states the bands the
// rates fall in): events by type and by agency, people by cohort and age,
// contacts kept by age band and setting, contacts offered per Fixed
// person-week, referral answer times by service, and how often the police
// and probation positions on a breach differ. `--dry_run` prints it;
// simulate_test checks the bands.
//
// Pure; thread-compatible.
#ifndef IOMHUB_CLIENTS_SIMULATE_SCENARIO_STATS_H_
#define IOMHUB_CLIENTS_SIMULATE_SCENARIO_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "clients/simulate/partnership.h"
#include "clients/simulate/scenario.h"

namespace iomhub::simulate {

// The agency a sender acts for, from its role: "police", "probation",
// "housing", "health", "prison", "employment".
std::string AgencyOfRole(const std::string& role);

struct ScenarioStats {
  struct Share {
    uint64_t hits = 0;
    uint64_t of = 0;
    double rate() const { return of == 0 ? 0 : static_cast<double>(hits) / of; }
  };

  uint64_t steps = 0;
  uint64_t events = 0;
  uint64_t events_in_period = 0;  // occurred at or after the start
  std::map<std::string, uint64_t> events_by_type;
  std::map<std::string, uint64_t> events_by_agency;
  std::map<std::string, uint64_t> events_by_system;

  uint64_t people = 0;
  uint64_t fixed = 0, flex = 0, free = 0, y2a = 0, wisdom = 0, young = 0;
  std::map<std::string, std::pair<int, uint32_t>> team_sizes;  // team → people, capacity

  Share kept_urban_adult, kept_urban_young, kept_rural_adult, kept_rural_young;
  Share missed;                // unacceptable absence or failed to attend, of recorded outcomes
  uint64_t fixed_offered = 0;  // contacts offered in Fixed person-weeks counted below
  uint64_t fixed_person_weeks = 0;
  double FixedOfferedPerWeek() const {
    return fixed_person_weeks == 0 ? 0 : static_cast<double>(fixed_offered) / fixed_person_weeks;
  }
  // Working days from sending to the first answer, by service name.
  std::map<std::string, std::vector<int>> answer_days;
  uint64_t referrals_unanswered = 0;
  Share positions_differ;  // of considerations with both positions
  uint64_t considerations = 0, escalations = 0, decisions = 0, withdrawals = 0;

  // The median of answer_days[service] (0 if none).
  double MedianAnswerDays(const std::string& service) const;
  // A summary for people to read, several lines.
  std::string ToString() const;
};

ScenarioStats Measure(const Scenario& scenario, const Partnership& partnership);

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_SCENARIO_STATS_H_
