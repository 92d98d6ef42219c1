// The alert rules projection and the AlertRunner over the real storage
// (RocksDB in a temp dir): decisions reach the log once, a rebuild or a
// restart raises nothing twice, and time-driven rules follow the injected
// clock (nothing sleeps).
#include "projections/alert_rules/alert_rules_projection.h"

#include <atomic>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "common/timestamps.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/alert_rules/alert_runner.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/case_view_projection.h"
#include "projections/test_person_stream.h"
#include "projections/testing/synthetic_log.h"

namespace iomhub::projections::alert_rules {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::PersonId;
using ::iomhub::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using TempDir = ::iomhub::eventstore::testing::ScopedTempDir;

v1::TeamsConfig Teams() {
  v1::TeamsConfig teams;
  teams.add_area()->set_id("gwent");
  v1::Team* team = teams.add_team();
  team->set_id("gwent-newport");
  team->set_area_id("gwent");
  return teams;
}

// A hub's alert machinery without gRPC: log, views, the projection runner
// with the alert rules view, and an AlertRunner driven by hand.
class AlertHub {
 public:
  explicit AlertHub(const TempDir& dir, absl::Time start = London(2026, 12, 2, 12, 0))
      : clock_(start), teams_(Teams()) {
    absl::StatusOr<eventstore::Storage> storage =
        eventstore::OpenStorage({.path = dir.path(), .sync = false, .min_free_disk_bytes = 0});
    EXPECT_THAT(storage, IsOk());
    storage_ = std::move(storage).value();
    StartRunners();
  }
  ~AlertHub() { StopRunners(); }

  void StartRunners() {
    runner_ = std::make_unique<ProjectionRunner>(
        storage_.log.get(), storage_.views.get(),
        ProjectionRunner::Options{.batch_events = 50, .idle_wait = absl::Milliseconds(20),
                                  .drop_grace = absl::Milliseconds(50)});
    runner_->Add(std::make_unique<AlertRulesProjection>(config_, &teams_));
    EXPECT_THAT(runner_->Start(), IsOk());
    NewAlertRunner();
  }
  void NewAlertRunner() {
    alerts_ = std::make_unique<AlertRunner>(storage_.log.get(), storage_.views.get(),
                                            runner_.get(), config_, &teams_,
                                            AlertRunner::Options{.clock = &clock_});
  }
  AlertPass RunOnce() {
    absl::StatusOr<AlertPass> pass = alerts_->RunOnce();
    EXPECT_THAT(pass, IsOk());
    return pass.value_or(AlertPass{});
  }
  void StopRunners() {
    alerts_.reset();
    if (runner_ != nullptr) runner_->Stop();
    runner_.reset();
  }

  // Appends one event to `person`'s stream.
  uint64_t Append(int person, absl::Time at, const std::function<void(v1::Event&)>& fill,
                  v1::AgencyKind agency = v1::AGENCY_KIND_PROBATION) {
    v1::Event e;
    e.set_event_id(NewUuid());
    *e.mutable_occurred_at() = ToTimestamp(at);
    e.mutable_producer()->set_agency(agency);
    e.mutable_producer()->set_role("probation_officer");
    fill(e);
    absl::StatusOr<eventstore::AppendResult> r = storage_.log->Append(
        absl::StrCat("person-", PersonId(person)), eventstore::Expected::Any(), {e});
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->last_position : 0;
  }

  void Select(int person, absl::Time at, v1::Cohort cohort = v1::COHORT_FIXED) {
    Append(person, at, [&](v1::Event& e) {
      e.mutable_cohort_selected()->set_cohort(cohort);
      e.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
      e.mutable_cohort_selected()->set_team_id("gwent-newport");
    });
  }

  // Waits for the view to reach the log's head.
  void CatchUp() {
    absl::StatusOr<eventstore::CommitWatermark*> watermark = runner_->Watermark(kAlertRulesView);
    ASSERT_THAT(watermark, IsOk());
    const uint64_t head = storage_.log->CommittedPosition();
    ASSERT_TRUE((*watermark)->WaitFor(head, absl::Now() + absl::Seconds(30)))
        << "alert_rules stuck at " << (*watermark)->position() << " of " << head;
  }

  // Runs passes until the outbox is empty and the view has folded it all.
  AlertPass Settle() {
    AlertPass total;
    for (int i = 0; i < 20; ++i) {
      CatchUp();
      absl::StatusOr<AlertPass> pass = alerts_->RunOnce();
      EXPECT_THAT(pass, IsOk());
      if (!pass.ok()) break;
      total.published += pass->published;
      total.raised_due += pass->raised_due;
      total.raised_weekly += pass->raised_weekly;
      if (!pass->weeks_evaluated.empty()) total.weeks_evaluated = pass->weeks_evaluated;
      if (pass->published + pass->raised_due + pass->raised_weekly == 0) break;
    }
    CatchUp();
    return total;
  }

