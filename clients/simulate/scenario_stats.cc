#include "clients/simulate/scenario_stats.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/simulate/sim_calendar.h"
#include "common/timestamps.h"

namespace iomhub::simulate {
namespace {

std::string ServiceName(v1::ServiceKind kind) {
  switch (kind) {
    case v1::SERVICE_KIND_HOUSING:
      return "housing";
    case v1::SERVICE_KIND_SUBSTANCE_MISUSE:
      return "substance misuse";
    case v1::SERVICE_KIND_MENTAL_HEALTH:
      return "mental health";
    default:
      return "employment";
  }
}

// What the measurement needs to know of one person, from their events.
struct PersonTrack {
  absl::Time selected = absl::InfiniteFuture();
  absl::Time deselected = absl::InfiniteFuture();
  bool cohort_changed = false;
  std::vector<std::pair<absl::Time, absl::Time>> custody;
  std::vector<std::pair<absl::Time, std::string>> contacts;  // scheduled_for, id
};

std::string Percent(const ScenarioStats::Share& s) {
  return absl::StrFormat("%.1f%% (%d)", 100 * s.rate(), s.of);
}

}  // namespace

std::string AgencyOfRole(const std::string& role) {
  if (role == "police_officer" || role == "sergeant" || role == "inspector") return "police";
  if (role == "probation_officer" || role == "senior_probation_officer" || role == "head_of_pdu") {
    return "probation";
  }
  if (role == "housing_officer") return "housing";
  if (role == "health_worker") return "health";
  if (role == "prison_officer") return "prison";
  if (role == "employment_adviser") return "employment";
  return role;
}

double ScenarioStats::MedianAnswerDays(const std::string& service) const {
  auto it = answer_days.find(service);
  if (it == answer_days.end() || it->second.empty()) return 0;
  std::vector<int> v = it->second;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

ScenarioStats Measure(const Scenario& scenario, const Partnership& partnership) {
  ScenarioStats s;
  s.people = scenario.people.size();
  std::vector<int> team_people(partnership.teams().size(), 0);
  for (const PersonInfo& p : scenario.people) {
    s.fixed += p.cohort == v1::COHORT_FIXED;
    s.flex += p.cohort == v1::COHORT_FLEX;
    s.free += p.cohort == v1::COHORT_FREE;
    s.y2a += p.strand == v1::STRAND_Y2A;
    s.wisdom += p.strand == v1::STRAND_WISDOM;
    s.young += p.age <= 24;
    ++team_people[p.team];
  }
  for (size_t t = 0; t < team_people.size(); ++t) {
    s.team_sizes[partnership.teams()[t].team.id()] = {team_people[t],
                                                      partnership.teams()[t].capacity};
  }
  std::vector<PersonTrack> tracks(scenario.people.size());
  absl::flat_hash_map<std::string, v1::ContactOutcome> outcomes;
  absl::flat_hash_map<std::string, std::pair<absl::Time, v1::ServiceKind>> referrals;
  absl::flat_hash_map<std::string, std::pair<int, int>> positions;  // police, probation
  for (const Step& step : scenario.steps) {
    ++s.steps;
    const std::string agency = AgencyOfRole(step.sender.role);
    const PersonInfo& person = scenario.people[step.person];
    PersonTrack& track = tracks[step.person];
    for (const v1::Event& e : step.events) {
      ++s.events;
      if (step.at >= scenario.start) ++s.events_in_period;
      ++s.events_by_type[EventTypeName(e)];
      ++s.events_by_agency[agency];
      ++s.events_by_system[step.sender.principal];
      switch (e.payload_case()) {
        case v1::Event::kCohortSelected:
          track.selected = std::min(track.selected, step.at);
          break;
        case v1::Event::kCohortChanged:
          track.cohort_changed = true;
          break;
        case v1::Event::kNominalDeselected:
          track.deselected = std::min(track.deselected, step.at);
          break;
        case v1::Event::kReceivedIntoCustody:
          track.custody.push_back({step.at, absl::InfiniteFuture()});
          break;
        case v1::Event::kReleasedFromCustody:
          if (track.custody.empty() || track.custody.back().second != absl::InfiniteFuture()) {
            track.custody.push_back({absl::InfinitePast(), step.at});  // released first
          } else {
            track.custody.back().second = step.at;
          }
          break;
        case v1::Event::kContactScheduled:
          track.contacts.push_back(
              {ToTime(e.contact_scheduled().scheduled_for()), e.contact_scheduled().contact_id()});
          break;
        case v1::Event::kContactOutcomeRecorded: {
          const v1::ContactOutcome o = e.contact_outcome_recorded().outcome();
          outcomes[e.contact_outcome_recorded().contact_id()] = o;
          if (o == v1::CONTACT_OUTCOME_RESCHEDULED) break;
          const bool kept = o == v1::CONTACT_OUTCOME_ATTENDED_COMPLIED ||
                            o == v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY;
          const bool rural = partnership.teams()[person.team].rural;
          ScenarioStats::Share& share =
              rural ? (person.age <= 24 ? s.kept_rural_young : s.kept_rural_adult)
                    : (person.age <= 24 ? s.kept_urban_young : s.kept_urban_adult);
          share.hits += kept;
          ++share.of;
          s.missed.hits += o == v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE ||
                           o == v1::CONTACT_OUTCOME_FAILED_TO_ATTEND;
          ++s.missed.of;
          break;
        }
        case v1::Event::kReferralSent:
          referrals[e.referral_sent().referral_id()] = {step.at, e.referral_sent().service()};
          break;
        case v1::Event::kReferralOutcomeRecorded: {
          auto it = referrals.find(e.referral_outcome_recorded().referral_id());
          if (it == referrals.end()) break;
          s.answer_days[ServiceName(it->second.second)].push_back(
              WorkingDaysBetween(LondonDay(it->second.first), LondonDay(step.at)));
          referrals.erase(it);  // only the first answer counts
          break;
        }
        case v1::Event::kBreachConsiderationOpened:
          ++s.considerations;
          break;
        case v1::Event::kPositionRecorded: {
          auto& [police, probation] = positions[e.position_recorded().consideration_id()];
          (agency == "police" ? police : probation) = e.position_recorded().position();
          break;
        }
        case v1::Event::kDecisionEscalated:
          ++s.escalations;
          break;
        case v1::Event::kJointDecisionRecorded:
          ++s.decisions;
          break;
        case v1::Event::kBreachConsiderationWithdrawn:
          ++s.withdrawals;
          break;
        default:
          break;
      }
    }
  }
  s.referrals_unanswered = referrals.size();
  for (const auto& [id, pair] : positions) {
    if (pair.first == 0 || pair.second == 0) continue;
    ++s.positions_differ.of;
    s.positions_differ.hits += pair.first != pair.second;
  }
  // Contacts offered in Fixed person-weeks: whole weeks on IOM, out of
  // custody, in the cohort throughout; rescheduled ones are offered again.
  for (size_t i = 0; i < tracks.size(); ++i) {
    const PersonTrack& t = tracks[i];
    if (scenario.people[i].cohort != v1::COHORT_FIXED || t.cohort_changed) continue;
    // Weeks by the calendar: a week with a clock change is not 7 * 24 hours.
    for (absl::CivilDay monday = LondonDay(scenario.start); AtLondon(monday, 0) < scenario.end;
         monday += 7) {
      const absl::Time from = AtLondon(monday, 0);
      const absl::Time to = AtLondon(monday + 7, 0);
      if (t.selected >= from || t.deselected < to) continue;
      const bool custody = std::any_of(t.custody.begin(), t.custody.end(), [&](const auto& c) {
        return c.first < to && c.second > from;
      });
      if (custody) continue;
      ++s.fixed_person_weeks;
      for (const auto& [at, id] : t.contacts) {
        if (at < from || at >= to) continue;
        auto o = outcomes.find(id);
        if (o == outcomes.end() || o->second != v1::CONTACT_OUTCOME_RESCHEDULED) ++s.fixed_offered;
      }
    }
  }
  return s;
}

std::string ScenarioStats::ToString() const {
  std::string out =
      absl::StrFormat("people: %d (Fixed %d, Flex %d, Free %d; Y2A %d, WISDOM %d; aged 18-24 %d)\n",
                      people, fixed, flex, free, y2a, wisdom, young);
  absl::StrAppend(&out, "  team sizes (capacity):");
  for (const auto& [team, size] : team_sizes) {
    absl::StrAppend(&out, " ", team, " ", size.first, " (", size.second, ")");
  }
  absl::StrAppend(&out, "\nevents: ", events, " in ", steps, " steps (", events_in_period,
                  " in the period, the rest set up the people already on IOM)\n");
  absl::StrAppend(&out, "events by type:\n");
  for (const auto& [type, n] : events_by_type) {
    absl::StrAppend(&out, absl::StrFormat("  %-30s %d\n", type, n));
  }
  absl::StrAppend(&out, "events by agency:");
  for (const auto& [agency, n] : events_by_agency) absl::StrAppend(&out, " ", agency, " ", n);
  absl::StrAppend(&out, "\nevents by system:");
  for (const auto& [system, n] : events_by_system) absl::StrAppend(&out, " ", system, " ", n);
  absl::StrAppend(&out, "\ncontacts kept (attended, of recorded outcomes): urban 25+ ",
                  Percent(kept_urban_adult), ", urban 18-24 ", Percent(kept_urban_young),
                  ", rural 25+ ", Percent(kept_rural_adult), ", rural 18-24 ",
                  Percent(kept_rural_young), "; missed ", Percent(missed), "\n");
  absl::StrAppend(&out, absl::StrFormat("contacts offered per Fixed person-week: %.2f (%d weeks)\n",
                                        FixedOfferedPerWeek(), fixed_person_weeks));
  absl::StrAppend(&out, "referral answers, median working days:");
  for (const auto& [service, days] : answer_days) {
    absl::StrAppend(
        &out, absl::StrFormat(" %s %.1f (%d);", service, MedianAnswerDays(service), days.size()));
  }
  absl::StrAppend(&out, " unanswered at the end ", referrals_unanswered, "\n");
  absl::StrAppend(&out, "breach considerations: ", considerations, "; positions differ in ",
                  Percent(positions_differ), "; escalated ", escalations, ", decided ", decisions,
                  ", withdrawn ", withdrawals, "\n");
  return out;
}

}  // namespace iomhub::simulate
