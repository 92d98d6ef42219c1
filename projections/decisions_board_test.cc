// The decisions board view: a team's considerations, open and closed, and
// a person's moving with them.
#include "projections/decisions_board.h"

#include "common/status_matchers.h"
#include "eventstore/testing/in_memory_view_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/test_person_stream.h"

namespace iomhub::projections {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::TestPersonStream;
using ::iomhub::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Board(eventstore::ViewStore& views, const std::string& team) {
  absl::StatusOr<std::vector<BoardEntry>> entries = TeamBoard(views, "board", team);
  EXPECT_THAT(entries, IsOk());
  std::vector<std::string> out;
  for (const BoardEntry& e : entries.value_or(std::vector<BoardEntry>())) {
    out.push_back(absl::StrCat(e.consideration_id, e.open ? " open" : " closed"));
  }
  return out;
}

TEST(DecisionsBoard, ConsiderationsOpenCloseAndMoveWithThePersonsTeam) {
  eventstore::InMemoryViewStore views;
  DecisionsBoardProjection board;
  TestPersonStream s;
  s.Next(London(2026, 11, 2))->mutable_cohort_selected()->set_team_id("gwent-newport");
  for (const char* id : {"bc-1", "bc-2"}) {
    v1::BreachConsiderationOpened* o = s.Next(London(2026, 11, 3))->mutable_breach_consideration_opened();
    o->set_consideration_id(id);
  }
  s.Next(London(2026, 11, 4))->mutable_joint_decision_recorded()->set_consideration_id("bc-1");
  uint64_t applied = 0;
  auto apply_all = [&] {
    ViewTxn txn(&views, "board");
    for (; applied < s.size(); ++applied) ASSERT_THAT(board.Apply(s.Get(applied), txn), IsOk());
    ASSERT_THAT(txn.Commit(applied), IsOk());
  };
  apply_all();
  EXPECT_THAT(Board(views, "gwent-newport"), ElementsAre("bc-1 closed", "bc-2 open"));
  // Reopening a closed one (data that breaks the rules) does not reopen it.
  s.Next(London(2026, 11, 5))->mutable_breach_consideration_opened()->set_consideration_id("bc-1");
  v1::TeamChanged* moved = s.Next(London(2026, 11, 6))->mutable_team_changed();
  moved->set_from_team_id("gwent-newport");
  moved->set_to_team_id("gwent-caerphilly");
  s.Next(London(2026, 11, 7))->mutable_breach_consideration_withdrawn()->set_consideration_id("bc-2");
  apply_all();
  EXPECT_THAT(Board(views, "gwent-newport"), IsEmpty());
  EXPECT_THAT(Board(views, "gwent-caerphilly"), ElementsAre("bc-1 closed", "bc-2 closed"));
}

TEST(DecisionsBoard, WantsOnlyTeamsAndTheStepsThatOpenOrCloseAConsideration) {
  DecisionsBoardProjection board;
  eventstore::EventPeek peek;
  peek.stream = "person-00000000-0000-4000-8000-000000000001";
  peek.payload_field = v1::Event::kPositionRecordedFieldNumber;
  EXPECT_FALSE(board.Wants(peek));
  peek.payload_field = v1::Event::kBreachConsiderationWithdrawnFieldNumber;
  EXPECT_TRUE(board.Wants(peek));
  peek.stream = "team-1";
  EXPECT_FALSE(board.Wants(peek));
}

}  // namespace
}  // namespace iomhub::projections