  // "+RULE window" / "-RULE window" for every alert event in the log.
  std::vector<std::string> AlertsInLog() {
    std::vector<std::string> out;
    absl::StatusOr<eventstore::ReadBatch> all = storage_.log->ReadAll(1, SIZE_MAX);
    EXPECT_THAT(all, IsOk());
    for (const v1::Event& e : all->events) {
      if (e.has_alert_raised()) out.push_back("+" + e.alert_raised().rule() + " " + e.alert_raised().window());
      if (e.has_alert_resolved()) out.push_back("-" + e.alert_resolved().rule() + " " + e.alert_resolved().window());
    }
    return out;
  }

  size_t OutboxSize() {
    size_t n = 0;
    const std::string view = *runner_->PhysicalView(kAlertRulesView);
    EXPECT_THAT(storage_.views->Scan(view, kOutboxPrefix, [&](auto, auto) { return ++n, true; }),
                IsOk());
    return n;
  }

  FakeClock& clock() { return clock_; }
  ProjectionRunner& runner() { return *runner_; }
  eventstore::EventStore& log() { return *storage_.log; }

 private:
  FakeClock clock_;
  const TeamDirectory teams_;
  const std::shared_ptr<const RuleConfig> config_ = std::make_shared<RuleConfig>();
  eventstore::Storage storage_;
  std::unique_ptr<ProjectionRunner> runner_;
  std::unique_ptr<AlertRunner> alerts_;
};

TEST(AlertRulesProjection, ADecidedAlertReachesTheLogOnceAndLeavesTheOutbox) {
  TempDir dir;
  AlertHub hub(dir);
  hub.Select(1, London(2026, 11, 1));
  hub.Append(1, London(2026, 12, 1), [](v1::Event& e) {
    e.mutable_arrest_recorded()->set_custody_ref("CUST-1");
  }, v1::AGENCY_KIND_POLICE);
  hub.CatchUp();
  EXPECT_EQ(hub.OutboxSize(), 1u);
  EXPECT_EQ(hub.Settle().published, 1u);
  EXPECT_THAT(hub.AlertsInLog(), ElementsAre("+ARREST_OR_CHARGE arrest:CUST-1"));
  EXPECT_EQ(hub.OutboxSize(), 0u);
  EXPECT_EQ(hub.Settle().published, 0u);
}

TEST(AlertRulesProjection, AfterARestartWhatWasAppendedButNotFoldedIsStoredOnce) {
  TempDir dir;
  AlertHub hub(dir);
  hub.Select(1, London(2026, 11, 1));
  hub.Append(1, London(2026, 12, 1), [](v1::Event& e) {
    e.mutable_charge_recorded()->set_charge_ref("CH-1");
  }, v1::AGENCY_KIND_POLICE);
  hub.CatchUp();
  const uint64_t head = hub.log().CommittedPosition();
  // The view stops before it can fold the alert back, so it stays in the
  // outbox; the runner appends it, then "crashes" (forgets what it did).
  hub.runner().Stop();
  EXPECT_EQ(hub.RunOnce().published, 1u);
  hub.NewAlertRunner();
  EXPECT_EQ(hub.RunOnce().published, 1u);  // appended again: an idempotent replay
  EXPECT_EQ(hub.log().CommittedPosition(), head + 1);
  hub.StopRunners();
  hub.StartRunners();
  EXPECT_EQ(hub.Settle().published, 0u);
  EXPECT_EQ(hub.OutboxSize(), 0u);
  EXPECT_THAT(hub.AlertsInLog(), ElementsAre("+ARREST_OR_CHARGE charge:CH-1"));
}

TEST(AlertRulesProjection, ARebuildIsByteIdenticalAndAppendsNothing) {
  TempDir dir;
  AlertHub hub(dir);
  // Synthetic IOM activity: arrests, absences, warnings, considerations...
  for (const auto& a : projections::testing::SyntheticLog(/*people=*/40, /*events=*/2500, 3)) {
    ASSERT_THAT(hub.log().Append(a.stream, eventstore::Expected::Any(), {a.event}), IsOk());
  }
  const AlertPass first = hub.Settle();
  EXPECT_GT(first.published, 10u) << "the synthetic log should raise alerts";
  const uint64_t head = hub.log().CommittedPosition();
  const std::vector<std::string> alerts = hub.AlertsInLog();
  absl::StatusOr<std::string> incremental = hub.runner().Digest(kAlertRulesView);
  ASSERT_THAT(incremental, IsOk());

  ASSERT_THAT(hub.runner().Rebuild(kAlertRulesView), IsOk());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline && hub.runner().Status(kAlertRulesView)->generation != 2) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(hub.runner().Status(kAlertRulesView)->generation, 2u);
  EXPECT_EQ(hub.Settle().published, 0u);
  EXPECT_EQ(hub.log().CommittedPosition(), head);
  EXPECT_EQ(hub.AlertsInLog(), alerts);
  EXPECT_EQ(*hub.runner().Digest(kAlertRulesView), *incremental);
}

