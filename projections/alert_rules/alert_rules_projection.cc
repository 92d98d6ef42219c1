#include "projections/alert_rules/alert_rules_projection.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/timestamps.h"
#include "projections/alert_rules/alert_rules.h"
#include "projections/alert_rules/command_rules.h"
#include "projections/alert_rules/rule_facts.h"
#include "projections/case_view_projection.h"
#include "projections/deterministic_bytes.h"
#include "projections/person_state.h"

namespace iomhub::projections::alert_rules {
namespace {

std::string OutboxKey(uint64_t position, size_t index) {
  return absl::StrFormat("%s%020d/%03d", kOutboxPrefix, position, index);
}

std::string DeadlineKey(const Deadline& d, const std::string& person) {
  const int64_t seconds = std::max<int64_t>(0, absl::ToUnixSeconds(d.due));
  return absl::StrFormat("%s%020d/%s/%s/%s", kDeadlinePrefix, seconds, person, d.rule, d.window);
}

const Parameters& ForTeam(const RuleConfig& config, const TeamDirectory& teams,
                          const std::string& team_id) {
  const v1::Team* team = teams.FindTeam(team_id);
  return config.ForArea(team == nullptr ? "" : team->area_id());
}

}  // namespace

const SplitLayout& AlertTrackLayout() {
  static const SplitLayout* const layout = new SplitLayout(SplitLayout::RepeatedMessagesOf(
      v1::AlertTrack::descriptor(), {v1::AlertTrack::kStateFieldNumber}));
  return *layout;
}

const Parameters& ParametersFor(const RuleConfig& config, const TeamDirectory& teams,
                                const v1::PersonState& state) {
  return ForTeam(config, teams, state.team_id());
}

std::string PersonOfIndexKey(absl::string_view key) {
  std::vector<absl::string_view> parts = absl::StrSplit(key, absl::MaxSplits('/', 3));
  if (parts.size() >= 2 && parts[0] == "f") return std::string(parts[1]);
  if (parts.size() >= 3 && parts[0] == "d") return std::string(parts[2]);
  return "";
}

AlertRulesProjection::AlertRulesProjection(std::shared_ptr<const RuleConfig> config,
                                           const TeamDirectory* teams)
    : config_(std::move(config)), teams_(teams) {}

absl::Status AlertRulesProjection::Apply(const v1::Event& event, ViewTxn& txn) const {
  const std::string person = PersonIdOf(event.stream());
  absl::StatusOr<v1::AlertTrack*> tracked =
      txn.MutableSplit<v1::AlertTrack>(kTrackPrefix + person, AlertTrackLayout());
  if (!tracked.ok()) return tracked.status();
  v1::AlertTrack& track = **tracked;
  v1::PersonState& state = *track.mutable_state();

  // Did the event override a rule? Judged on the state before it, as the
  // append was (the moment is when it was recorded).
  std::optional<RuleBreach> overridden;
  if (!OverrideReasonOf(event).empty()) {
    const std::optional<std::string> team = TeamAssignedBy(event);
    const Parameters& params =
        ForTeam(*config_, *teams_, state.team_id().empty() && team ? *team : state.team_id());
    overridden = FindBreach(state, event, *config_, params, ToTime(event.recorded_at()));
  }
  if (absl::Status folded = ApplyToPersonState(event, &state); !folded.ok()) return folded;

  // An alert event back from the log leaves the outbox.
  if (event.has_alert_raised() || event.has_alert_resolved()) {
    auto* pending = track.mutable_pending();
    for (int i = 0; i < pending->size(); ++i) {
      if (pending->Get(i).event().event_id() != event.event_id()) continue;
      txn.Delete(pending->Get(i).outbox_key());
      pending->DeleteSubrange(i, 1);
      break;
    }
  }

  AlertLedger ledger(state);
  for (const auto& p : track.pending()) ledger.AddPending(p.event());
  const Parameters& params = ParametersFor(*config_, *teams_, state);
  std::vector<AlertAction> actions =
      AlertsOnEvent(state, event, overridden, *config_, params, ledger);
  for (size_t i = 0; i < actions.size(); ++i) {
    v1::AlertTrack::Pending* pending = track.add_pending();
    pending->set_outbox_key(OutboxKey(event.position(), i));
    *pending->mutable_event() = AlertEvent(person, actions[i], event.event_id());
    txn.Put(pending->outbox_key(), DeterministicBytes(pending->event()));
  }

  // The indexes the AlertRunner reads.
  std::vector<std::string> keys;
  for (const Deadline& d : Deadlines(state, *config_, params, ledger)) {
    keys.push_back(DeadlineKey(d, person));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  const absl::flat_hash_set<std::string> now(keys.begin(), keys.end());
  const absl::flat_hash_set<std::string> before(track.deadline_keys().begin(),
                                                track.deadline_keys().end());
  for (const std::string& key : before) {
    if (!now.contains(key)) txn.Delete(key);
  }
  for (const std::string& key : keys) {
    if (!before.contains(key)) txn.Put(key, "");
  }
  track.mutable_deadline_keys()->Assign(keys.begin(), keys.end());
  const bool fixed = OnFixed(state);
  if (fixed != track.fixed_indexed()) {
    if (fixed) {
      txn.Put(kFixedPrefix + person, "");
    } else {
      txn.Delete(kFixedPrefix + person);
    }
    track.set_fixed_indexed(fixed);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::AlertTrack> ReadTrack(eventstore::ViewStore& views, const std::string& view,
                                         const std::string& person_id) {
  v1::AlertTrack track;
  absl::StatusOr<bool> found =
      ReadSplit(views, view, kTrackPrefix + person_id, AlertTrackLayout(), &track);
  if (!found.ok()) {
    return absl::Status(found.status().code(),
                        absl::StrCat("the alert rules view's record of person ", person_id, ": ",
                                     found.status().message()));
  }
  if (!*found) {
    return absl::NotFoundError(absl::StrCat("no person ", person_id, " in the alert rules view"));
  }
  return track;
}

}  // namespace iomhub::projections::alert_rules
