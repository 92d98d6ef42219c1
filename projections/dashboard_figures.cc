#include "projections/dashboard_figures.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/timestamps.h"
#include "projections/calendar.h"
#include "projections/dashboard_suppression.h"
#include "projections/enum_words.h"

namespace iomhub::projections {
namespace {

// "Neighbourhood crime" from STRAND_NEIGHBOURHOOD_CRIME; names people know
// by their letters (Y2A, WISDOM) and hyphenated words kept as they are said.
std::string Label(const std::string& name, absl::string_view prefix) {
  static const auto* const kSaid = new std::map<std::string, std::string>{
      {"STRAND_Y2A", "Y2A"},
      {"STRAND_WISDOM", "WISDOM"},
      {"SERVICE_KIND_EMPLOYMENT_TRAINING", "Employment and training"},
      {"CO_LOCATION_CO_LOCATED", "Co-located"},
      {"CO_LOCATION_PARTLY_CO_LOCATED", "Partly co-located"},
      {"ACCOMMODATION_STATUS_NO_FIXED_ABODE", "No fixed abode"},
  };
  if (auto it = kSaid->find(name); it != kSaid->end()) return it->second;
  std::string words = EnumWords(name, prefix);
  if (!words.empty()) words[0] = absl::ascii_toupper(words[0]);
  return words;
}

struct ServiceSums {
  uint64_t sent = 0, answered = 0, days = 0, in_time = 0;
};

// One team's figures over the window.
struct Sums {
  uint64_t offered = 0, outcomes = 0, kept = 0, missed = 0, fixed_offered = 0, fixed_kept = 0;
  uint64_t breach = 0, fixed_person_weeks = 0, plan_total = 0;
  std::map<int, ServiceSums> services;
  void Add(const Sums& o) {
    offered += o.offered, outcomes += o.outcomes, kept += o.kept, missed += o.missed;
    fixed_offered += o.fixed_offered, fixed_kept += o.fixed_kept, breach += o.breach;
    fixed_person_weeks += o.fixed_person_weeks, plan_total += o.plan_total;
    for (const auto& [s, v] : o.services) {
      ServiceSums& t = services[s];
      t.sent += v.sent, t.answered += v.answered, t.days += v.days, t.in_time += v.in_time;
    }
  }
};

// People in a state at the end of each window week: running sums of deltas.
struct WeekCounts {
  int64_t on_iom = 0, fixed = 0, plan = 0;
  std::map<int, int64_t> accommodation, employment;
};

std::vector<WeekCounts> CountsByWeek(const TeamDashboardData& data,
                                     const std::vector<std::string>& weeks, Sums& sums) {
  std::vector<WeekCounts> out;
  WeekCounts running;
  auto it = data.weeks.begin();
  for (const std::string& week : weeks) {
    for (; it != data.weeks.end() && it->first <= week; ++it) {
      const v1::DashboardTally& t = it->second;
      running.on_iom += t.on_iom_delta();
      running.fixed += t.fixed_delta();
      running.plan += t.fixed_plan_delta();
      for (const auto& [k, v] : t.accommodation_delta()) running.accommodation[k] += v;
      for (const auto& [k, v] : t.employment_delta()) running.employment[k] += v;
      if (it->first < weeks.front()) continue;
      sums.offered += t.contacts_offered(), sums.outcomes += t.outcomes_recorded();
      sums.kept += t.contacts_kept(), sums.missed += t.contacts_missed();
      sums.fixed_offered += t.fixed_offered(), sums.fixed_kept += t.fixed_kept();
      sums.breach += t.breach_considerations();
      for (const auto& [s, v] : t.referrals()) {
        ServiceSums& ss = sums.services[s];
        ss.sent += v.sent(), ss.answered += v.answered();
        ss.days += v.answer_days_total(), ss.in_time += v.answered_in_time();
      }
    }
    sums.fixed_person_weeks += static_cast<uint64_t>(std::max<int64_t>(0, running.fixed));
    sums.plan_total += static_cast<uint64_t>(std::max<int64_t>(0, running.plan));
    out.push_back(running);
  }
  return out;
}

uint64_t NonNegative(int64_t v) { return static_cast<uint64_t>(std::max<int64_t>(0, v)); }

v1::DashboardTable& NewTable(v1::GetDashboardResponse* r, std::string id, std::string title,
                             std::string unit, std::string chart, std::string note) {
  v1::DashboardTable& t = *r->add_tables();
  t.set_id(std::move(id));
  t.set_title(std::move(title));
  t.set_unit(std::move(unit));
  t.set_chart(std::move(chart));
  t.set_note(std::move(note));
  return t;
}

// A table of people counted by a key, with its total protected.
void PeopleTable(v1::GetDashboardResponse* r, std::string id, std::string title, std::string chart,
                 const std::vector<std::pair<std::string, std::string>>& keys,
                 const std::map<std::string, uint64_t>& counts, uint64_t total, std::string note) {
  v1::DashboardTable& t =
      NewTable(r, std::move(id), std::move(title), "people", std::move(chart), std::move(note));
  for (const auto& [key, label] : keys) {
    auto it = counts.find(key);
    const uint64_t count = it == counts.end() ? 0 : it->second;
    // None "not recorded" is no category at all: left out rather than
    // suppressed, so it cannot force a real cell into suppression with it.
    if (count == 0 && (key == "UNSPECIFIED" || key == "unknown")) continue;
    *t.add_cells() = CountCell(key, label, count);
  }
  *t.mutable_total() = CountCell("total", "Total", total);
  ProtectTotal(t);
}

template <typename EnumDescriptorFn>
std::vector<std::pair<std::string, std::string>> EnumKeys(EnumDescriptorFn descriptor,
                                                          absl::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> keys;
  const google::protobuf::EnumDescriptor* d = descriptor();
  for (int i = 0; i < d->value_count(); ++i) {
    const std::string& name = d->value(i)->name();
    std::string key(absl::StripPrefix(name, prefix));
    keys.emplace_back(key, key == "UNSPECIFIED" ? "Not recorded" : Label(name, prefix));
  }
  return keys;
}

std::string EnumKey(const google::protobuf::EnumDescriptor* d, int value,
                    absl::string_view prefix) {
  const google::protobuf::EnumValueDescriptor* v = d->FindValueByNumber(value);
  return v == nullptr ? "UNSPECIFIED" : std::string(absl::StripPrefix(v->name(), prefix));
}

std::string AgeBand(const v1::DashboardPerson& p, absl::Time as_of) {
  if (!p.has_date_of_birth()) return "unknown";
  const absl::CivilDay born = absl::ToCivilDay(ToTime(p.date_of_birth()), absl::UTCTimeZone());
  const absl::CivilDay today = absl::ToCivilDay(as_of, absl::UTCTimeZone());
  int age = static_cast<int>(today.year() - born.year());
  if (today.month() < born.month() || (today.month() == born.month() && today.day() < born.day())) {
    --age;
  }
  if (age < 25) return "18-24";
  if (age < 35) return "25-34";
  if (age < 45) return "35-44";
  return "45+";
}

bool InWork(int status) {
  return status == v1::EMPLOYMENT_STATUS_FULL_TIME || status == v1::EMPLOYMENT_STATUS_PART_TIME ||
         status == v1::EMPLOYMENT_STATUS_IN_TRAINING;
}

// Each week's share of people on IOM in settled accommodation and in work
// or training, over `teams`.
void Trends(v1::GetDashboardResponse* r, const std::string& suffix, const std::string& scope_name,
            const std::vector<std::vector<WeekCounts>>& teams,
            const std::vector<std::string>& weeks) {
  v1::DashboardTable& acc =
      NewTable(r, absl::StrCat("accommodation_trend", suffix),
               absl::StrCat("Settled accommodation, ", scope_name), "%", "line",
               "Share of people on IOM in settled accommodation at the end of each week: this "
               "area's own trend, not a comparison between areas.");
  v1::DashboardTable& emp =
      NewTable(r, absl::StrCat("employment_trend", suffix),
               absl::StrCat("In work or training, ", scope_name), "%", "line",
               "Share of people on IOM in work (full or part time) or training at the end of each "
               "week: this area's own trend.");
  for (size_t w = 0; w < weeks.size(); ++w) {
    int64_t on_iom = 0, settled = 0, working = 0;
    for (const auto& team : teams) {
      on_iom += team[w].on_iom;
      auto s = team[w].accommodation.find(v1::ACCOMMODATION_STATUS_SETTLED);
      if (s != team[w].accommodation.end()) settled += s->second;
      for (const auto& [status, n] : team[w].employment) {
        if (InWork(status)) working += n;
      }
    }
    *acc.add_cells() =
        RateCell(weeks[w], weeks[w], NonNegative(settled), NonNegative(on_iom), RateKind::kShare);
    *emp.add_cells() =
        RateCell(weeks[w], weeks[w], NonNegative(working), NonNegative(on_iom), RateKind::kShare);
  }
}

}  // namespace

absl::Status BuildDashboard(const std::vector<DashboardTeam>& teams,
                            const std::vector<v1::Area>& trend_areas, const DashboardWindow& window,
                            v1::GetDashboardResponse* r) {
  absl::StatusOr<IsoWeek> last = WeekOf(window.as_of);
  if (!last.ok()) return last.status();
  std::vector<std::string> weeks;
  IsoWeek week = *last;
  for (int i = 0; i < std::max(1, window.weeks); ++i, week = PreviousWeek(week)) {
    weeks.push_back(WeekLabel(week));
  }
  std::reverse(weeks.begin(), weeks.end());
  r->set_from_week(weeks.front());
  r->set_to_week(weeks.back());

  // People now, and the window's sums per team.
  std::map<std::string, uint64_t> cohort, strand, age, needs, accommodation, employment;
  std::map<std::string, Sums> by_setting, by_co_location;
  std::map<std::string, std::vector<WeekCounts>> counts;  // by team id
  Sums all;
  uint64_t people = 0;
  v1::DashboardTable caseload;
  v1::DashboardTable per_practitioner;
  for (const DashboardTeam& t : teams) {
    Sums sums;
    counts[t.team.id()] = CountsByWeek(t.data, weeks, sums);
    all.Add(sums);
    by_setting[EnumKey(v1::Setting_descriptor(), t.team.setting(), "SETTING_")].Add(sums);
    by_co_location[EnumKey(v1::CoLocation_descriptor(), t.team.co_location(), "CO_LOCATION_")].Add(
        sums);
    uint64_t team_people = 0, with_practitioner = 0, highest = 0;
    std::map<std::string, uint64_t> practitioners;
    for (const v1::DashboardPerson& p : t.data.people) {
      if (!p.on_iom()) continue;
      ++team_people;
      ++cohort[EnumKey(v1::Cohort_descriptor(), p.cohort(), "COHORT_")];
      ++strand[EnumKey(v1::Strand_descriptor(), p.strand(), "STRAND_")];
      ++age[AgeBand(p, window.as_of)];
      for (int need : p.needs())
        ++needs[EnumKey(v1::ServiceKind_descriptor(), need, "SERVICE_KIND_")];
      ++accommodation[EnumKey(v1::AccommodationStatus_descriptor(), p.accommodation(),
                              "ACCOMMODATION_STATUS_")];
      ++employment[EnumKey(v1::EmploymentStatus_descriptor(), p.employment(),
                           "EMPLOYMENT_STATUS_")];
      if (!p.lead_practitioner().empty()) {
        ++with_practitioner;
        highest = std::max(highest, ++practitioners[p.lead_practitioner()]);
      }
    }
    people += team_people;
    const v1::Staffing& staff = t.team.staffing();
    const uint32_t officers = staff.police_officers() + staff.probation_officers();
    *caseload.add_cells() =
        CountCell(t.team.id(), t.team.name(), team_people, staff.caseload_capacity());
    // Suppressed when it is about fewer than 5 people, whatever the staff.
    v1::DashboardCell mean =
        CountCell(t.team.id(), t.team.name(), with_practitioner,
                  officers == 0 ? 0 : std::round(10.0 * staff.caseload_capacity() / officers) / 10);
    if (!mean.suppressed()) {
      mean.set_value(std::round(10.0 * with_practitioner / practitioners.size()) / 10);
    }
    *per_practitioner.add_cells() = mean;
    if (teams.size() == 1) {
      *per_practitioner.add_cells() =
          CountCell("highest", "Highest caseload of one practitioner", highest);
    }
  }

  PeopleTable(r, "people_by_cohort", "People on IOM by cohort", "doughnut",
              EnumKeys(v1::Cohort_descriptor, "COHORT_"), cohort, people,
              "Fixed: the mandatory neighbourhood-crime cohort; Flex and Free by local priority.");
  PeopleTable(r, "people_by_strand", "People on IOM by strand", "bar",
              EnumKeys(v1::Strand_descriptor, "STRAND_"), strand, people,
              "Y2A: young adults moving from youth to adult justice; WISDOM: serious and "
              "dangerous offenders.");
  PeopleTable(r, "age_bands", "People on IOM by age", "bar",
              {{"18-24", "18–24"},
               {"25-34", "25–34"},
               {"35-44", "35–44"},
               {"45+", "45 and over"},
               {"unknown", "Not recorded"}},
              age, people, "Age at the end of the window.");
  {
    v1::DashboardTable& t = NewTable(
        r, "needs", "Needs: people referred to or engaging with a service", "people", "bar",
        "A person may have several needs, so the cells do not add up to the people on IOM. "
        "Accommodation also counts anyone not in settled accommodation; employment anyone "
        "unemployed.");
    for (const auto& [key, label] : EnumKeys(v1::ServiceKind_descriptor, "SERVICE_KIND_")) {
      if (key == "UNSPECIFIED") continue;
      *t.add_cells() = CountCell(key, label, needs[key]);
    }
  }
  PeopleTable(r, "accommodation_status", "Accommodation", "bar",
              EnumKeys(v1::AccommodationStatus_descriptor, "ACCOMMODATION_STATUS_"), accommodation,
              people, "People on IOM by their latest accommodation status.");
  PeopleTable(r, "employment_status", "Employment", "bar",
              EnumKeys(v1::EmploymentStatus_descriptor, "EMPLOYMENT_STATUS_"), employment, people,
              "People on IOM by their latest employment status.");
  {
    const double plan = all.fixed_person_weeks == 0
                            ? 0
                            : static_cast<double>(all.plan_total) / all.fixed_person_weeks;
    v1::DashboardTable& t = NewTable(
        r, "contacts_fixed", "Fixed cohort: contacts per person-week against plan",
        "contacts per person-week", "bar",
        "Contacts scheduled in the plan's modes for people on Fixed, and those attended, per "
        "person-week on Fixed in the window; the reference is the plans' average level "
        "(Wales expects at least 3).");
    *t.add_cells() = RateCell("offered", "Offered", all.fixed_offered, all.fixed_person_weeks,
                              RateKind::kAverage, 1, std::round(plan * 10) / 10);
    *t.add_cells() = RateCell("kept", "Kept", all.fixed_kept, all.fixed_person_weeks,
                              RateKind::kAverage, 1, std::round(plan * 10) / 10);
  }
  {
    v1::DashboardTable& t = NewTable(
        r, "compliance", "Missed appointments and breach", "%", "bar",
        "Missed: unacceptable absences and failures to attend, as a share of contacts with an "
        "outcome. Breach: breach considerations opened per 100 people on IOM, over the window.");
    *t.add_cells() = RateCell("missed", "Missed appointments (% of outcomes)", all.missed,
                              all.outcomes, RateKind::kShare);
    *t.add_cells() = RateCell("breach", "Breach considerations (per 100 people)", all.breach,
                              people, RateKind::kAverage);
  }
  {
    v1::DashboardTable& days = NewTable(
        r, "referral_response_days", "Referral response times", "days", "bar",
        "Mean days from a referral to the service's first answer (accepted, started, declined "
        "or closed), for referrals answered in the window.");
    v1::DashboardTable& in_time = NewTable(
        r, "referrals_answered_in_time", "Referrals answered in the agreed time", "%", "bar",
        "Share of referrals answered by the respond-by date the referral set (default 5 "
        "working days): priority access is the known failure point.");
    for (const auto& [key, label] : EnumKeys(v1::ServiceKind_descriptor, "SERVICE_KIND_")) {
      if (key == "UNSPECIFIED") continue;
      const auto* d = v1::ServiceKind_descriptor()->FindValueByName("SERVICE_KIND_" + key);
      const ServiceSums s = all.services[d->number()];
      v1::DashboardCell mean = CountCell(key, label, s.answered);
      if (!mean.suppressed()) mean.set_value(std::round(10.0 * s.days / s.answered) / 10);
      *days.add_cells() = mean;
      *in_time.add_cells() = RateCell(key, label, s.in_time, s.answered, RateKind::kShare);
    }
  }
  for (const auto& [id, title, split, keys] :
       {std::tuple{"kept_by_setting", "Contacts kept: rural and urban teams", &by_setting,
                   EnumKeys(v1::Setting_descriptor, "SETTING_")},
        std::tuple{"kept_by_co_location", "Contacts kept: by co-location", &by_co_location,
                   EnumKeys(v1::CoLocation_descriptor, "CO_LOCATION_")}}) {
    v1::DashboardTable& t =
        NewTable(r, id, title, "%", "bar",
                 "Attended contacts as a share of contacts with an outcome; rural teams face "
                 "travel burdens.");
    for (const auto& [key, label] : keys) {
      if (key == "UNSPECIFIED") continue;
      const Sums& s = (*split)[key];
      *t.add_cells() = RateCell(key, label, s.kept, s.outcomes, RateKind::kShare);
    }
  }
  {
    v1::DashboardTable& t = *r->add_tables() = caseload;
    t.set_id("caseload_by_team");
    t.set_title("Caseload against capacity");
    t.set_unit("people");
    t.set_chart("bar");
    t.set_note("People on IOM per team; the reference is the caseload the team is staffed for.");
    *t.mutable_total() = CountCell("total", "Total", people);
    ProtectTotal(t);
  }
  {
    v1::DashboardTable& t = *r->add_tables() = per_practitioner;
    t.set_id("caseload_per_practitioner");
    t.set_title("People per lead practitioner");
    t.set_unit("people per practitioner");
    t.set_chart("bar");
    t.set_note(
        "People on IOM per lead practitioner named at selection; the reference is the "
        "team's capacity per officer (police and probation).");
  }
  // Trends: each area its own, or the scope's.
  if (trend_areas.size() > 1) {
    for (const v1::Area& area : trend_areas) {
      std::vector<std::vector<WeekCounts>> in_area;
      for (const DashboardTeam& t : teams) {
        if (t.team.area_id() == area.id()) in_area.push_back(counts[t.team.id()]);
      }
      Trends(r, absl::StrCat("/", area.id()), area.name(), in_area, weeks);
    }
  } else {
    std::vector<std::vector<WeekCounts>> all_teams;
    for (const DashboardTeam& t : teams) all_teams.push_back(counts[t.team.id()]);
    Trends(r, "", r->scope(), all_teams, weeks);
  }
  return absl::OkStatus();
}

}  // namespace iomhub::projections
