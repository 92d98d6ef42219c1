#include "projections/alert_rules/rule_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/enum_words.h"
#include "projections/text_locations.h"

namespace iomhub::projections::alert_rules {
namespace {

// Checks one RulesConfig, collecting "where: message" lines. `text` locates
// fields when the config came from a file; without it every problem is
// placed at `name`.
class Checker {
 public:
  Checker(const v1::RulesConfig& config, const v1::TeamsConfig& teams, std::string name,
          const TextLocations* text)
      : config_(config), name_(std::move(name)), text_(text) {
    for (const v1::Area& area : teams.area()) areas_.insert(area.id());
  }

  std::vector<std::string> Check() {
    const TextMessage root = Root();
    CheckParameters(Nested(root, "defaults"), config_.defaults());
    absl::flat_hash_set<std::string> seen;
    for (int i = 0; i < config_.area_size(); ++i) {
      const v1::AreaRuleParameters& area = config_.area(i);
      const TextMessage at = Nested(root, "area", i);
      if (!areas_.empty() && !areas_.contains(area.area_id())) {
        Error(at, "area_id", -1,
              absl::StrCat("area \"", area.area_id(), "\" is not in the teams file (",
                           absl::StrJoin(SortedAreas(), ", "), ")"));
      } else if (area.area_id().empty()) {
        Error(at, "area_id", -1, "an area's parameters need its area_id");
      }
      if (!seen.insert(area.area_id()).second) {
        Error(at, "area_id", -1, absl::StrCat("area \"", area.area_id(), "\" is given twice"));
      }
      CheckParameters(Nested(at, "parameters"), area.parameters());
    }
    for (int i = 0; i < config_.bank_holidays_size(); ++i) {
      if (!ParseDate(config_.bank_holidays(i)).has_value()) {
        Error(root, "bank_holidays", i,
              absl::StrCat("bank holiday \"", config_.bank_holidays(i),
                           "\" is not a date in the form YYYY-MM-DD"));
      }
    }
    for (int i = 0; i < config_.override_roles_size(); ++i) {
      if (config_.override_roles(i) == v1::ROLE_UNSPECIFIED ||
          !v1::Role_IsValid(config_.override_roles(i))) {
        Error(root, "override_roles", i, "override_roles needs real roles");
      }
    }
    for (int i = 0; i < config_.disabled_rules_size(); ++i) {
      if (FindRule(config_.disabled_rules(i)) == nullptr) {
        std::vector<std::string> ids;
        for (const auto& rule : RuleCatalogue()) ids.push_back(rule.id());
        Error(root, "disabled_rules", i,
              absl::StrCat("no rule \"", config_.disabled_rules(i), "\" (rules: ",
                           absl::StrJoin(ids, ", "), ")"));
      }
    }
    return std::move(errors_);
  }

 private:
  TextMessage Root() const {
    if (text_ != nullptr) return text_->Root();
    return {nullptr, v1::RulesConfig::descriptor(), name_};
  }
  TextMessage Nested(const TextMessage& parent, absl::string_view field, int index = -1) const {
    if (text_ != nullptr) return text_->Nested(parent, field, index);
    return {nullptr, nullptr, name_};
  }
  void Error(const TextMessage& at, absl::string_view field, int index, absl::string_view message) {
    const std::string where = text_ != nullptr ? text_->Where(at, field, index) : at.where;
    errors_.push_back(absl::StrCat(where, ": ", message));
  }

  // A parameter, when set, must lie in [low, high].
  void Range(const TextMessage& at, const v1::RuleParameters& p, absl::string_view field,
             uint32_t low, uint32_t high) {
    const auto* descriptor = v1::RuleParameters::descriptor()->FindFieldByName(std::string(field));
    const auto* reflection = p.GetReflection();
    if (!reflection->HasField(p, descriptor)) return;
    const uint32_t value = reflection->GetUInt32(p, descriptor);
    if (value < low || value > high) {
      Error(at, field, -1,
            absl::StrCat(field, " is ", value, "; it must be between ", low, " and ", high));
    }
  }

