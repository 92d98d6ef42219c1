#include "projections/cohort_view.h"

#include "absl/strings/str_cat.h"
#include "projections/case_view_projection.h"
#include "projections/person_state.h"

namespace iomhub::projections {
namespace {

// NUL separates the parts: no team or person id contains it, so one team's
// keys never fall among another's even when one id is a prefix of another.
constexpr absl::string_view kSep("\0", 1);

std::string MemberKey(absl::string_view team, absl::string_view person) {
  return absl::StrCat("t", kSep, team, kSep, person);
}

}  // namespace

bool CohortViewProjection::Wants(const eventstore::EventPeek& event) const {
  return IsPersonStream(event.stream) &&
         (event.payload_field == v1::Event::kNominalReferredFieldNumber ||
          event.payload_field == v1::Event::kCohortSelectedFieldNumber ||
          event.payload_field == v1::Event::kTeamChangedFieldNumber);
}

absl::Status CohortViewProjection::Apply(const v1::Event& event, ViewTxn& txn) const {
  const std::optional<std::string> team = TeamAssignedBy(event);
  if (!team.has_value()) return absl::OkStatus();
  const std::string person = PersonIdOf(event.stream());
  const std::string current_key = absl::StrCat("m", kSep, person);
  absl::StatusOr<std::optional<std::string>> current = txn.Get(current_key);
  if (!current.ok()) return current.status();
  if (current->has_value() && **current == *team) return absl::OkStatus();
  if (current->has_value()) txn.Delete(MemberKey(**current, person));
  txn.Put(MemberKey(*team, person), "");
  txn.Put(current_key, *team);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TeamMembers(eventstore::ViewStore& views,
                                                     const std::string& view,
                                                     const std::string& team_id) {
  std::vector<std::string> members;
  const std::string prefix = MemberKey(team_id, "");
  absl::Status scanned = views.Scan(view, prefix, [&](absl::string_view key, absl::string_view) {
    members.emplace_back(key.substr(prefix.size()));
    return true;
  });
  if (!scanned.ok()) return scanned;
  return members;
}

}  // namespace iomhub::projections
