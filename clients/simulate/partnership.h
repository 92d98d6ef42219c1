// Partnership: the simulated Welsh IOM partnership — the areas and teams of
// the hub's teams file (deploy/config/teams.textproto), the partner systems
// that act for each area (their principals in deploy/config/
// principals.textproto, whose certificates the simulator presents) and the
// pseudonymous staff references of the people who act (never a name).
//
//   area          police                     probation                       housing health
//   dyfed-powys   dyfed-powys-police-niche   dyfed-powys-probation-ndelius carmarthenshire-housing
//   hywel-dda-health gwent         gwent-police-niche         wales-probation-ndelius
//   newport-housing          aneurin-bevan-health north-wales   north-wales-police-niche
//   north-wales-probation-ndelius   wrexham-housing          betsi-cadwaladr-health south-wales
//   south-wales-police-niche   south-wales-probation-ndelius   cardiff-housing cardiff-health
// and for every area the prison hmp-cardiff and the employment service
// working-wales. Probation has one system per area because a joint breach
// decision is taken by the managers of the person's own area (the hub
// checks the principal's area).
//
// Immutable once made; thread-safe.
#ifndef IOMHUB_CLIENTS_SIMULATE_PARTNERSHIP_H_
#define IOMHUB_CLIENTS_SIMULATE_PARTNERSHIP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "iomhub/v1/config.pb.h"

namespace iomhub::simulate {

// Who sends a step: the partner system (its certificate,
// <cert_dir>/<principal>.pem) and the user and role it asserts for the call.
struct Sender {
  std::string principal;  // e.g. "gwent-police-niche"
  std::string role;       // e.g. "sergeant" (actor.proto's Role, lower case)
  std::string user;       // e.g. "GW-NEW-PS-01": a staff reference, never a name
  bool operator==(const Sender& o) const {
    return principal == o.principal && role == o.role && user == o.user;
  }
  bool operator!=(const Sender& o) const { return !(*this == o); }
};

// The partner systems acting for one police force area.
struct AreaSystems {
  std::string police;
  std::string probation;
  std::string housing;
  std::string health;
};

inline constexpr char kPrisonSystem[] = "hmp-cardiff";
inline constexpr char kPrisonEstablishment[] = "HMP Cardiff";
inline constexpr char kEmploymentSystem[] = "working-wales";

// One IOM team as the simulator uses it.
struct TeamInfo {
  v1::Team team;
  std::string area_name;  // "Gwent"
  std::string code;       // staff reference prefix, e.g. "GW-NEW"
  std::string area_code;  // "GW"
  bool rural = false;
  uint32_t police_officers = 1;     // at least 1
  uint32_t probation_officers = 1;  // at least 1
  uint32_t capacity = 0;
  AreaSystems systems;
};

class Partnership {
 public:
  // INVALID_ARGUMENT: no team, a team without an area the file defines, or
  // an area the simulator has no partner systems for.
  static absl::StatusOr<Partnership> FromConfig(const v1::TeamsConfig& config);
  // Reads and parses a teams file (protobuf text format, TeamsConfig):
  // NOT_FOUND / INVALID_ARGUMENT naming the file.
  static absl::StatusOr<Partnership> Load(const std::string& path);

  const std::vector<TeamInfo>& teams() const { return teams_; }
  const v1::TeamsConfig& config() const { return config_; }
  // Every principal a run may act as, sorted.
  std::vector<std::string> Principals() const;

  // The people who act. `n` picks one of several (wrapped into range).
  static Sender PoliceOfficer(const TeamInfo& t, uint64_t n);
  static Sender Sergeant(const TeamInfo& t);
  static Sender Inspector(const TeamInfo& t);
  static Sender ProbationOfficer(const TeamInfo& t, uint64_t n);
  static Sender SeniorProbationOfficer(const TeamInfo& t);
  static Sender HeadOfPdu(const TeamInfo& t);
  static Sender HousingOfficer(const TeamInfo& t, uint64_t n);
  static Sender HealthWorker(const TeamInfo& t, uint64_t n);
  static Sender PrisonOfficer(uint64_t n);
  static Sender EmploymentAdviser(uint64_t n);
  // The lead practitioner's staff reference for probation officer `n`
  // (CohortSelected.lead_practitioner), e.g. "GW-NEW-PO-03".
  static std::string PractitionerRef(const TeamInfo& t, uint64_t n);

 private:
  v1::TeamsConfig config_;
  std::vector<TeamInfo> teams_;
};

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_PARTNERSHIP_H_