  void CheckParameters(const TextMessage& at, const v1::RuleParameters& p) {
    Range(at, p, "fixed_min_contacts_per_week", 0, 21);
    Range(at, p, "absences_for_concern", 1, 20);
    Range(at, p, "absence_window_days", 1, 366);
    Range(at, p, "y2a_min_flex_months", 1, 36);
    Range(at, p, "warning_liability_months", 1, 36);
    Range(at, p, "breach_decision_days", 1, 365);
    Range(at, p, "review_interval_weeks", 1, 104);
    Range(at, p, "referral_response_working_days", 1, 100);
    Range(at, p, "default_appointment_minutes", 1, 24 * 60);
    for (int i = 0; i < p.referral_response_by_service_size(); ++i) {
      const v1::ServiceResponseTime& s = p.referral_response_by_service(i);
      if (s.service() == v1::SERVICE_KIND_UNSPECIFIED || !v1::ServiceKind_IsValid(s.service())) {
        Error(at, "referral_response_by_service", i, "a response time needs its service");
      }
      if (s.working_days() < 1 || s.working_days() > 100) {
        Error(at, "referral_response_by_service", i,
              absl::StrCat("working_days is ", s.working_days(), "; it must be between 1 and 100"));
      }
    }
  }

  std::vector<std::string> SortedAreas() const {
    std::vector<std::string> out(areas_.begin(), areas_.end());
    std::sort(out.begin(), out.end());
    return out;
  }

  const v1::RulesConfig& config_;
  const std::string name_;
  const TextLocations* const text_;
  absl::flat_hash_set<std::string> areas_;
  std::vector<std::string> errors_;
};

// `base` with the fields `p` sets.
Parameters Overlay(Parameters base, const v1::RuleParameters& p) {
  if (p.has_fixed_min_contacts_per_week()) {
    base.fixed_min_contacts_per_week = p.fixed_min_contacts_per_week();
  }
  if (p.has_absences_for_concern()) base.absences_for_concern = p.absences_for_concern();
  if (p.has_absence_window_days()) base.absence_window_days = p.absence_window_days();
  if (p.has_y2a_min_flex_months()) base.y2a_min_flex_months = p.y2a_min_flex_months();
  if (p.has_warning_liability_months()) {
    base.warning_liability_months = p.warning_liability_months();
  }
  if (p.has_breach_decision_days()) base.breach_decision_days = p.breach_decision_days();
  if (p.has_review_interval_weeks()) base.review_interval_weeks = p.review_interval_weeks();
  if (p.has_referral_response_working_days()) {
    base.referral_response_working_days = p.referral_response_working_days();
  }
  for (const v1::ServiceResponseTime& s : p.referral_response_by_service()) {
    base.referral_response_by_service[s.service()] = s.working_days();
  }
  if (p.has_default_appointment_minutes()) {
    base.default_appointment_minutes = p.default_appointment_minutes();
  }
  return base;
}

}  // namespace

uint32_t Parameters::ReferralWorkingDays(v1::ServiceKind service) const {
  auto it = referral_response_by_service.find(service);
  return it == referral_response_by_service.end() ? referral_response_working_days : it->second;
}

RuleConfig::RuleConfig() {
  for (v1::Role role : {v1::ROLE_SERGEANT, v1::ROLE_INSPECTOR, v1::ROLE_SENIOR_PROBATION_OFFICER,
                        v1::ROLE_HEAD_OF_PDU}) {
    override_roles_.insert(role);
  }
}

absl::StatusOr<RuleConfig> RuleConfig::FromProto(const v1::RulesConfig& config,
                                                 const v1::TeamsConfig& teams,
                                                 absl::string_view name) {
  std::vector<std::string> errors = Checker(config, teams, std::string(name), nullptr).Check();
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  RuleConfig out;
  out.defaults_ = Overlay(Parameters{}, config.defaults());
  for (const v1::AreaRuleParameters& area : config.area()) {
    out.areas_[area.area_id()] = Overlay(out.defaults_, area.parameters());
  }
  std::vector<absl::CivilDay> holidays;
  for (const std::string& day : config.bank_holidays()) holidays.push_back(*ParseDate(day));
  out.calendar_ = WorkingCalendar(holidays);
  out.bank_holidays_.assign(config.bank_holidays().begin(), config.bank_holidays().end());
  std::sort(out.bank_holidays_.begin(), out.bank_holidays_.end());
  out.disabled_.insert(config.disabled_rules().begin(), config.disabled_rules().end());
  if (!config.override_roles().empty()) {
    out.override_roles_.clear();
    out.override_roles_.insert(config.override_roles().begin(), config.override_roles().end());
  }
  return out;
}

absl::StatusOr<RuleConfig> RuleConfig::Parse(absl::string_view name, absl::string_view text,
                                             const v1::TeamsConfig& teams) {
  v1::RulesConfig config;
  absl::StatusOr<TextLocations> locations = TextLocations::Parse(std::string(name), text, &config);
  if (!locations.ok()) return locations.status();
  std::vector<std::string> errors = Checker(config, teams, std::string(name), &*locations).Check();
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  return FromProto(config, teams, name);
}

absl::StatusOr<RuleConfig> RuleConfig::Load(const std::string& path, const v1::TeamsConfig& teams) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the rules file"));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(path, text.str(), teams);
}

