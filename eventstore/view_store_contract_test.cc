// The ViewStore contract suite: the behaviour view_store.h promises, checked
// through the interface alone against every implementation — the RocksDB
// view store (OpenStorage in a fresh directory) and InMemoryViewStore. A
// future backend for views must pass it too: add a Backend below.
//
// What only the RocksDB view store does (surviving a reopen, a commit whole
// or absent after a crash) is tested in rocksdb_view_store_test.cc.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/storage.h"
#include "eventstore/testing/in_memory_view_store.h"
#include "eventstore/view_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::Pair;
using testing::ScopedTempDir;

using Entries = std::vector<std::pair<std::string, std::string>>;

// ---------------------------------------------------------------------------
// Backends: each opens one fresh, empty view store per test.

class RocksDbBackend {
 public:
  static constexpr char kName[] = "RocksDb";
  ViewStore* Open() {
    absl::StatusOr<Storage> storage = OpenStorage({.path = dir_.path()});
    EXPECT_THAT(storage, IsOk());
    if (!storage.ok()) return nullptr;
    storage_ = std::move(storage).value();
    return storage_.views.get();
  }

 private:
  ScopedTempDir dir_;  // declared first: removed after the storage closes
  Storage storage_;
};

class InMemoryBackend {
 public:
  static constexpr char kName[] = "InMemory";
  ViewStore* Open() { return &views_; }

 private:
  InMemoryViewStore views_;
};

using Backends = ::testing::Types<RocksDbBackend, InMemoryBackend>;

struct BackendName {
  template <typename Backend>
  static std::string GetName(int) {
    return Backend::kName;
  }
};

template <typename Backend>
class ViewStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    views_ = backend_.Open();
    ASSERT_NE(views_, nullptr);
  }

  ViewStore& views() { return *views_; }

  // Every entry of `view` under `prefix`, in scan order; fails the test on
  // an error.
  Entries ScanAll(absl::string_view view, absl::string_view prefix = "") {
    Entries out;
    const absl::Status s =
        views_->Scan(view, prefix, [&](absl::string_view k, absl::string_view v) {
          out.emplace_back(std::string(k), std::string(v));
          return true;
        });
    EXPECT_THAT(s, IsOk());
    return out;
  }

  // Commits `puts` to `view` with `checkpoint`; fails the test on an error.
  void Put(absl::string_view view, Entries puts, uint64_t checkpoint) {
    ViewWrite write;
    write.puts = std::move(puts);
    ASSERT_THAT(views_->Commit(view, write, checkpoint), IsOk());
  }

 private:
  Backend backend_;
  ViewStore* views_ = nullptr;
};
TYPED_TEST_SUITE(ViewStoreContract, Backends, BackendName);

// ---------------------------------------------------------------------------
// Get and Commit.

TYPED_TEST(ViewStoreContract, GetOfAnAbsentKeyIsNullopt) {
  EXPECT_THAT(this->views().Get("case", "k"), IsOk());
  EXPECT_EQ(*this->views().Get("case", "k"), std::nullopt);  // a view never committed
  this->Put("case", {{"a", "1"}}, 1);
  EXPECT_EQ(*this->views().Get("case", "b"), std::nullopt);
  EXPECT_EQ(*this->views().Get("case", ""), std::nullopt);
  EXPECT_EQ(*this->views().Get("case2", "a"), std::nullopt);  // another view
}

TYPED_TEST(ViewStoreContract, GetReturnsTheCommittedValue) {
  const std::string binary("v\0\xff", 3);
  this->Put("case", {{"a", "1"}, {"b", binary}, {"", "empty key"}}, 1);
  EXPECT_THAT(this->views().Get("case", "a"), IsOk());
  EXPECT_THAT(*this->views().Get("case", "a"), Optional(std::string("1")));
  EXPECT_THAT(*this->views().Get("case", "b"), Optional(binary));
  EXPECT_THAT(*this->views().Get("case", ""), Optional(std::string("empty key")));
}

