#include "clients/adapters/feed_runner.h"

#include <fstream>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "clients/adapters/feed_checkpoint.h"
#include "clients/adapters/feed_reader.h"
#include "clients/subscription_cursor.h"
#include "common/ids.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "iomhub/v1/event_service.grpc.pb.h"

namespace iomhub::adapters {
namespace {

constexpr size_t kMaxEventsPerAppend = 100;
// How long the hub may stay unreachable before the run stops.
constexpr absl::Duration kGiveUpAfter = absl::Seconds(60);

bool Transient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string KindName(v1::IdentifierKind kind) {
  switch (kind) {
    case v1::IDENTIFIER_KIND_PNC:
      return "PNC";
    case v1::IDENTIFIER_KIND_NICHE_NOMINAL:
      return "Niche nominal";
    case v1::IDENTIFIER_KIND_CRN:
      return "CRN";
    case v1::IDENTIFIER_KIND_NOMS:
      return "NOMS";
    default:
      return v1::IdentifierKind_Name(kind);
  }
}

// One message ready to append.
struct Item {
  const FeedMessage* message;
  std::string stream;
  std::vector<v1::Event> events;
};

}  // namespace

uint64_t FeedSummary::rejected_total() const {
  uint64_t total = 0;
  for (const auto& [reason, n] : rejected) total += n;
  return total;
}

std::string FeedSummary::ToString() const {
  uint64_t skipped_total = 0;
  for (const auto& [reason, n] : skipped) skipped_total += n;
  std::string s =
      absl::StrCat("read ", read, ", appended ", appended, " (", events, " events), replayed ",
                   replayed, ", skipped ", skipped_total, ", rejected ", rejected_total());
  for (const auto& [reason, n] : skipped) absl::StrAppend(&s, "\n  skipped ", n, ": ", reason);
  for (const auto& [reason, n] : rejected) absl::StrAppend(&s, "\n  rejected ", n, ": ", reason);
  return s;
}

class FeedRunner::Impl {
 public:
  explicit Impl(FeedRunner& runner)
      : r_(runner),
        cases_(v1::CaseService::NewStub(runner.channel_)),
        events_(v1::EventService::NewStub(runner.channel_)) {}

  absl::StatusOr<FeedSummary> Run() {
    absl::StatusOr<std::vector<std::string>> files = ExpandInputs(r_.options_.inputs);
    if (!files.ok()) return files.status();
    std::optional<FeedPosition> checkpoint;
    if (!r_.options_.checkpoint_file.empty()) {
      absl::StatusOr<std::optional<FeedPosition>> loaded =
          LoadFeedCheckpoint(r_.options_.checkpoint_file);
      if (!loaded.ok()) return loaded.status();
      checkpoint = *loaded;
    }
    if (!r_.options_.rejects_file.empty()) {
      rejects_.open(r_.options_.rejects_file, std::ios::app);
      if (!rejects_) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot open the rejects file ", r_.options_.rejects_file));
      }
    }
    size_t first_file = 0;
    size_t skip = 0;
    if (checkpoint.has_value()) {
      for (size_t i = 0; i < files->size(); ++i) {
        if ((*files)[i] == checkpoint->file) {
          first_file = i;
          skip = checkpoint->done;
        }
      }
    }
    for (size_t f = first_file; f < files->size(); ++f) {
      const std::string& file = (*files)[f];
      absl::StatusOr<std::vector<FeedMessage>> messages = ReadFeedFile(file);
      if (!messages.ok()) return messages.status();
      const size_t chunk = std::max<size_t>(1, r_.options_.checkpoint_every);
      for (size_t start = f == first_file ? skip : 0; start < messages->size(); start += chunk) {
        const size_t end = std::min(messages->size(), start + chunk);
        if (absl::Status s = Chunk(*messages, start, end); !s.ok()) return s;
        if (!r_.options_.checkpoint_file.empty() && file != "-") {
          if (absl::Status s = StoreFeedCheckpoint(r_.options_.checkpoint_file, {file, end});
              !s.ok()) {
            return s;
          }
        }
      }
    }
    return summary_;
  }

