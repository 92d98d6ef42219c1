// What only the RocksDB view store does, beyond the ViewStore contract
// (view_store_contract_test.cc): its keys and checkpoints live in the data
// directory, so they survive a reopen, and a Commit — one WriteBatch — is
// whole or absent after a crash, never in part. Crashes are simulated with
// RocksDbHooks::simulate_crash_on_shutdown (memtables never flushed: the
// reopen replays the WAL, as after a kill).
#include "eventstore/rocksdb_view_store.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::Pair;
using testing::ScopedTempDir;

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries ScanAll(ViewStore& views, absl::string_view view) {
  Entries out;
  EXPECT_THAT(views.Scan(view, "",
                         [&](absl::string_view k, absl::string_view v) {
                           out.emplace_back(std::string(k), std::string(v));
                           return true;
                         }),
              IsOk());
  return out;
}

// `keys` puts of a 200-byte value, named prefix0, prefix1, ...
ViewWrite ManyPuts(const std::string& prefix, int keys) {
  ViewWrite write;
  for (int i = 0; i < keys; ++i) {
    write.puts.emplace_back(absl::StrCat(prefix, i), std::string(200, 'v'));
  }
  return write;
}

// Two commits to "case" (checkpoints 1 and 2), then a simulated crash.
void CommitTwiceAndCrash(const std::string& path) {
  absl::StatusOr<std::shared_ptr<RocksDbDatabase>> database =
      RocksDbDatabase::Open({.path = path}, {.simulate_crash_on_shutdown = true});
  ASSERT_THAT(database, IsOk());
  RocksDbViewStore views(std::move(database).value());
  ASSERT_THAT(views.Commit("case", ManyPuts("first-", 10), 1), IsOk());
  ASSERT_THAT(views.Commit("case", ManyPuts("second-", 20), 2), IsOk());
}

std::string LastWal(const std::string& dir) {
  std::vector<std::string> logs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") logs.push_back(entry.path().string());
  }
  std::sort(logs.begin(), logs.end());
  return logs.empty() ? "" : logs.back();
}

size_t CountWithPrefix(const Entries& entries, absl::string_view prefix) {
  return std::count_if(entries.begin(), entries.end(),
                       [&](const auto& e) { return absl::StartsWith(e.first, prefix); });
}

TEST(RocksDbViewStore, KeysAndCheckpointsSurviveReopen) {
  ScopedTempDir dir;
  {
    absl::StatusOr<Storage> storage = OpenStorage({.path = dir.path()});
    ASSERT_THAT(storage, IsOk());
    ViewStore& views = *storage->views;
    ViewWrite write;
    write.puts = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
    ASSERT_THAT(views.Commit("case", write, 41), IsOk());
    write.puts = {{"x", "y"}};
    write.deletes = {"a"};
    ASSERT_THAT(views.Commit("case", write, 42), IsOk());
    ASSERT_THAT(views.Commit("case2", write, 7), IsOk());
    ASSERT_THAT(views.Commit("dropped", write, 9), IsOk());
    ASSERT_THAT(views.Drop("dropped"), IsOk());
  }
  absl::StatusOr<Storage> storage = OpenStorage({.path = dir.path()});
  ASSERT_THAT(storage, IsOk());
  ViewStore& views = *storage->views;
  EXPECT_THAT(ScanAll(views, "case"), ElementsAre(Pair("b", "2"), Pair("c", "3"), Pair("x", "y")));
  EXPECT_THAT(*views.Checkpoint("case"), 42u);
  EXPECT_THAT(*views.Get("case2", "x"), Optional(std::string("y")));
  EXPECT_THAT(*views.Checkpoint("case2"), 7u);
  EXPECT_THAT(ScanAll(views, "dropped"), IsEmpty());
  EXPECT_THAT(*views.Checkpoint("dropped"), 0u);
}

TEST(RocksDbViewStore, CommitsAreWholeAfterACrash) {
  ScopedTempDir dir;
  CommitTwiceAndCrash(dir.path());
  absl::StatusOr<Storage> storage = OpenStorage({.path = dir.path()});
  ASSERT_THAT(storage, IsOk());
  const Entries entries = ScanAll(*storage->views, "case");
  EXPECT_EQ(CountWithPrefix(entries, "first-"), 10u);
  EXPECT_EQ(CountWithPrefix(entries, "second-"), 20u);
  EXPECT_THAT(*storage->views->Checkpoint("case"), 2u);
}

// The crash tore the last commit's WAL record: the reopen drops the whole
// commit — none of its keys, and the checkpoint of the commit before.
TEST(RocksDbViewStore, ACommitTornByACrashIsLostWhole) {
  ScopedTempDir dir;
  CommitTwiceAndCrash(dir.path());
  const std::string wal = LastWal(dir.path());
  ASSERT_FALSE(wal.empty());
  std::filesystem::resize_file(wal, std::filesystem::file_size(wal) - 10);

  absl::StatusOr<Storage> storage = OpenStorage({.path = dir.path()});
  ASSERT_THAT(storage, IsOk());
  const Entries entries = ScanAll(*storage->views, "case");
  EXPECT_EQ(CountWithPrefix(entries, "first-"), 10u);
  EXPECT_EQ(CountWithPrefix(entries, "second-"), 0u);
  EXPECT_EQ(entries.size(), 10u);
  EXPECT_THAT(*storage->views->Checkpoint("case"), 1u);
}

}  // namespace
}  // namespace iomhub::eventstore
