// Test-only: builds a person's stream event by event, as the log would hand
// it to a fold (stream, gapless versions from 0, positions, producer).
#ifndef IOMHUB_PROJECTIONS_TEST_PERSON_STREAM_H_
#define IOMHUB_PROJECTIONS_TEST_PERSON_STREAM_H_

#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"
#include "projections/calendar.h"
#include "projections/person_state.h"

namespace iomhub::projections::testing {

// The instant of a London wall-clock time (GMT or BST as in force).
inline absl::Time London(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), *LondonTimeZone());
}

inline google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// A canonical person id that is the same for the same `n`.
inline std::string PersonId(int n) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012d", n);
  return buf;
}

class TestPersonStream {
 public:
  explicit TestPersonStream(int person = 1, uint64_t first_position = 1)
      : person_id_(PersonId(person)), next_position_(first_position) {}

  const std::string& person_id() const { return person_id_; }
  std::string stream() const { return "person-" + person_id_; }

  // A new event, next in the stream, occurred at `at` and produced by
  // `agency` as `role`. The pointer stays valid for the stream's lifetime.
  v1::Event* Next(absl::Time at, v1::AgencyKind agency = v1::AGENCY_KIND_PROBATION,
                  const std::string& role = "offender_manager",
                  const std::string& user_id = "user-1") {
    v1::Event& e = events_.emplace_back();
    char id[64];
    std::snprintf(id, sizeof(id), "10000000-0000-4000-8000-%012zu", events_.size());
    e.set_event_id(id);
    e.set_stream(stream());
    e.set_stream_version(events_.size() - 1);
    e.set_position(next_position_++);
    *e.mutable_occurred_at() = Ts(at);
    e.mutable_producer()->set_agency(agency);
    e.mutable_producer()->set_role(role);
    e.mutable_producer()->set_user_id(user_id);
    return &e;
  }

  std::vector<v1::Event> events() const { return {events_.begin(), events_.end()}; }
  size_t size() const { return events_.size(); }
  const v1::Event& Get(size_t i) const { return events_[i]; }

  absl::StatusOr<v1::PersonState> Fold() const { return FoldPersonState(events()); }

 private:
  std::string person_id_;
  uint64_t next_position_;
  std::deque<v1::Event> events_;
};

}  // namespace iomhub::projections::testing

#endif  // IOMHUB_PROJECTIONS_TEST_PERSON_STREAM_H_
