// Test-only helpers for tests that drive an EventStore through its
// interface: batches of valid events, what a read returned, and appends
// whose completion is observed later.
#ifndef IOMHUB_EVENTSTORE_EVENT_STORE_TEST_HELPERS_H_
#define IOMHUB_EVENTSTORE_EVENT_STORE_TEST_HELPERS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "eventstore/event_store.h"
#include "eventstore/test_events.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore::testing {

// `n` valid ContactScheduled events with fresh ids and distinct content.
inline std::vector<v1::Event> Events(int n) {
  std::vector<v1::Event> events;
  for (int i = 0; i < n; ++i) events.push_back(ContactEvent("contact-" + std::to_string(i)));
  return events;
}

inline std::vector<std::string> IdsOf(const std::vector<v1::Event>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.event_id());
  return ids;
}

inline std::vector<uint64_t> PositionsOf(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

inline std::vector<uint64_t> VersionsOf(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.stream_version());
  return out;
}

// The stream's version, or nullopt; fails the test on an error.
inline std::optional<uint64_t> VersionOf(EventStore& store, const std::string& stream) {
  absl::StatusOr<std::optional<uint64_t>> version = store.StreamVersion(stream);
  EXPECT_TRUE(version.ok()) << version.status();
  return version.ok() ? *version : std::nullopt;
}

// Everything committed, in log order; fails the test on an error.
inline std::vector<v1::Event> ReadEverything(EventStore& store) {
  absl::StatusOr<ReadBatch> batch = store.ReadAll(1, SIZE_MAX);
  EXPECT_TRUE(batch.ok()) << batch.status();
  if (!batch.ok()) return {};
  EXPECT_TRUE(batch->end);
  return batch->events;
}

// An append whose completion is observed later.
struct Pending {
  absl::Notification done;
  absl::StatusOr<AppendResult> result;
};

inline std::unique_ptr<Pending> Submit(EventStore& store, const std::string& stream,
                                       Expected expected, std::vector<v1::Event> events) {
  auto pending = std::make_unique<Pending>();
  store.AppendAsync(stream, expected, std::move(events),
                    [p = pending.get()](absl::StatusOr<AppendResult> r) {
                      p->result = std::move(r);
                      p->done.Notify();
                    });
  return pending;
}

}  // namespace iomhub::eventstore::testing

#endif  // IOMHUB_EVENTSTORE_EVENT_STORE_TEST_HELPERS_H_
