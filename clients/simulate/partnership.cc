#include "clients/simulate/partnership.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"

namespace iomhub::simulate {
namespace {

struct KnownArea {
  const char* id;
  const char* code;
  AreaSystems systems;
};

// Keep in step with deploy/config/principals.textproto.
const std::vector<KnownArea>& KnownAreas() {
  static const auto* areas = new std::vector<KnownArea>{
      {"dyfed-powys",
       "DP",
       {"dyfed-powys-police-niche", "dyfed-powys-probation-ndelius", "carmarthenshire-housing",
        "hywel-dda-health"}},
      {"gwent",
       "GW",
       {"gwent-police-niche", "wales-probation-ndelius", "newport-housing",
        "aneurin-bevan-health"}},
      {"north-wales",
       "NW",
       {"north-wales-police-niche", "north-wales-probation-ndelius", "wrexham-housing",
        "betsi-cadwaladr-health"}},
      {"south-wales",
       "SW",
       {"south-wales-police-niche", "south-wales-probation-ndelius", "cardiff-housing",
        "cardiff-health"}},
  };
  return *areas;
}

// "gwent-blaenau-gwent-torfaen" in area "gwent" → "BLA".
std::string TeamPart(const std::string& team_id, const std::string& area_id) {
  std::string rest = team_id;
  if (absl::StartsWith(rest, area_id + "-")) rest = rest.substr(area_id.size() + 1);
  std::string letters;
  for (char c : rest) {
    if (absl::ascii_isalpha(c)) letters.push_back(absl::ascii_toupper(c));
    if (letters.size() == 3) break;
  }
  return letters.empty() ? "TM" : letters;
}

Sender Make(const std::string& principal, const char* role, std::string user) {
  return Sender{.principal = principal, .role = role, .user = std::move(user)};
}

}  // namespace

absl::StatusOr<Partnership> Partnership::FromConfig(const v1::TeamsConfig& config) {
  Partnership p;
  p.config_ = config;
  std::map<std::string, const v1::Area*> areas;
  for (const v1::Area& a : config.area()) areas[a.id()] = &a;
  std::set<std::string> codes;
  for (const v1::Team& team : config.team()) {
    auto area = areas.find(team.area_id());
    if (area == areas.end()) {
      return absl::InvalidArgumentError(absl::StrCat("team ", team.id(), " names area \"",
                                                     team.area_id(),
                                                     "\", which the teams file does not define"));
    }
    const KnownArea* known = nullptr;
    for (const KnownArea& k : KnownAreas()) {
      if (team.area_id() == k.id) known = &k;
    }
    if (known == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "area \"", team.area_id(), "\" (team ", team.id(),
          "): the simulator knows partner systems only for dyfed-powys, gwent, north-wales and "
          "south-wales"));
    }
    TeamInfo t;
    t.team = team;
    t.area_name = area->second->name();
    t.area_code = known->code;
    std::string code = absl::StrCat(known->code, "-", TeamPart(team.id(), team.area_id()));
    for (int n = 2; codes.contains(code); ++n) {
      code = absl::StrCat(known->code, "-", TeamPart(team.id(), team.area_id()), n);
    }
    codes.insert(code);
    t.code = code;
    t.rural = team.setting() == v1::SETTING_RURAL;
    t.police_officers = std::max<uint32_t>(1, team.staffing().police_officers());
    t.probation_officers = std::max<uint32_t>(1, team.staffing().probation_officers());
    t.capacity = team.staffing().caseload_capacity();
    if (t.capacity == 0) t.capacity = 12 * t.probation_officers;
    t.systems = known->systems;
    p.teams_.push_back(std::move(t));
  }
  if (p.teams_.empty()) return absl::InvalidArgumentError("the teams file defines no team");
  return p;
}

absl::StatusOr<Partnership> Partnership::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the teams file ", path));
  std::stringstream text;
  text << in.rdbuf();
  v1::TeamsConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a TeamsConfig in protobuf text format"));
  }
  absl::StatusOr<Partnership> p = FromConfig(config);
  if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", p.status().message()));
  return p;
}

std::vector<std::string> Partnership::Principals() const {
  std::set<std::string> all = {kPrisonSystem, kEmploymentSystem};
  for (const TeamInfo& t : teams_) {
    all.insert({t.systems.police, t.systems.probation, t.systems.housing, t.systems.health});
  }
  return {all.begin(), all.end()};
}

Sender Partnership::PoliceOfficer(const TeamInfo& t, uint64_t n) {
  return Make(t.systems.police, "police_officer",
              absl::StrFormat("%s-PC-%02d", t.code, n % t.police_officers + 1));
}
Sender Partnership::Sergeant(const TeamInfo& t) {
  return Make(t.systems.police, "sergeant", absl::StrCat(t.code, "-PS-01"));
}
Sender Partnership::Inspector(const TeamInfo& t) {
  return Make(t.systems.police, "inspector", absl::StrCat(t.area_code, "-INSP-01"));
}
Sender Partnership::ProbationOfficer(const TeamInfo& t, uint64_t n) {
  return Make(t.systems.probation, "probation_officer", PractitionerRef(t, n));
}
Sender Partnership::SeniorProbationOfficer(const TeamInfo& t) {
  return Make(t.systems.probation, "senior_probation_officer", absl::StrCat(t.code, "-SPO-01"));
}
Sender Partnership::HeadOfPdu(const TeamInfo& t) {
  return Make(t.systems.probation, "head_of_pdu", absl::StrCat(t.area_code, "-HPDU-01"));
}
Sender Partnership::HousingOfficer(const TeamInfo& t, uint64_t n) {
  return Make(t.systems.housing, "housing_officer",
              absl::StrFormat("%s-HO-%02d", t.area_code, n % 6 + 1));
}
Sender Partnership::HealthWorker(const TeamInfo& t, uint64_t n) {
  return Make(t.systems.health, "health_worker",
              absl::StrFormat("%s-HW-%02d", t.area_code, n % 8 + 1));
}
Sender Partnership::PrisonOfficer(uint64_t n) {
  return Make(kPrisonSystem, "prison_officer", absl::StrFormat("CDF-OMU-%02d", n % 5 + 1));
}
Sender Partnership::EmploymentAdviser(uint64_t n) {
  return Make(kEmploymentSystem, "employment_adviser", absl::StrFormat("WW-EA-%02d", n % 12 + 1));
}
std::string Partnership::PractitionerRef(const TeamInfo& t, uint64_t n) {
  return absl::StrFormat("%s-PO-%02d", t.code, n % t.probation_officers + 1);
}

}  // namespace iomhub::simulate
