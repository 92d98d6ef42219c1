// The storage-free decisions of an append (append_checks.h), without any
// store: expected versions and the classification of retries.
#include "eventstore/append_checks.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/test_events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using testing::ContactEvent;

constexpr absl::StatusCode kConflict = absl::StatusCode::kFailedPrecondition;
constexpr absl::StatusCode kExists = absl::StatusCode::kAlreadyExists;

constexpr char kId1[] = "00000000-0000-4000-8000-000000000001";
constexpr char kId2[] = "00000000-0000-4000-8000-000000000002";
constexpr char kId3[] = "00000000-0000-4000-8000-000000000003";

// An event of the append that is not stored.
RetryCandidate New(absl::string_view id, absl::string_view content) {
  return {.event_id = id, .content = content, .stored = std::nullopt};
}

// An event of the append stored at `position` / `version` with `stored`.
RetryCandidate Stored(absl::string_view id, absl::string_view content, uint64_t position,
                      uint64_t version, absl::string_view stored) {
  return {.event_id = id,
          .content = content,
          .stored = StoredId{.position = position, .stream_version = version, .content = stored}};
}

// ---------------------------------------------------------------------------
// CheckExpected.

TEST(CheckExpected, AnyAcceptsEveryHead) {
  EXPECT_THAT(CheckExpected("team-1", Expected::Any(), std::nullopt), IsOk());
  EXPECT_THAT(CheckExpected("team-1", Expected::Any(), 0), IsOk());
  EXPECT_THAT(CheckExpected("team-1", Expected::Any(), 41), IsOk());
}

TEST(CheckExpected, NoStreamAcceptsOnlyAStreamWithoutEvents) {
  EXPECT_THAT(CheckExpected("team-1", Expected::NoStream(), std::nullopt), IsOk());
  const absl::Status s = CheckExpected("team-1", Expected::NoStream(), 1);
  EXPECT_THAT(s, StatusIs(kConflict));
  EXPECT_EQ(s.message(), "stream team-1 expected no stream but actual version is 1");
  // Version 0 is a stream with one event, not "no stream".
  EXPECT_THAT(CheckExpected("team-1", Expected::NoStream(), 0),
              StatusIs(kConflict, "actual version is 0"));
}

TEST(CheckExpected, ExistsAcceptsAnyStreamWithEvents) {
  EXPECT_THAT(CheckExpected("team-1", Expected::Exists(), 0), IsOk());
  EXPECT_THAT(CheckExpected("team-1", Expected::Exists(), 7), IsOk());
  const absl::Status s = CheckExpected("team-1", Expected::Exists(), std::nullopt);
  EXPECT_THAT(s, StatusIs(kConflict));
  EXPECT_EQ(s.message(),
            "stream team-1 expected an existing stream but actual version is no stream");
}

TEST(CheckExpected, ExactAcceptsOnlyThatVersion) {
  EXPECT_THAT(CheckExpected("team-1", Expected::Exact(2), 2), IsOk());
  EXPECT_THAT(CheckExpected("team-1", Expected::Exact(0), 0), IsOk());
  const absl::Status behind = CheckExpected("team-1", Expected::Exact(1), 2);
  EXPECT_THAT(behind, StatusIs(kConflict));
  EXPECT_EQ(behind.message(), "stream team-1 expected version 1 but actual version is 2");
  EXPECT_THAT(CheckExpected("team-1", Expected::Exact(3), 2),
              StatusIs(kConflict, "expected version 3 but actual version is 2"));
  EXPECT_THAT(CheckExpected("team-1", Expected::Exact(0), std::nullopt),
              StatusIs(kConflict, "expected version 0 but actual version is no stream"));
}

TEST(CheckExpected, MessageNamesTheStreamAsGiven) {
  const std::string stream = testing::PersonStream(4);
  EXPECT_THAT(CheckExpected(stream, Expected::NoStream(), 3),
              StatusIs(kConflict, "stream " + stream + " expected"));
}

// ---------------------------------------------------------------------------
// EventContent.

TEST(EventContent, IgnoresTheFieldsTheStoreAssigns) {
  const v1::Event sent = ContactEvent();
  v1::Event stored = sent;
  stored.set_position(12);
  stored.set_stream_version(3);
  stored.mutable_recorded_at()->set_seconds(1800000000);
  EXPECT_EQ(EventContent(sent), EventContent(stored));
  v1::Event parsed;
  ASSERT_TRUE(parsed.ParseFromString(EventContent(stored)));
  EXPECT_EQ(parsed.position(), 0u);
  EXPECT_FALSE(parsed.has_recorded_at());
  EXPECT_EQ(parsed.event_id(), sent.event_id());
}

TEST(EventContent, DiffersWithTheClientsFields) {
  const v1::Event sent = ContactEvent();
  v1::Event other_stream = sent;
  other_stream.set_stream("team-2");
  v1::Event other_payload = sent;
  other_payload.mutable_contact_scheduled()->set_duration_minutes(45);
  v1::Event other_producer = sent;
  other_producer.mutable_producer()->set_user_id("someone-else");
  EXPECT_NE(EventContent(sent), EventContent(other_stream));
  EXPECT_NE(EventContent(sent), EventContent(other_payload));
  EXPECT_NE(EventContent(sent), EventContent(other_producer));
}