TYPED_TEST(ViewStoreContract, CommitAppliesPutsAndDeletesWithItsCheckpoint) {
  this->Put("case", {{"a", "1"}, {"b", "2"}, {"c", "3"}}, 5);
  EXPECT_THAT(this->views().Checkpoint("case"), IsOk());
  EXPECT_EQ(*this->views().Checkpoint("case"), 5u);

  ViewWrite write;
  write.puts = {{"b", "20"}, {"d", "4"}};
  write.deletes = {"a", "never-there"};
  ASSERT_THAT(this->views().Commit("case", write, 9), IsOk());
  EXPECT_EQ(*this->views().Checkpoint("case"), 9u);
  EXPECT_THAT(this->ScanAll("case"), ElementsAre(Pair("b", "20"), Pair("c", "3"), Pair("d", "4")));
}

TYPED_TEST(ViewStoreContract, CommitWithoutWritesStillMovesTheCheckpoint) {
  this->Put("case", {{"a", "1"}}, 3);
  ASSERT_THAT(this->views().Commit("case", ViewWrite{}, 12), IsOk());
  EXPECT_EQ(*this->views().Checkpoint("case"), 12u);
  EXPECT_THAT(this->ScanAll("case"), ElementsAre(Pair("a", "1")));
}

TYPED_TEST(ViewStoreContract, DeletesAreAppliedBeforePuts) {
  this->Put("case", {{"a", "old"}, {"b", "old"}}, 1);
  ViewWrite write;
  write.deletes = {"a", "b", "c"};
  write.puts = {{"a", "new"}, {"c", "new"}};
  ASSERT_THAT(this->views().Commit("case", write, 2), IsOk());
  EXPECT_THAT(this->ScanAll("case"), ElementsAre(Pair("a", "new"), Pair("c", "new")));
}

TYPED_TEST(ViewStoreContract, CheckpointIsZeroBeforeAnyCommit) {
  EXPECT_THAT(this->views().Checkpoint("case"), IsOk());
  EXPECT_EQ(*this->views().Checkpoint("case"), 0u);
  this->Put("case2", {{"a", "1"}}, 7);
  EXPECT_EQ(*this->views().Checkpoint("case"), 0u);  // another view's commit is not this one's
}

// ---------------------------------------------------------------------------
// Scan.

TYPED_TEST(ViewStoreContract, ScanVisitsThePrefixsKeysInBytewiseOrder) {
  const std::string nul_a("a\0", 2), nul_ab("a\0b", 3), high("\xff", 1), high_a("a\xff", 2);
  this->Put("case",
            {{"b", "6"},
             {high_a, "5"},
             {"ab", "4"},
             {nul_ab, "3"},
             {"a", "1"},
             {nul_a, "2"},
             {high, "7"},
             {"", "0"}},
            1);
  EXPECT_THAT(this->ScanAll("case"),
              ElementsAre(Pair("", "0"), Pair("a", "1"), Pair(nul_a, "2"), Pair(nul_ab, "3"),
                          Pair("ab", "4"), Pair(high_a, "5"), Pair("b", "6"), Pair(high, "7")));
  EXPECT_THAT(this->ScanAll("case", "a"),
              ElementsAre(Pair("a", "1"), Pair(nul_a, "2"), Pair(nul_ab, "3"), Pair("ab", "4"),
                          Pair(high_a, "5")));
  EXPECT_THAT(this->ScanAll("case", nul_a), ElementsAre(Pair(nul_a, "2"), Pair(nul_ab, "3")));
  EXPECT_THAT(this->ScanAll("case", "ab"), ElementsAre(Pair("ab", "4")));
  EXPECT_THAT(this->ScanAll("case", "abc"), IsEmpty());
  EXPECT_THAT(this->ScanAll("case", "c"), IsEmpty());
}

