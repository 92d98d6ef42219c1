#include "tests/crash/log_model.h"

#include "absl/strings/str_cat.h"
#include "tests/support/test_events.h"

namespace iomhub::crash {

uint64_t LogModel::AddIntent(Intent intent) {
  const uint64_t key = intents_.size();
  for (size_t i = 0; i < intent.event_ids.size(); ++i) {
    ids_[intent.event_ids[i]] = IdRef{key, i};
  }
  intents_.push_back(std::move(intent));
  return key;
}

absl::Status LogModel::AddAck(uint64_t key, const Ack& ack) {
  auto [it, inserted] = acks_.emplace(key, ack);
  if (!inserted && (it->second.first_position != ack.first_position ||
                    it->second.last_position != ack.last_position ||
                    it->second.last_stream_version != ack.last_stream_version)) {
    return absl::InternalError(absl::StrCat("append #", key, " acknowledged twice differently"));
  }
  return absl::OkStatus();
}

absl::Status LogModel::SkipHubRecord(const v1::Event& event, absl::string_view stream) {
  const uint64_t want = verified_ + 1;
  if (event.position() != want || event.stream() != stream) {
    return absl::DataLossError(absl::StrCat("expected a hub record on ", stream, " at ", want,
                                            ", read ", event.stream(), " at ", event.position()));
  }
  verified_ = want;
  return absl::OkStatus();
}

absl::Status LogModel::CheckNext(const v1::Event& event) {
  const uint64_t want = verified_ + 1;
  if (event.position() != want) {
    return absl::DataLossError(absl::StrCat("gap: expected position ", want, ", read ",
                                            event.position(), " (event ", event.event_id(), ")"));
  }
  auto ref = ids_.find(event.event_id());
  if (ref == ids_.end()) {
    return absl::DataLossError(absl::StrCat("position ", want, " holds event ", event.event_id(),
                                            " that nobody sent"));
  }
  if (auto dup = found_.find(event.event_id()); dup != found_.end()) {
    return absl::DataLossError(absl::StrCat("event ", event.event_id(), " stored twice: at ",
                                            dup->second.position, " and ", want));
  }
  const Intent& intent = intents_[ref->second.key];
  if (event.stream() != intent.stream) {
    return absl::DataLossError(absl::StrCat("event ", event.event_id(), " at ", want,
                                            " is on stream ", event.stream(), ", sent to ",
                                            intent.stream));
  }
  auto head = heads_.find(event.stream());
  const uint64_t want_version = head == heads_.end() ? 0 : head->second + 1;
  if (event.stream_version() != want_version) {
    return absl::DataLossError(absl::StrCat("stream ", event.stream(), ": position ", want,
                                            " has version ", event.stream_version(),
                                            ", expected ", want_version));
  }
  const v1::Event sent = WorkloadEvent(event.event_id(), intent.stream);
  if (testing::ClientContent(event, hub_sets_producer_) !=
      testing::ClientContent(sent, hub_sets_producer_)) {
    return absl::DataLossError(absl::StrCat("event ", event.event_id(), " at ", want,
                                            " differs from what was sent:\nstored ",
                                            event.ShortDebugString(), "\nsent   ",
                                            sent.ShortDebugString()));
  }
  if (hub_sets_producer_ && event.producer().system() != expected_system_) {
    return absl::DataLossError(absl::StrCat("event ", event.event_id(), " producer system is \"",
                                            event.producer().system(), "\", expected \"",
                                            expected_system_, "\""));
  }
  found_[event.event_id()] = Found{want, want_version};
  heads_[event.stream()] = want_version;
  verified_ = want;
  return absl::OkStatus();
}

absl::Status LogModel::CheckAcksAndAtomicity() {
  for (uint64_t key = 0; key < intents_.size(); ++key) {
    const Intent& intent = intents_[key];
    size_t present = 0;
    std::optional<Found> first, last;
    for (size_t i = 0; i < intent.event_ids.size(); ++i) {
      auto it = found_.find(intent.event_ids[i]);
      if (it == found_.end()) continue;
      ++present;
      if (first.has_value() && it->second.position != first->position + i) {
        return absl::DataLossError(absl::StrCat("append #", key, " on ", intent.stream,
                                                " is not contiguous: event ", i, " at ",
                                                it->second.position, ", first at ",
                                                first->position));
      }
      if (!first.has_value()) {
        if (i != 0) break;  // reported below as partial
        first = it->second;
      }
      last = it->second;
    }
    if (present != 0 && present != intent.event_ids.size()) {
      return absl::DataLossError(absl::StrCat("append #", key, " on ", intent.stream, " is partial: ",
                                              present, " of ", intent.event_ids.size(),
                                              " events in the log"));
    }
    auto ack = acks_.find(key);
    if (ack == acks_.end()) continue;
    if (present == 0) {
      return absl::DataLossError(absl::StrCat(
          "acknowledged append #", key, " (positions ", ack->second.first_position, "..",
          ack->second.last_position, " on ", intent.stream, ", first id ",
          intent.event_ids.front(), ") is missing from the log"));
    }
    if (first->position != ack->second.first_position ||
        last->position != ack->second.last_position ||
        last->stream_version != ack->second.last_stream_version) {
      return absl::DataLossError(absl::StrCat(
          "acknowledged append #", key, " on ", intent.stream, " was acknowledged at ",
          ack->second.first_position, "..", ack->second.last_position, " version ",
          ack->second.last_stream_version, " but the log has it at ", first->position, "..",
          last->position, " version ", last->stream_version));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> LogModel::ResolveInDoubt(const Appender& append) {
  size_t in_doubt = 0;
  const size_t count = intents_.size();
  for (uint64_t key = 0; key < count; ++key) {
    if (acks_.contains(key)) continue;
    ++in_doubt;
    const Intent& intent = intents_[key];
    auto first = found_.find(intent.event_ids.front());
    auto last = found_.find(intent.event_ids.back());
    absl::StatusOr<Ack> ack = append(intent);
    if (!ack.ok()) {
      return absl::Status(ack.status().code(),
                          absl::StrCat("retrying in-doubt append #", key, " on ", intent.stream,
                                       " (expected ", intent.expected.ToText(), ", ",
                                       first == found_.end() ? "not in the log" : "in the log",
                                       "): ", ack.status().message()));
    }
    if (first != found_.end()) {
      if (!ack->idempotent_replay || ack->first_position != first->second.position ||
          ack->last_position != last->second.position ||
          ack->last_stream_version != last->second.stream_version) {
        return absl::DataLossError(absl::StrCat(
            "in-doubt append #", key, " was committed at ", first->second.position, "..",
            last->second.position, " but its retry returned ", ack->first_position, "..",
            ack->last_position, " version ", ack->last_stream_version,
            ack->idempotent_replay ? " (replay)" : " (written again!)"));
      }
    } else if (ack->idempotent_replay || ack->first_position <= verified_ ||
               ack->last_position - ack->first_position + 1 != intent.event_ids.size()) {
      return absl::DataLossError(absl::StrCat(
          "in-doubt append #", key, " was not in the log, but its retry returned ",
          ack->first_position, "..", ack->last_position,
          ack->idempotent_replay ? " as a replay" : "", " (log verified to ", verified_, ")"));
    }
    acks_[key] = *ack;
  }
  return in_doubt;
}

absl::Status LogModel::CheckReplays(const Appender& append, std::mt19937_64& rng, size_t count) {
  if (acks_.empty()) return absl::OkStatus();
  std::vector<uint64_t> keys;
  keys.reserve(acks_.size());
  for (const auto& [key, ack] : acks_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (size_t n = 0; n < count; ++n) {
    const uint64_t key = keys[std::uniform_int_distribution<size_t>(0, keys.size() - 1)(rng)];
    const Ack& original = acks_[key];
    absl::StatusOr<Ack> again = append(intents_[key]);
    if (!again.ok()) {
      return absl::Status(again.status().code(),
                          absl::StrCat("replaying acknowledged append #", key, ": ",
                                       again.status().message()));
    }
    if (!again->idempotent_replay || again->first_position != original.first_position ||
        again->last_position != original.last_position ||
        again->last_stream_version != original.last_stream_version) {
      return absl::DataLossError(absl::StrCat(
          "replaying acknowledged append #", key, " (", original.first_position, "..",
          original.last_position, " version ", original.last_stream_version, ") returned ",
          again->first_position, "..", again->last_position, " version ",
          again->last_stream_version, again->idempotent_replay ? " replay" : " NOT a replay"));
    }
  }
  return absl::OkStatus();
}

}  // namespace iomhub::crash
