#include "tests/crash/crash_workload.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ids.h"

namespace iomhub::crash {
namespace {

// FNV-1a: stable across processes and builds (std::hash is not promised).
uint64_t Fnv1a(absl::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool Owns(int thread_index, int thread_count, int stream) {
  return stream >= kSharedStreams && (stream - kSharedStreams) % thread_count == thread_index;
}

}  // namespace

std::string WorkloadStream(int n) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "person-00000000-0000-4000-8000-%012d", n);
  return buffer;
}

v1::Event WorkloadEvent(const std::string& event_id, const std::string& stream) {
  const uint64_t h = Fnv1a(event_id);
  v1::Event event;
  event.set_event_id(event_id);
  event.set_stream(stream);
  event.mutable_occurred_at()->set_seconds(1700000000 + static_cast<int64_t>(h % 10000000));
  event.mutable_occurred_at()->set_nanos(static_cast<int32_t>((h >> 7) % 1000000000));
  event.set_correlation_id(absl::StrCat("corr-", h % 97));
  event.set_handling(static_cast<v1::HandlingMarking>(1 + h % 5));
  v1::Producer* producer = event.mutable_producer();
  producer->set_agency(v1::AGENCY_KIND_POLICE);
  producer->set_organisation("Gwent Police");
  producer->set_system("crash-writer");
  producer->set_user_id(absl::StrCat("u", h % 1000));
  if (h % 3 == 0) {
    event.mutable_arrest_recorded()->set_custody_ref(absl::StrCat("CUS-", h % 100000));
    event.mutable_arrest_recorded()->set_station(std::string((h >> 11) % 64, 'a' + h % 26));
  } else {
    v1::ContactScheduled* contact = event.mutable_contact_scheduled();
    contact->set_contact_id(absl::StrCat("c-", event_id.substr(0, 8)));
    contact->set_mode(static_cast<v1::ContactMode>(1 + h % 3));
    contact->set_duration_minutes(static_cast<uint32_t>(h % 240));
    contact->set_lead_agency(v1::LEAD_AGENCY_POLICE);
    // 0..299 bytes, so records differ in size.
    contact->set_source_system_ref(std::string((h >> 17) % 300, 'A' + (h >> 3) % 26));
  }
  return event;
}

std::string ExpectedSpec::ToText() const {
  switch (kind) {
    case Kind::kAny:
      return "any";
    case Kind::kNoStream:
      return "no_stream";
    case Kind::kExact:
      return absl::StrCat(version);
  }
  return "?";
}

std::optional<ExpectedSpec> ExpectedSpec::Parse(absl::string_view text) {
  if (text == "any") return ExpectedSpec{};
  if (text == "no_stream") return ExpectedSpec{.kind = Kind::kNoStream};
  uint64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) return std::nullopt;
  return ExpectedSpec{.kind = Kind::kExact, .version = v};
}

eventstore::Expected ToStoreExpected(const ExpectedSpec& spec) {
  switch (spec.kind) {
    case ExpectedSpec::Kind::kAny:
      return eventstore::Expected::Any();
    case ExpectedSpec::Kind::kNoStream:
      return eventstore::Expected::NoStream();
    case ExpectedSpec::Kind::kExact:
      return eventstore::Expected::Exact(spec.version);
  }
  return eventstore::Expected::Any();
}

std::vector<v1::Event> Intent::Events() const {
  std::vector<v1::Event> events;
  events.reserve(event_ids.size());
  for (const std::string& id : event_ids) events.push_back(WorkloadEvent(id, stream));
  return events;
}

WorkloadWriter::WorkloadWriter(int thread_index, int thread_count, uint64_t seed,
                               const absl::flat_hash_map<std::string, uint64_t>& heads)
    : heads_(heads), rng_(seed * 7919 + static_cast<uint64_t>(thread_index)) {
  for (int s = 0; s < kStreams; ++s) {
    if (s < kSharedStreams) {
      shared_.push_back(WorkloadStream(s));
    } else if (Owns(thread_index, thread_count, s)) {
      owned_.push_back(WorkloadStream(s));
    }
  }
}

Intent WorkloadWriter::Next() {
  Intent intent;
  const bool use_shared = owned_.empty() || std::uniform_int_distribution<int>(0, 3)(rng_) == 0;
  if (use_shared) {
    intent.stream = shared_[std::uniform_int_distribution<size_t>(0, shared_.size() - 1)(rng_)];
  } else {
    intent.stream = owned_[std::uniform_int_distribution<size_t>(0, owned_.size() - 1)(rng_)];
    auto it = heads_.find(intent.stream);
    intent.expected = it == heads_.end()
                          ? ExpectedSpec{.kind = ExpectedSpec::Kind::kNoStream}
                          : ExpectedSpec{.kind = ExpectedSpec::Kind::kExact, .version = it->second};
  }
  const int count = std::uniform_int_distribution<int>(1, kMaxBatch)(rng_);
  for (int i = 0; i < count; ++i) intent.event_ids.push_back(NewUuid());
  return intent;
}

absl::Status WorkloadWriter::Acknowledged(const Intent& intent, const Ack& ack) {
  const uint64_t n = intent.event_ids.size();
  if (ack.idempotent_replay) {
    return absl::InternalError(absl::StrCat("fresh ids acknowledged as a replay: ",
                                            intent.event_ids.front()));
  }
  if (ack.last_position - ack.first_position + 1 != n) {
    return absl::InternalError(absl::StrCat("append of ", n, " events acknowledged positions ",
                                            ack.first_position, "..", ack.last_position));
  }
  if (intent.expected.kind == ExpectedSpec::Kind::kAny) return absl::OkStatus();
  const uint64_t want = intent.expected.kind == ExpectedSpec::Kind::kNoStream
                            ? n - 1
                            : intent.expected.version + n;
  if (ack.last_stream_version != want) {
    return absl::InternalError(absl::StrCat("stream ", intent.stream, " expected ",
                                            intent.expected.ToText(), " + ", n,
                                            " events: last version should be ", want, ", got ",
                                            ack.last_stream_version));
  }
  heads_[intent.stream] = ack.last_stream_version;
  return absl::OkStatus();
}

absl::flat_hash_map<std::string, uint64_t> OwnedHeads(
    int thread_index, int thread_count,
    const absl::flat_hash_map<std::string, uint64_t>& all_heads) {
  absl::flat_hash_map<std::string, uint64_t> out;
  for (int s = kSharedStreams; s < kStreams; ++s) {
    if (!Owns(thread_index, thread_count, s)) continue;
    if (auto it = all_heads.find(WorkloadStream(s)); it != all_heads.end()) out.insert(*it);
  }
  return out;
}

uint64_t TestSeed() {
  uint64_t seed = 0;
  const char* text = std::getenv("IOMHUB_CRASH_SEED");
  if (text == nullptr || !absl::SimpleAtoi(text, &seed)) seed = std::random_device()();
  std::printf("seed %llu (set IOMHUB_CRASH_SEED=%llu to repeat)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  return seed;
}

std::string IntentLine(int thread, uint64_t seq, const Intent& intent) {
  return absl::StrCat("I ", thread, " ", seq, " ", intent.stream, " ", intent.expected.ToText(),
                      " ", absl::StrJoin(intent.event_ids, ","), "\n");
}

std::string AckLine(int thread, uint64_t seq, const Ack& ack) {
  return absl::StrCat("A ", thread, " ", seq, " ", ack.first_position, " ", ack.last_position,
                      " ", ack.last_stream_version, " ", ack.idempotent_replay ? 1 : 0, "\n");
}

}  // namespace iomhub::crash
