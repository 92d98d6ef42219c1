#include "projections/split_record.h"

#include <string>

#include "common/status_matchers.h"
#include "eventstore/testing/in_memory_view_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iomhub/v1/person_state.pb.h"
#include "iomhub/v1/rules.pb.h"
#include "projections/deterministic_bytes.h"
#include "projections/view_txn.h"

namespace iomhub::projections {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::IsOkAndHolds;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kView[] = "v";
constexpr char kKey[] = "person-1";

const SplitLayout& Layout() {
  static const SplitLayout* const layout =
      new SplitLayout(SplitLayout::RepeatedMessagesOf(v1::PersonState::descriptor()));
  return *layout;
}

v1::PersonState WithContacts(int n) {
  v1::PersonState state;
  state.set_person_id("1");
  state.set_team_id("team-a");
  for (int i = 0; i < n; ++i) state.add_contacts()->set_contact_id("c" + std::to_string(i));
  state.add_arrests()->set_custody_ref("C1");
  return state;
}

// Everything `view` holds, key -> value.
std::map<std::string, std::string> Dump(eventstore::ViewStore& store) {
  std::map<std::string, std::string> all;
  EXPECT_THAT(store.Scan(kView, "",
                         [&](absl::string_view k, absl::string_view v) {
                           all.emplace(k, v);
                           return true;
                         }),
              IsOk());
  return all;
}

std::string Key(int field, uint32_t index) { return SplitItemKey(kKey, field, index); }

class SplitRecordTest : public ::testing::Test {
 protected:
  // Stores `state` as a fresh record and returns what was stored.
  SplitParts Store(v1::PersonState state) {
    eventstore::ViewWrite write;
    WriteSplit(kKey, &state, Layout(), nullptr, &write);
    EXPECT_THAT(store_.Commit(kView, write, ++checkpoint_), IsOk());
    absl::StatusOr<std::optional<SplitParts>> parts = ReadSplitParts(store_, kView, kKey, Layout());
    EXPECT_THAT(parts.status(), IsOk());
    return parts->value();
  }