const Parameters& RuleConfig::ForArea(absl::string_view area_id) const {
  auto it = areas_.find(area_id);
  return it == areas_.end() ? defaults_ : it->second;
}

std::string RuleConfig::OverrideRoleNames() const {
  std::vector<int> roles(override_roles_.begin(), override_roles_.end());
  std::sort(roles.begin(), roles.end());
  std::vector<std::string> names;
  for (int role : roles) names.push_back(RoleName(role));
  if (names.size() < 2) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "), " or ", names.back());
}

v1::RuleParameters RuleConfig::ParametersProto(absl::string_view area_id) const {
  const Parameters& p = ForArea(area_id);
  v1::RuleParameters out;
  out.set_fixed_min_contacts_per_week(p.fixed_min_contacts_per_week);
  out.set_absences_for_concern(p.absences_for_concern);
  out.set_absence_window_days(p.absence_window_days);
  out.set_y2a_min_flex_months(p.y2a_min_flex_months);
  out.set_warning_liability_months(p.warning_liability_months);
  out.set_breach_decision_days(p.breach_decision_days);
  out.set_review_interval_weeks(p.review_interval_weeks);
  out.set_referral_response_working_days(p.referral_response_working_days);
  std::vector<std::pair<int, uint32_t>> by_service(p.referral_response_by_service.begin(),
                                                   p.referral_response_by_service.end());
  std::sort(by_service.begin(), by_service.end());
  for (const auto& [service, days] : by_service) {
    v1::ServiceResponseTime* s = out.add_referral_response_by_service();
    s->set_service(static_cast<v1::ServiceKind>(service));
    s->set_working_days(days);
  }
  out.set_default_appointment_minutes(p.default_appointment_minutes);
  return out;
}

std::vector<std::string> RuleConfig::BankHolidays() const { return bank_holidays_; }

std::vector<v1::Role> RuleConfig::OverrideRoles() const {
  std::vector<v1::Role> roles;
  for (int role : override_roles_) roles.push_back(static_cast<v1::Role>(role));
  std::sort(roles.begin(), roles.end());
  return roles;
}

std::vector<v1::RuleDescription> RuleConfig::Describe() const {
  std::vector<v1::RuleDescription> out = RuleCatalogue();
  for (v1::RuleDescription& rule : out) rule.set_enabled(Enabled(rule.id()));
  return out;
}

}  // namespace iomhub::projections::alert_rules