// A view's keys never show in a view whose name extends its own ("case" and
// "case2"), nor does a prefix reach across the separator between view name
// and key: "case" with prefix "2" is not "case2".
TYPED_TEST(ViewStoreContract, ScanStaysInsideItsView) {
  const std::string nul_x("\0x", 2), two_nul("2\0z", 3);
  this->Put("case", {{"2", "case:2"}, {two_nul, "case:2z"}, {nul_x, "case:x"}}, 1);
  this->Put("case2", {{"x", "case2:x"}, {"", "case2:empty"}}, 2);
  this->Put("cas", {{"e", "cas:e"}}, 3);

  EXPECT_THAT(this->ScanAll("case"),
              ElementsAre(Pair(nul_x, "case:x"), Pair("2", "case:2"), Pair(two_nul, "case:2z")));
  EXPECT_THAT(this->ScanAll("case", "2"),
              ElementsAre(Pair("2", "case:2"), Pair(two_nul, "case:2z")));
  EXPECT_THAT(this->ScanAll("case2"), ElementsAre(Pair("", "case2:empty"), Pair("x", "case2:x")));
  EXPECT_THAT(this->ScanAll("cas"), ElementsAre(Pair("e", "cas:e")));
  EXPECT_THAT(this->ScanAll("cas", "e"), ElementsAre(Pair("e", "cas:e")));
  EXPECT_THAT(this->ScanAll("ca"), IsEmpty());
  EXPECT_EQ(*this->views().Get("case", "x"), std::nullopt);
  EXPECT_EQ(*this->views().Get("cas", std::string("e\0x", 3)), std::nullopt);
}

TYPED_TEST(ViewStoreContract, ScanStopsWhenTheVisitorSaysSo) {
  this->Put("case", {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}, 1);
  std::vector<std::string> seen;
  ASSERT_THAT(this->views().Scan("case", "",
                                 [&](absl::string_view key, absl::string_view) {
                                   seen.emplace_back(key);
                                   return seen.size() < 2;
                                 }),
              IsOk());
  EXPECT_THAT(seen, ElementsAre("a", "b"));
}

TYPED_TEST(ViewStoreContract, ScanOfAViewNeverCommittedVisitsNothing) {
  this->Put("case2", {{"a", "1"}}, 1);
  EXPECT_THAT(this->ScanAll("case"), IsEmpty());
}

// ---------------------------------------------------------------------------
// Drop and names.

TYPED_TEST(ViewStoreContract, DropRemovesTheViewsKeysAndCheckpointOnly) {
  this->Put("case", {{"a", "1"}, {std::string("\xff\xff", 2), "2"}}, 4);
  this->Put("case2", {{"a", "x"}}, 6);
  this->Put("cas", {{"e", "y"}}, 8);
  ASSERT_THAT(this->views().Drop("case"), IsOk());
  EXPECT_THAT(this->ScanAll("case"), IsEmpty());
  EXPECT_EQ(*this->views().Get("case", "a"), std::nullopt);
  EXPECT_EQ(*this->views().Checkpoint("case"), 0u);
  EXPECT_THAT(this->ScanAll("case2"), ElementsAre(Pair("a", "x")));
  EXPECT_EQ(*this->views().Checkpoint("case2"), 6u);
  EXPECT_THAT(this->ScanAll("cas"), ElementsAre(Pair("e", "y")));
  EXPECT_EQ(*this->views().Checkpoint("cas"), 8u);

  // A dropped view starts again from nothing; dropping twice is fine.
  ASSERT_THAT(this->views().Drop("case"), IsOk());
  this->Put("case", {{"b", "2"}}, 1);
  EXPECT_THAT(this->ScanAll("case"), ElementsAre(Pair("b", "2")));
  EXPECT_EQ(*this->views().Checkpoint("case"), 1u);
}