TEST(AlertRunner, AReferralFallsOverdueWhenTheClockReachesItsDeadline) {
  TempDir dir;
  AlertHub hub(dir, London(2026, 11, 30, 12, 0));
  hub.Select(1, London(2026, 11, 1), v1::COHORT_FLEX);
  hub.Append(1, London(2026, 11, 30, 11, 0), [](v1::Event& e) {
    e.mutable_referral_sent()->set_referral_id("r-1");
    e.mutable_referral_sent()->set_service(v1::SERVICE_KIND_HOUSING);
  });
  EXPECT_EQ(hub.Settle().raised_due, 0u);
  hub.clock().Advance(absl::Hours(24 * 7) + absl::Hours(11));  // Mon 7 Dec 23:00: still in time
  EXPECT_EQ(hub.Settle().raised_due, 0u);
  hub.clock().Advance(absl::Hours(1));  // Tue 8 Dec 00:00
  EXPECT_EQ(hub.Settle().raised_due, 1u);
  EXPECT_EQ(hub.Settle().raised_due, 0u);
  EXPECT_THAT(hub.AlertsInLog(), ElementsAre("+REFERRAL_OVERDUE r-1"));
  hub.Append(1, London(2026, 12, 8, 9, 0), [](v1::Event& e) {
    e.mutable_referral_outcome_recorded()->set_referral_id("r-1");
    e.mutable_referral_outcome_recorded()->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
  }, v1::AGENCY_KIND_HOUSING);
  hub.Settle();
  EXPECT_THAT(hub.AlertsInLog(), ElementsAre("+REFERRAL_OVERDUE r-1", "-REFERRAL_OVERDUE r-1"));
}

TEST(AlertRunner, EachEndedWeekIsEvaluatedOnceEvenAcrossRestarts) {
  TempDir dir;
  AlertHub hub(dir, London(2026, 12, 2, 12, 0));  // Wednesday of 2026-W49
  hub.Select(1, London(2026, 11, 1));
  hub.Select(2, London(2026, 11, 1));
  hub.Select(3, London(2026, 11, 1), v1::COHORT_FLEX);
  for (int day : {0, 2, 4}) {
    hub.Append(2, London(2026, 11, 28), [day](v1::Event& e) {
      e.mutable_contact_scheduled()->set_contact_id(absl::StrCat("c", day));
      e.mutable_contact_scheduled()->set_mode(v1::CONTACT_MODE_OFFICE);
      *e.mutable_contact_scheduled()->mutable_scheduled_for() =
          ToTimestamp(London(2026, 11, 30 + day, 10, 0));
    });
  }
  // A new hub starts from the week it is in: nothing for W48 or earlier.
  EXPECT_EQ(hub.Settle().raised_weekly, 0u);
  hub.clock().Advance(absl::Hours(24 * 4 + 12));  // Monday 7 December 00:00
  AlertPass pass = hub.Settle();
  EXPECT_EQ(pass.weeks_evaluated, "2026-W49");
  EXPECT_EQ(pass.raised_weekly, 1u);  // person 1 had no contacts; 2 had 3; 3 is Flex
  EXPECT_EQ(hub.Settle().raised_weekly, 0u);
  hub.StopRunners();
  hub.StartRunners();
  EXPECT_EQ(hub.Settle().raised_weekly, 0u);
  hub.clock().Advance(absl::Hours(24 * 14));  // two more weeks ended
  pass = hub.Settle();
  EXPECT_EQ(pass.weeks_evaluated, "2026-W51");
  EXPECT_EQ(pass.raised_weekly, 4u);  // persons 1 and 2, weeks 50 and 51
  EXPECT_THAT(hub.AlertsInLog(),
              ElementsAre("+CONTACTS_BELOW_PLAN 2026-W49", "+CONTACTS_BELOW_PLAN 2026-W50",
                          "+CONTACTS_BELOW_PLAN 2026-W50", "+CONTACTS_BELOW_PLAN 2026-W51",
                          "+CONTACTS_BELOW_PLAN 2026-W51"));
}

}  // namespace
}  // namespace iomhub::projections::alert_rules
