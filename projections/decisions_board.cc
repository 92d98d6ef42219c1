#include "projections/decisions_board.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "iomhub/v1/person_state.pb.h"
#include "projections/case_view_projection.h"
#include "projections/person_state.h"

namespace iomhub::projections {
namespace {

std::string EntryKey(const std::string& team, const std::string& person, const std::string& id) {
  return absl::StrCat("t/", team, "/", person, "/", id);
}

void Put(ViewTxn& txn, const std::string& team, const std::string& person,
         const v1::BoardTrack::Item& item) {
  if (team.empty()) return;  // on no team's board until one is assigned
  txn.Put(EntryKey(team, person, item.consideration_id()), item.open() ? "open" : "closed");
}

}  // namespace

bool DecisionsBoardProjection::Wants(const eventstore::EventPeek& event) const {
  if (!IsPersonStream(event.stream)) return false;
  switch (event.payload_field) {
    case v1::Event::kNominalReferredFieldNumber:
    case v1::Event::kCohortSelectedFieldNumber:
    case v1::Event::kTeamChangedFieldNumber:
    case v1::Event::kBreachConsiderationOpenedFieldNumber:
    case v1::Event::kJointDecisionRecordedFieldNumber:
    case v1::Event::kBreachConsiderationWithdrawnFieldNumber:
      return true;
    default:
      return false;
  }
}

absl::Status DecisionsBoardProjection::Apply(const v1::Event& event, ViewTxn& txn) const {
  const std::string person = PersonIdOf(event.stream());
  absl::StatusOr<v1::BoardTrack*> tracked = txn.Mutable<v1::BoardTrack>(absl::StrCat("m/", person));
  if (!tracked.ok()) return tracked.status();
  v1::BoardTrack& track = **tracked;
  if (std::optional<std::string> team = TeamAssignedBy(event);
      team.has_value() && *team != track.team_id()) {
    for (const v1::BoardTrack::Item& item : track.items()) {
      if (!track.team_id().empty()) {
        txn.Delete(EntryKey(track.team_id(), person, item.consideration_id()));
      }
      Put(txn, *team, person, item);
    }
    track.set_team_id(*team);
  }
  bool existed = true;
  auto item_of = [&](const std::string& id) -> v1::BoardTrack::Item* {
    for (v1::BoardTrack::Item& item : *track.mutable_items()) {
      if (item.consideration_id() == id) return &item;
    }
    existed = false;
    v1::BoardTrack::Item* item = track.add_items();
    item->set_consideration_id(id);
    return item;
  };
  std::string id;
  bool open = false;
  if (event.has_breach_consideration_opened()) {
    id = event.breach_consideration_opened().consideration_id();
    open = true;
  } else if (event.has_joint_decision_recorded()) {
    id = event.joint_decision_recorded().consideration_id();
  } else if (event.has_breach_consideration_withdrawn()) {
    id = event.breach_consideration_withdrawn().consideration_id();
  } else {
    return absl::OkStatus();
  }
  if (id.empty()) return absl::OkStatus();
  v1::BoardTrack::Item* item = item_of(id);
  // A consideration opens once; a decision or withdrawal closes it for good
  // (the decision rules refuse the rest; raw data that breaks them does not
  // reopen one).
  if (open) {
    if (existed) return absl::OkStatus();
    item->set_open(true);
  } else {
    item->set_open(false);
  }
  Put(txn, track.team_id(), person, *item);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BoardEntry>> TeamBoard(eventstore::ViewStore& views,
                                                  const std::string& view,
                                                  const std::string& team_id) {
  std::vector<BoardEntry> out;
  const std::string prefix = absl::StrCat("t/", team_id, "/");
  absl::Status scanned = views.Scan(view, prefix, [&](absl::string_view key, absl::string_view v) {
    std::vector<std::string> parts = absl::StrSplit(key.substr(prefix.size()), absl::MaxSplits('/', 1));
    if (parts.size() == 2) out.push_back({parts[0], parts[1], v == "open"});
    return true;
  });
  if (!scanned.ok()) return scanned;
  return out;
}

}  // namespace iomhub::projections