TYPED_TEST(ViewStoreContract, InvalidViewNamesAreRefused) {
  ViewStore& views = this->views();
  const std::string with_nul("ca\0se", 5);
  for (const std::string& name : {std::string(), std::string(101, 'v'), with_nul}) {
    SCOPED_TRACE(absl::StrCat("name of ", name.size(), " bytes"));
    EXPECT_THAT(ValidateViewName(name), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(views.Get(name, "k"), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(views.Scan(name, "", [](absl::string_view, absl::string_view) { return true; }),
                StatusIs(absl::StatusCode::kInvalidArgument));
    ViewWrite write;
    write.puts = {{"k", "v"}};
    EXPECT_THAT(views.Commit(name, write, 1), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(views.Checkpoint(name), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(views.Drop(name), StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(ValidateViewName(std::string(101, 'v')),
              StatusIs(absl::StatusCode::kInvalidArgument, "1..100 bytes, not 101"));
  EXPECT_THAT(ValidateViewName(with_nul), StatusIs(absl::StatusCode::kInvalidArgument, "NUL"));
  // The longest name is fine.
  const std::string longest(100, 'v');
  EXPECT_THAT(ValidateViewName(longest), IsOk());
  this->Put(longest, {{"k", "v"}}, 1);
  EXPECT_THAT(this->ScanAll(longest), ElementsAre(Pair("k", "v")));
}

// ---------------------------------------------------------------------------
// Atomicity under concurrency.

// Commit n replaces generation n-1's keys with generation n's, all valued n,
// and checkpoints n. Every scan must see exactly one whole generation (or,
// before the first commit, nothing), and a checkpoint read after the scan is
// never behind the generation it saw.
TYPED_TEST(ViewStoreContract, AScanRacingCommitsSeesAllOrNoneOfEachCommit) {
  constexpr int kKeys = 16;
  constexpr int kCommits = 300;
  ViewStore& views = this->views();
  absl::Notification writer_done;
  std::thread writer([&] {
    for (int gen = 1; gen <= kCommits; ++gen) {
      ViewWrite write;
      for (int k = 0; k < kKeys; ++k) {
        if (gen > 1) write.deletes.push_back(absl::StrCat("g", gen - 1, "/", k));
        write.puts.emplace_back(absl::StrCat("g", gen, "/", k), absl::StrCat(gen));
      }
      EXPECT_THAT(views.Commit("race", write, gen), IsOk());
    }
    writer_done.Notify();
  });
  auto check_scans = [&] {
    int scans = 0;
    while (!writer_done.HasBeenNotified() || scans < 10) {
      ++scans;
      std::vector<int> generations;
      bool keys_match = true;
      ASSERT_THAT(views.Scan("race", "g",
                             [&](absl::string_view key, absl::string_view value) {
                               int gen = 0;
                               EXPECT_TRUE(absl::SimpleAtoi(value, &gen)) << value;
                               generations.push_back(gen);
                               keys_match =
                                   keys_match && absl::StartsWith(key, absl::StrCat("g", gen, "/"));
                               return true;
                             }),
                  IsOk());
      absl::StatusOr<uint64_t> checkpoint = views.Checkpoint("race");
      ASSERT_THAT(checkpoint, IsOk());
      EXPECT_TRUE(keys_match);
      if (generations.empty()) {
        continue;  // before the first commit
      }
      ASSERT_EQ(generations.size(), static_cast<size_t>(kKeys))
          << "part of a commit, scan " << scans;
      for (int gen : generations) ASSERT_EQ(gen, generations[0]) << "two commits mixed";
      EXPECT_GE(*checkpoint, static_cast<uint64_t>(generations[0]));
    }
  };
  std::thread reader(check_scans);
  check_scans();
  reader.join();
  writer.join();
  EXPECT_EQ(*views.Checkpoint("race"), static_cast<uint64_t>(kCommits));
  const Entries last = this->ScanAll("race");
  ASSERT_EQ(last.size(), static_cast<size_t>(kKeys));
  for (const auto& [key, value] : last) EXPECT_EQ(value, absl::StrCat(kCommits)) << key;
}

}  // namespace
}  // namespace iomhub::eventstore