  eventstore::InMemoryViewStore store_;
  uint64_t checkpoint_ = 0;
};

TEST_F(SplitRecordTest, EachListItemHasItsOwnKeyAndTheRecordReadsBackWhole) {
  const v1::PersonState state = WithContacts(2);
  Store(state);
  EXPECT_THAT(Dump(store_), UnorderedElementsAre(Pair(kKey, ::testing::_),
                                                 Pair(Key(v1::PersonState::kContactsFieldNumber, 0),
                                                      DeterministicBytes(state.contacts(0))),
                                                 Pair(Key(v1::PersonState::kContactsFieldNumber, 1),
                                                      DeterministicBytes(state.contacts(1))),
                                                 Pair(Key(v1::PersonState::kArrestsFieldNumber, 0),
                                                      DeterministicBytes(state.arrests(0)))));
  v1::PersonState head;
  ASSERT_TRUE(head.ParseFromString(Dump(store_)[kKey]));
  EXPECT_THAT(head.contacts(), IsEmpty());
  EXPECT_EQ(head.team_id(), "team-a");

  v1::PersonState read;
  ASSERT_THAT(ReadSplit(store_, kView, kKey, Layout(), &read), IsOkAndHolds(true));
  EXPECT_EQ(DeterministicBytes(read), DeterministicBytes(state));
}

TEST_F(SplitRecordTest, OneMoreItemWritesTheHeadAndThatItemOnly) {
  v1::PersonState state = WithContacts(50);
  const SplitParts stored = Store(state);
  state.add_contacts()->set_contact_id("new");
  state.set_events_folded(51);
  eventstore::ViewWrite write;
  WriteSplit(kKey, &state, Layout(), &stored, &write);
  std::vector<std::string> keys;
  for (const auto& [key, value] : write.puts) keys.push_back(key);
  EXPECT_THAT(keys, UnorderedElementsAre(kKey, Key(v1::PersonState::kContactsFieldNumber, 50)));
  EXPECT_THAT(write.deletes, IsEmpty());
  // The message is as it was: its lists came back after the head was written.
  EXPECT_EQ(state.contacts_size(), 51);
  EXPECT_EQ(state.arrests_size(), 1);
}

TEST_F(SplitRecordTest, AnItemChangedInPlaceIsRewrittenAloneAndAnUnchangedHeadIsNot) {
  v1::PersonState state = WithContacts(3);
  const SplitParts stored = Store(state);
  state.mutable_contacts(1)->set_outcome(v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
  eventstore::ViewWrite write;
  WriteSplit(kKey, &state, Layout(), &stored, &write);
  ASSERT_EQ(write.puts.size(), 1u);
  EXPECT_EQ(write.puts[0].first, Key(v1::PersonState::kContactsFieldNumber, 1));
}

TEST_F(SplitRecordTest, AShorterListDeletesTheItemsPastItsEnd) {
  v1::PersonState state = WithContacts(3);
  const SplitParts stored = Store(state);
  state.mutable_contacts()->RemoveLast();
  state.clear_arrests();
  eventstore::ViewWrite write;
  WriteSplit(kKey, &state, Layout(), &stored, &write);
  EXPECT_THAT(write.deletes, UnorderedElementsAre(Key(v1::PersonState::kContactsFieldNumber, 2),
                                                  Key(v1::PersonState::kArrestsFieldNumber, 0)));
}

TEST_F(SplitRecordTest, ARecordStoredWholeBeforeTheSplitReadsAsItIsAndIsSplitAtItsNextWrite) {
  const v1::PersonState state = WithContacts(2);
  ASSERT_THAT(store_.Commit(kView, {{{kKey, DeterministicBytes(state)}}, {}}, 1), IsOk());
  ViewTxn txn(&store_, kView);
  bool existed = false;
  absl::StatusOr<v1::PersonState*> loaded =
      txn.MutableSplit<v1::PersonState>(kKey, Layout(), &existed);
  ASSERT_THAT(loaded.status(), IsOk());
  EXPECT_TRUE(existed);
  EXPECT_EQ(DeterministicBytes(**loaded), DeterministicBytes(state));
  ASSERT_THAT(txn.Commit(2), IsOk());
  EXPECT_EQ(Dump(store_).size(), 4u);  // the head and three items
  v1::PersonState read;
  ASSERT_THAT(ReadSplit(store_, kView, kKey, Layout(), &read), IsOkAndHolds(true));
  EXPECT_EQ(DeterministicBytes(read), DeterministicBytes(state));
}

TEST_F(SplitRecordTest, AMissingItemIsDataLossNotAShorterList) {
  Store(WithContacts(3));
  ASSERT_THAT(store_.Commit(kView, {{}, {Key(v1::PersonState::kContactsFieldNumber, 1)}}, 9),
              IsOk());
  v1::PersonState read;
  EXPECT_THAT(ReadSplit(store_, kView, kKey, Layout(), &read).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(SplitRecordTest, AnItemThatDoesNotParseIsDataLoss) {
  Store(WithContacts(1));
  ASSERT_THAT(
      store_.Commit(kView, {{{Key(v1::PersonState::kContactsFieldNumber, 0), "\xff\xff"}}, {}}, 9),
      IsOk());
  v1::PersonState read;
  EXPECT_THAT(ReadSplit(store_, kView, kKey, Layout(), &read).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(SplitRecordTest, NoHeadIsNoRecord) {
  v1::PersonState read;
  EXPECT_THAT(ReadSplit(store_, kView, kKey, Layout(), &read), IsOkAndHolds(false));
}

TEST_F(SplitRecordTest, ViewTxnDeletesEveryPartOfADeletedRecord) {
  Store(WithContacts(2));
  ViewTxn txn(&store_, kView);
  ASSERT_THAT(txn.MutableSplit<v1::PersonState>(kKey, Layout()).status(), IsOk());
  txn.Delete(kKey);
  ASSERT_THAT(txn.Commit(5), IsOk());
  EXPECT_THAT(Dump(store_), IsEmpty());
}

TEST(SplitLayoutTest, ANestedLayoutSplitsTheListsOfTheMessageAtItsPath) {
  const SplitLayout layout = SplitLayout::RepeatedMessagesOf(v1::AlertTrack::descriptor(),
                                                             {v1::AlertTrack::kStateFieldNumber});
  EXPECT_NE(layout.List(v1::PersonState::kContactsFieldNumber), nullptr);
  EXPECT_EQ(layout.List(v1::AlertTrack::kPendingFieldNumber), nullptr);  // AlertTrack's own

  eventstore::InMemoryViewStore store;
  v1::AlertTrack track;
  track.set_fixed_indexed(true);
  eventstore::ViewWrite write;
  WriteSplit("t", &track, layout, nullptr, &write);  // no state: only the head
  EXPECT_THAT(write.puts, ElementsAre(Pair("t", DeterministicBytes(track))));

  track.mutable_state()->add_contacts()->set_contact_id("c");
  write = {};
  WriteSplit("t", &track, layout, nullptr, &write);
  ASSERT_THAT(store.Commit(kView, write, 1), IsOk());
  v1::AlertTrack read;
  ASSERT_THAT(ReadSplit(store, kView, "t", layout, &read), IsOkAndHolds(true));
  EXPECT_EQ(DeterministicBytes(read), DeterministicBytes(track));
}

}  // namespace
}  // namespace iomhub::projections