// ---------------------------------------------------------------------------
// ClassifyRetry.

TEST(ClassifyRetry, AppendWithNoStoredIdIsNew) {
  const std::vector<RetryCandidate> events = {New(kId1, "a"), New(kId2, "b")};
  absl::StatusOr<std::optional<AppendResult>> verdict = ClassifyRetry(events);
  ASSERT_THAT(verdict, IsOk());
  EXPECT_FALSE(verdict->has_value());
}

TEST(ClassifyRetry, EveryIdStoredAlikeInOrderIsAReplayWithTheOriginalPositions) {
  const std::vector<RetryCandidate> events = {
      Stored(kId1, "a", 7, 2, "a"), Stored(kId2, "b", 8, 3, "b"), Stored(kId3, "c", 9, 4, "c")};
  IOMHUB_ASSERT_OK_AND_ASSIGN(std::optional<AppendResult> verdict, ClassifyRetry(events));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->idempotent_replay);
  EXPECT_EQ(verdict->first_position, 7u);
  EXPECT_EQ(verdict->last_position, 9u);
  EXPECT_EQ(verdict->last_stream_version, 4u);
}

TEST(ClassifyRetry, OneEventReplayReturnsItsPositionAndVersion) {
  const std::vector<RetryCandidate> events = {Stored(kId1, "a", 1, 0, "a")};
  IOMHUB_ASSERT_OK_AND_ASSIGN(std::optional<AppendResult> verdict, ClassifyRetry(events));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_TRUE(verdict->idempotent_replay);
  EXPECT_EQ(verdict->first_position, 1u);
  EXPECT_EQ(verdict->last_position, 1u);
  EXPECT_EQ(verdict->last_stream_version, 0u);
}

TEST(ClassifyRetry, StoredIdWithDifferentContentIsAlreadyExistsNamingIt) {
  const std::vector<RetryCandidate> events = {Stored(kId1, "a", 5, 0, "a"),
                                              Stored(kId2, "changed", 6, 1, "b")};
  const absl::Status s = ClassifyRetry(events).status();
  EXPECT_THAT(s, StatusIs(kExists));
  EXPECT_EQ(s.message(), absl::StrCat("event id ", kId2,
                                      " is already stored at position 6 with different content"));
}

TEST(ClassifyRetry, DifferentContentIsReportedBeforeOrder) {
  // The second event is both out of order and changed: the change is named.
  const std::vector<RetryCandidate> events = {Stored(kId1, "a", 5, 0, "a"),
                                              Stored(kId2, "changed", 9, 1, "b")};
  EXPECT_THAT(ClassifyRetry(events), StatusIs(kExists, "with different content"));
}

TEST(ClassifyRetry, ReorderedRetryIsAlreadyExists) {
  const std::vector<RetryCandidate> events = {Stored(kId2, "b", 6, 1, "b"),
                                              Stored(kId1, "a", 5, 0, "a")};
  const absl::Status s = ClassifyRetry(events).status();
  EXPECT_THAT(s, StatusIs(kExists));
  EXPECT_EQ(s.message(),
            absl::StrCat("event id ", kId1,
                         " is stored at position 5 but not right after the previous event of "
                         "this append; a retry must resend exactly the original append"));
}

TEST(ClassifyRetry, RetryMissingAnEventInBetweenIsAlreadyExists) {
  const std::vector<RetryCandidate> events = {Stored(kId1, "a", 5, 0, "a"),
                                              Stored(kId3, "c", 7, 2, "c")};
  EXPECT_THAT(ClassifyRetry(events), StatusIs(kExists, "not right after the previous event"));
}

TEST(ClassifyRetry, SomeIdsStoredAndSomeNotIsAlreadyExists) {
  const std::vector<RetryCandidate> events = {Stored(kId1, "a", 5, 0, "a"),
                                              Stored(kId2, "b", 6, 1, "b"), New(kId3, "c")};
  const absl::Status s = ClassifyRetry(events).status();
  EXPECT_THAT(s, StatusIs(kExists));
  EXPECT_EQ(s.message(),
            "2 of the 3 event ids are already stored; a retry must resend exactly the original "
            "append");
  const std::vector<RetryCandidate> fresh_first = {New(kId3, "c"), Stored(kId1, "a", 5, 0, "a")};
  EXPECT_THAT(ClassifyRetry(fresh_first), StatusIs(kExists, "1 of the 2 event ids"));
}

TEST(ClassifyRetry, ANewEventBetweenStoredOnesIsAPartialRetry) {
  // Stored ones are consecutive, but the append is not the original.
  const std::vector<RetryCandidate> events = {Stored(kId1, "a", 5, 0, "a"), New(kId3, "x"),
                                              Stored(kId2, "b", 6, 1, "b")};
  EXPECT_THAT(ClassifyRetry(events), StatusIs(kExists, "2 of the 3 event ids"));
}

TEST(ClassifyRetry, EmptyAppendIsNew) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(std::optional<AppendResult> verdict, ClassifyRetry({}));
  EXPECT_FALSE(verdict.has_value());
}

}  // namespace
}  // namespace iomhub::eventstore