 private:
  // Maps, resolves and appends messages [start, end) of one file.
  absl::Status Chunk(const std::vector<FeedMessage>& messages, size_t start, size_t end) {
    std::vector<std::vector<Item>> shares(std::max(1, r_.options_.parallel));
    for (size_t i = start; i < end; ++i) {
      const FeedMessage& m = messages[i];
      ++summary_.read;
      if (!m.malformed.empty()) {
        Reject(m, "malformed JSON", m.malformed);
        continue;
      }
      Mapped mapped = r_.mapper_(m.text);
      if (mapped.kind == Mapped::Kind::kSkip) {
        ++summary_.skipped[mapped.reason];
        continue;
      }
      if (mapped.kind == Mapped::Kind::kReject) {
        Reject(m, mapped.reason, "");
        continue;
      }
      absl::StatusOr<std::string> person = Person(mapped.identifiers);
      if (!person.ok()) {
        if (!absl::IsNotFound(person.status())) return person.status();
        Reject(m, "no hub person for the message's identifiers", person.status().message());
        continue;
      }
      Item item{.message = &m, .stream = absl::StrCat("person-", *person), .events = {}};
      for (size_t e = 0; e < mapped.events.size(); ++e) {
        v1::Event event = std::move(mapped.events[e]);
        event.set_event_id(NameBasedUuid(
            kIomhubNamespace, absl::StrCat(r_.options_.source, "/", mapped.source_id, "/", e)));
        item.events.push_back(std::move(event));
      }
      shares[absl::HashOf(item.stream) % shares.size()].push_back(std::move(item));
    }
    std::vector<std::thread> workers;
    std::vector<absl::Status> failures(shares.size());
    for (size_t w = 0; w < shares.size(); ++w) {
      if (shares[w].empty()) continue;
      workers.emplace_back([this, &shares, &failures, w] { failures[w] = Work(shares[w]); });
    }
    for (std::thread& t : workers) t.join();
    for (const absl::Status& s : failures) {
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Appends one share: each person's messages in feed order, in appends of
  // up to kMaxEventsPerAppend events (what a chunk holds for a person is the
  // same on every run, so a replay resends the same appends).
  absl::Status Work(const std::vector<Item>& items) {
    std::vector<std::vector<Item>> by_stream;
    absl::flat_hash_map<absl::string_view, size_t> index;
    for (const Item& item : items) {
      auto [it, added] = index.try_emplace(item.stream, by_stream.size());
      if (added) by_stream.emplace_back();
      by_stream[it->second].push_back(item);
    }
    for (const std::vector<Item>& mine : by_stream) {
      for (size_t i = 0; i < mine.size();) {
        size_t j = i + 1;
        size_t events = mine[i].events.size();
        while (j < mine.size() && events + mine[j].events.size() <= kMaxEventsPerAppend) {
          events += mine[j].events.size();
          ++j;
        }
        if (absl::Status s = AppendGroup(mine, i, j); !s.ok()) return s;
        i = j;
      }
    }
    return absl::OkStatus();
  }

  absl::Status AppendGroup(const std::vector<Item>& items, size_t begin, size_t end) {
    v1::AppendRequest request;
    request.set_stream(items[begin].stream);
    for (size_t i = begin; i < end; ++i) {
      for (const v1::Event& e : items[i].events) *request.add_events() = e;
    }
    v1::AppendResponse response;
    absl::StatusOr<grpc::Status> status = Call(request, &response);
    if (!status.ok()) return status.status();
    if (status->ok()) {
      absl::MutexLock lock(&mu_);
      if (response.idempotent_replay()) {
        summary_.replayed += end - begin;
      } else {
        summary_.appended += end - begin;
        summary_.events += static_cast<uint64_t>(request.events_size());
      }
      return absl::OkStatus();
    }
    if (end - begin > 1) {
      // One message refused, or the group was stored differently before
      // (a run that stopped half-way): each message on its own.
      for (size_t i = begin; i < end; ++i) {
        if (absl::Status s = AppendGroup(items, i, i + 1); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    absl::MutexLock lock(&mu_);
    Reject(*items[begin].message,
           absl::StrCat("refused by the hub (", CodeName(status->error_code()), ")"),
           status->error_message());
    return absl::OkStatus();
  }

  // The call's final status; an error only when the hub stayed unreachable.
  absl::StatusOr<grpc::Status> Call(const v1::AppendRequest& request,
                                    v1::AppendResponse* response) {
    clients::ReconnectBackoff backoff(absl::Milliseconds(100), absl::Seconds(5));
    const absl::Time give_up = absl::Now() + kGiveUpAfter;
    for (;;) {
      absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
          clients::MakeCallContext(r_.identity_, absl::Seconds(30));
      if (!context.ok()) return context.status();
      grpc::Status status = events_->Append(context->get(), request, response);
      if (!Transient(status.error_code()) || absl::Now() > give_up) {
        if (Transient(status.error_code())) {
          return absl::UnavailableError(absl::StrCat("the hub stayed unreachable (",
                                                     status.error_message(),
                                                     "); rerun to resume from the checkpoint"));
        }
        return status;
      }
      absl::SleepFor(backoff.Next());
    }
  }

  // The hub person id of the first identifier the hub knows; NOT_FOUND
  // naming them when none; UNAVAILABLE when the hub cannot be asked.
  absl::StatusOr<std::string> Person(const std::vector<v1::IdentifierRef>& identifiers) {
    std::string tried;
    for (const v1::IdentifierRef& id : identifiers) {
      const std::string key = absl::StrCat(id.kind(), ":", id.value());
      if (auto it = people_.find(key); it != people_.end()) return it->second;
      v1::FindPersonRequest request;
      *request.mutable_identifier() = id;
      v1::FindPersonResponse response;
      absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
          clients::MakeCallContext(r_.identity_, absl::Seconds(30));
      if (!context.ok()) return context.status();
      grpc::Status status = cases_->FindPerson(context->get(), request, &response);
      if (status.ok()) {
        people_[key] = response.person_id();
        return response.person_id();
      }
      if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
        return absl::UnavailableError(
            absl::StrCat("finding the person for ", KindName(id.kind()), " ", id.value(), ": ",
                         CodeName(status.error_code()), ": ", status.error_message()));
      }
      absl::StrAppend(&tried, tried.empty() ? "" : ", ", KindName(id.kind()), " ", id.value());
    }
    return absl::NotFoundError(tried.empty() ? "the message names no identifier"
                                             : absl::StrCat("none known to the hub: ", tried));
  }

  // Counts and reports one rejected message. Called on the reading thread,
  // or with mu_ held.
  void Reject(const FeedMessage& m, const std::string& reason, absl::string_view detail) {
    ++summary_.rejected[reason];
    *r_.err_ << m.file << ":" << m.line << ": rejected: " << reason << (detail.empty() ? "" : ": ")
             << detail << "\n";
    if (!rejects_.is_open()) return;
    google::protobuf::Struct line;
    auto& fields = *line.mutable_fields();
    fields["file"].set_string_value(m.file);
    fields["line"].set_number_value(m.line);
    fields["reason"].set_string_value(reason);
    fields["detail"].set_string_value(std::string(detail));
    fields["message"].set_string_value(m.text);
    std::string json;
    if (google::protobuf::util::MessageToJsonString(line, &json).ok()) {
      rejects_ << json << "\n";
      rejects_.flush();
    }
  }

  FeedRunner& r_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::EventService::Stub> events_;
  absl::flat_hash_map<std::string, std::string> people_;  // reading thread only
  std::ofstream rejects_;
  absl::Mutex mu_;
  FeedSummary summary_;
};

FeedRunner::FeedRunner(std::shared_ptr<grpc::Channel> channel, clients::CallIdentity identity,
                       FeedOptions options, Mapper mapper, std::ostream* err)
    : channel_(std::move(channel)),
      identity_(std::move(identity)),
      options_(std::move(options)),
      mapper_(std::move(mapper)),
      err_(err) {}

absl::StatusOr<FeedSummary> FeedRunner::Run() {
  Impl impl(*this);
  return impl.Run();
}

}  // namespace iomhub::adapters
