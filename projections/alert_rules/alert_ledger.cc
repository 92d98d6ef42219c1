#include "projections/alert_rules/alert_ledger.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/timestamps.h"
#include "projections/alert_rules/rule_catalogue.h"

namespace iomhub::projections::alert_rules {
namespace {

using v1::PersonState;

std::string Key(const std::string& rule, const std::string& window) {
  return absl::StrCat(rule, std::string(1, '\0'), window);
}

uint64_t Latest(const std::vector<uint64_t>& positions) {
  return positions.empty() ? 0 : *std::max_element(positions.begin(), positions.end());
}

}  // namespace

AlertAction AlertAction::Raise(const char* rule, std::string window, std::string summary,
                               absl::Time at, std::vector<uint64_t> evidence,
                               v1::ServiceKind service) {
  AlertAction a;
  a.raise = true;
  a.rule = rule;
  a.window = std::move(window);
  a.text = std::move(summary);
  a.severity = FindRule(rule)->severity();
  a.service = service;
  evidence.erase(std::remove(evidence.begin(), evidence.end(), 0), evidence.end());
  a.evidence = std::move(evidence);
  a.at = at;
  return a;
}

AlertAction AlertAction::Resolve(const std::string& rule, const std::string& window,
                                 std::string reason, absl::Time at, uint64_t evidence) {
  AlertAction a;
  a.raise = false;
  a.rule = rule;
  a.window = window;
  a.text = std::move(reason);
  a.at = at;
  if (evidence != 0) a.evidence.push_back(evidence);
  return a;
}

// --- AlertLedger --------------------------------------------------------------

AlertLedger::AlertLedger(const v1::PersonState& state) {
  for (const PersonState::Alert& a : state.alerts()) {
    Entry& entry = entries_[Key(a.rule(), a.window())];
    entry.open = a.has_raised_at() && !a.has_resolved_at();
    entry.occurrence = a.occurrence();
    if (a.has_raised_at()) entry.raised_at = ToTime(a.raised_at());
    entry.since = a.raised_position() != 0
                      ? a.raised_position()
                      : Latest({a.evidence_positions().begin(), a.evidence_positions().end()});
    entry.service = a.service();
  }
}

void AlertLedger::AddPending(const v1::Event& e) {
  if (e.has_alert_raised()) {
    const auto& p = e.alert_raised();
    Entry& entry = entries_[Key(p.rule(), p.window())];
    entry.open = true;
    entry.occurrence = std::max(entry.occurrence, p.occurrence());
    entry.raised_at = ToTime(e.occurred_at());
    entry.since = Latest({p.evidence_positions().begin(), p.evidence_positions().end()});
    entry.service = p.service();
  } else if (e.has_alert_resolved()) {
    auto it = entries_.find(Key(e.alert_resolved().rule(), e.alert_resolved().window()));
    if (it != entries_.end()) it->second.open = false;
  }
}

const AlertLedger::Entry* AlertLedger::Find(const std::string& rule,
                                            const std::string& window) const {
  auto it = entries_.find(Key(rule, window));
  return it == entries_.end() ? nullptr : &it->second;
}

bool AlertLedger::IsOpen(const std::string& rule, const std::string& window) const {
  const Entry* entry = Find(rule, window);
  return entry != nullptr && entry->open;
}

std::vector<std::string> AlertLedger::OpenWindows(const std::string& rule) const {
  std::vector<std::string> out;
  const std::string prefix = Key(rule, "");
  for (const auto& [key, entry] : entries_) {
    if (entry.open && key.compare(0, prefix.size(), prefix) == 0) {
      out.push_back(key.substr(prefix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool AlertLedger::Decide(AlertAction& action) {
  if (action.raise) {
    Entry& entry = entries_[Key(action.rule, action.window)];
    if (entry.open) return false;
    entry.open = true;
    action.occurrence = ++entry.occurrence;
    entry.raised_at = action.at;
    entry.since = Latest(action.evidence);
    entry.service = action.service;
    return true;
  }
  auto it = entries_.find(Key(action.rule, action.window));
  if (it == entries_.end() || !it->second.open) return false;
  it->second.open = false;
  action.occurrence = it->second.occurrence;
  action.service = it->second.service;
  action.severity = FindRule(action.rule) != nullptr ? FindRule(action.rule)->severity()
                                                     : v1::ALERT_SEVERITY_UNSPECIFIED;
  return true;
}

void AlertLedger::Take(AlertAction action, const RuleConfig& config,
                       std::vector<AlertAction>* out) {
  if (action.raise && !config.Enabled(action.rule)) return;
  if (Decide(action)) out->push_back(std::move(action));
}

v1::Producer AlertProducer() {
  v1::Producer p;
  p.set_agency(v1::AGENCY_KIND_HUB_ADMIN);
  p.set_organisation("iomhub");
  p.set_system("iomhub-alert-rules");
  p.set_user_id("alert-rules");
  p.set_role("system");
  p.set_purpose("iom_case_management");
  return p;
}

v1::Event AlertEvent(const std::string& person_id, const AlertAction& action,
                     const std::string& causation_id) {
  v1::Event e;
  e.set_event_id(NameBasedUuid(
      kIomhubNamespace, absl::StrCat("alert/", person_id, "/", action.rule, "/", action.window, "/",
                                     action.occurrence, action.raise ? "/raised" : "/resolved")));
  e.set_stream(absl::StrCat("person-", person_id));
  *e.mutable_occurred_at() = ToTimestamp(action.at);
  *e.mutable_producer() = AlertProducer();
  e.set_causation_id(causation_id);
  e.set_handling(v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_PERSONAL);
  if (action.raise) {
    v1::AlertRaised* p = e.mutable_alert_raised();
    p->set_rule(action.rule);
    p->set_window(action.window);
    p->set_summary(action.text);
    p->set_rule_source(FindRule(action.rule)->source());
    p->set_severity(action.severity);
    p->mutable_evidence_positions()->Add(action.evidence.begin(), action.evidence.end());
    p->set_service(action.service);
    p->set_occurrence(action.occurrence);
  } else {
    v1::AlertResolved* p = e.mutable_alert_resolved();
    p->set_rule(action.rule);
    p->set_window(action.window);
    p->set_reason(action.text);
    p->set_service(action.service);
    p->set_occurrence(action.occurrence);
    p->mutable_evidence_positions()->Add(action.evidence.begin(), action.evidence.end());
  }
  return e;
}

}  // namespace iomhub::projections::alert_rules
