// Backup, restore and verification through the real binaries, as an
// operator runs them: `iomctl admin backup` on a hub taking appends,
// `iomhubd --restore_from` into a new directory, `iomhubd --verify`, a hub
// started on the restored copy holding every event acknowledged before the
// backup began, and `--verify` naming a flipped byte and a missing index
// entry (exit 2).
#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "eventstore/testing/store_tamper.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

class BackupE2eTest : public MtlsHubTest {
 protected:
  HubOptions Options() const override {
    HubOptions options = MtlsHubTest::Options();
    if (!data_dir_.empty()) options.data_dir = data_dir_;
    return options;
  }

  CommandResult Iomhubd(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {IomhubdPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<CommandResult> r = RunCommand(argv, absl::Seconds(60));
    EXPECT_THAT(r, IsOk());
    return r.value_or(CommandResult{});
  }

  std::string data_dir_;  // empty: the fixture's
};

struct Acked {
  uint64_t first_position = 0;
  std::vector<std::string> ids;
};

TEST_F(BackupE2eTest, ABackupUnderLoadRestoresVerifiesAndHoldsEverythingAcknowledgedBeforeIt) {
  if (IomctlPath().empty()) GTEST_SKIP() << "iomctl not built";
  auto stub = StubFor(kPolice);
  absl::Mutex mu;
  std::vector<Acked> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      const std::string stream = NewPersonStream();
      while (!stop.load()) {
        std::vector<v1::Event> events;
        Acked a;
        for (int i = 0; i < 5; ++i) {
          events.push_back(NewContactEvent());
          a.ids.push_back(events.back().event_id());
        }
        absl::StatusOr<v1::AppendResponse> r =
            CallAppend(*stub, MakeAppend(stream, events), kSergeant, absl::Seconds(20));
        if (!r.ok()) continue;
        a.first_position = r->first_position();
        absl::MutexLock lock(&mu);
        acked.push_back(std::move(a));
      }
    });
  }
  // Waits (bounded) until `n` appends were acknowledged; how many were.
  auto wait_for = [&](size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu);
        if (acked.size() >= n) return acked.size();
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    absl::MutexLock lock(&mu);
    return acked.size();
  };
  wait_for(40);
  std::vector<Acked> before;
  {
    absl::MutexLock lock(&mu);
    before = acked;
  }
  const std::string backup = dir_.Join("backup-monday");
  CommandResult made = Iomctl(kHubAdmin, kAdmin, {"admin", "backup", backup});
  EXPECT_EQ(made.status.exit_code, 0) << made.stderr_text;
  EXPECT_THAT(made.stderr_text, HasSubstr("backup written to " + backup));
  EXPECT_THAT(made.stderr_text, HasSubstr("OK: "));
  const size_t at_backup = before.size();
  EXPECT_GT(wait_for(at_backup + 20), at_backup + 19) << "appends stopped during the backup";
  stop = true;
  for (std::thread& w : writers) w.join();

  // Only hub administrators back up; the running hub's store verifies.
  CommandResult refused = Iomctl(kPolice, kSergeant, {"admin", "backup", dir_.Join("nope")});
  EXPECT_EQ(refused.status.exit_code, 1);
  EXPECT_THAT(refused.stderr_text, HasSubstr("PERMISSION_DENIED"));
  CommandResult live = Iomctl(kHubAdmin, kAdmin, {"admin", "verify"});
  EXPECT_EQ(live.status.exit_code, 0) << live.stderr_text;
  EXPECT_THAT(live.stderr_text, HasSubstr("OK: "));
  stub.reset();
  StopHub();

  const std::string restored = dir_.Join("restored");
  CommandResult restore =
      Iomhubd({absl::StrCat("--restore_from=", backup), absl::StrCat("--data_dir=", restored)});
  ASSERT_EQ(restore.status.exit_code, 0) << restore.stdout_text << restore.stderr_text;
  EXPECT_THAT(restore.stdout_text, HasSubstr("OK: "));
  CommandResult verify = Iomhubd({"--verify", absl::StrCat("--data_dir=", restored)});
  EXPECT_EQ(verify.status.exit_code, 0) << verify.stdout_text << verify.stderr_text;
  EXPECT_THAT(verify.stdout_text, HasSubstr("signed checkpoints checked"));

  data_dir_ = restored;
  StartHub();
  auto reader = StubFor(kPolice);
  absl::StatusOr<std::vector<v1::Event>> all =
      CallReadAll(*reader, v1::ReadAllRequest(), kSergeant);
  ASSERT_THAT(all, IsOk());
  std::map<uint64_t, std::string> ids_at;
  for (const v1::Event& e : *all) ids_at[e.position()] = e.event_id();
  for (const Acked& a : before) {
    for (size_t i = 0; i < a.ids.size(); ++i) {
      const uint64_t position = a.first_position + i;
      ASSERT_TRUE(ids_at.contains(position)) << "acknowledged position " << position << " is gone";
      EXPECT_EQ(ids_at[position], a.ids[i]) << "at position " << position;
    }
  }
  reader.reset();
  StopHub();

  // A flipped byte and a missing index entry are named, exit 2.
  const std::string damaged = dir_.Join("damaged");
  ASSERT_EQ(Iomhubd({absl::StrCat("--restore_from=", backup), absl::StrCat("--data_dir=", damaged)})
                .status.exit_code,
            0);
  const uint64_t victim = before.front().first_position;
  ASSERT_THAT(eventstore::TamperWithStore(damaged, eventstore::StoreTamper::kFlipByte, victim),
              IsOk());
  ASSERT_THAT(
      eventstore::TamperWithStore(damaged, eventstore::StoreTamper::kDeleteIdEntry, victim + 1),
      IsOk());
  CommandResult faults = Iomhubd({"--verify", absl::StrCat("--data_dir=", damaged)});
  EXPECT_EQ(faults.status.exit_code, 2) << faults.stdout_text << faults.stderr_text;
  EXPECT_THAT(faults.stdout_text, HasSubstr("FAULTS: 2"));
  EXPECT_THAT(faults.stdout_text, HasSubstr(absl::StrCat("position ", victim)));
  EXPECT_THAT(faults.stdout_text, HasSubstr("the id index has no entry"));
  // A restore never overwrites.
  CommandResult over =
      Iomhubd({absl::StrCat("--restore_from=", backup), absl::StrCat("--data_dir=", damaged)});
  EXPECT_EQ(over.status.exit_code, 1);
  EXPECT_THAT(over.stderr_text, HasSubstr("not empty"));
}

}  // namespace
}  // namespace iomhub::testing
