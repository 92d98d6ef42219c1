#include "bench/bench_events.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "common/ids.h"

namespace iomhub::bench {

std::string PersonStream(int n) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "person-00000000-0000-4000-8000-%012d", n);
  return buf;
}

v1::Producer BenchProducer() {
  v1::Producer p;
  p.set_agency(v1::AGENCY_KIND_HUB_ADMIN);
  p.set_organisation("development (insecure mode)");
  p.set_system("insecure-dev");
  p.set_user_id("bench");
  p.set_role("operator");
  p.set_purpose("benchmark");
  return p;
}

v1::Event MakeBenchEvent(absl::Time occurred_at, size_t bytes, const v1::Producer* producer,
                         BenchPayload payload) {
  // Each appointment an hour after the one before, from tomorrow on: a
  // person's appointments never overlap (the hub refuses overlapping ones,
  // DOMAIN.md rule 10), however many land on one stream.
  static std::atomic<int64_t> slots{0};
  v1::Event event;
  event.set_event_id(NewUuid());
  const int64_t nanos = absl::ToUnixNanos(occurred_at);
  event.mutable_occurred_at()->set_seconds(nanos / 1000000000);
  event.mutable_occurred_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  if (producer != nullptr) *event.mutable_producer() = *producer;
  std::string* pad_field = nullptr;
  if (payload == BenchPayload::kArrest) {
    auto* arrest = event.mutable_arrest_recorded();
    arrest->set_custody_ref(event.event_id());
    pad_field = arrest->mutable_station();
  } else {
    auto* contact = event.mutable_contact_scheduled();
    contact->set_contact_id(event.event_id());
    contact->set_mode(v1::CONTACT_MODE_HOME_VISIT);
    contact->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
    contact->mutable_scheduled_for()->set_seconds(nanos / 1000000000 + 86400 +
                                                  3600 * (slots.fetch_add(1) % 1000000));
    contact->set_duration_minutes(45);
    pad_field = contact->mutable_source_system_ref();
  }
  // Pad to the target size; the length prefix may grow by a byte, so settle
  // it in a few rounds.
  size_t pad = 0;
  for (int round = 0; round < 4; ++round) {
    *pad_field = std::string(pad, 'r');
    const size_t size = event.ByteSizeLong();
    if (size == bytes) break;
    if (size > bytes && pad == 0) break;  // already larger than asked
    pad = size < bytes ? pad + (bytes - size) : pad - std::min(pad, size - bytes);
  }
  return event;
}

}  // namespace iomhub::bench
