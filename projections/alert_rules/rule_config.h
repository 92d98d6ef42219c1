// RuleConfig: the IOM rules' parameters as the hub applies them — the
// defaults of DOMAIN.md, the hub's RulesConfig (rules.proto, a protobuf text
// file: HubConfig.rules_file) and each area's local variations — with the
// bank holidays that decide working days and the roles that may override a
// rule the hub enforces.
//
// Immutable once built: thread-safe, cheap to share (shared_ptr).
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_RULE_CONFIG_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_RULE_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "iomhub/v1/config.pb.h"
#include "iomhub/v1/rules.pb.h"
#include "projections/calendar.h"

namespace iomhub::projections::alert_rules {

// Every number a rule uses, resolved (no field is missing).
struct Parameters {
  uint32_t fixed_min_contacts_per_week = 3;
  uint32_t absences_for_concern = 2;
  uint32_t absence_window_days = 30;
  uint32_t y2a_min_flex_months = 3;
  uint32_t warning_liability_months = 12;
  uint32_t breach_decision_days = 10;
  uint32_t review_interval_weeks = 12;
  uint32_t referral_response_working_days = 5;
  absl::flat_hash_map<int, uint32_t> referral_response_by_service;  // ServiceKind → days
  uint32_t default_appointment_minutes = 60;

  uint32_t ReferralWorkingDays(v1::ServiceKind service) const;
};

class RuleConfig {
 public:
  // The built-in defaults: every rule on, no bank holidays, the manager
  // roles may override.
  RuleConfig();

  // Validates `config` against the areas of `teams`; `name` labels
  // locations. INVALID_ARGUMENT lists every problem, one per line.
  static absl::StatusOr<RuleConfig> FromProto(const v1::RulesConfig& config,
                                              const v1::TeamsConfig& teams,
                                              absl::string_view name = "rules");
  // Parses protobuf text, then FromProto, with every problem located as
  // "name:line:column: message".
  static absl::StatusOr<RuleConfig> Parse(absl::string_view name, absl::string_view text,
                                          const v1::TeamsConfig& teams);
  // Reads and parses the file at `path`. NOT_FOUND if it cannot be read.
  static absl::StatusOr<RuleConfig> Load(const std::string& path, const v1::TeamsConfig& teams);

  // The parameters for people whose IOM team is in `area_id` ("" or an
  // unknown area: the defaults).
  const Parameters& ForArea(absl::string_view area_id) const;
  const Parameters& defaults() const { return defaults_; }

  const WorkingCalendar& calendar() const { return calendar_; }
  bool Enabled(absl::string_view rule) const { return !disabled_.contains(rule); }
  bool MayOverride(v1::Role role) const { return override_roles_.contains(role); }
  // "sergeant, inspector, senior_probation_officer or head_of_pdu".
  std::string OverrideRoleNames() const;

  // The catalogue with `enabled` set as configured.
  std::vector<v1::RuleDescription> Describe() const;
  // Every parameter as applied in `area_id`, each field set.
  v1::RuleParameters ParametersProto(absl::string_view area_id) const;
  // The bank holidays, "YYYY-MM-DD", sorted; the override roles, sorted.
  std::vector<std::string> BankHolidays() const;
  std::vector<v1::Role> OverrideRoles() const;

 private:
  Parameters defaults_;
  absl::flat_hash_map<std::string, Parameters> areas_;
  WorkingCalendar calendar_;
  std::vector<std::string> bank_holidays_;
  absl::flat_hash_set<std::string> disabled_;
  absl::flat_hash_set<int> override_roles_;
};

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_RULE_CONFIG_H_
