#include "services/event_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "eventstore/error_info.h"
#include "eventstore/event_peek.h"
#include "eventstore/event_types.h"
#include "eventstore/message_checks.h"
#include "projections/case_view_projection.h"
#include "projections/person_state.h"
#include "projections/sharing/sharing_facts.h"
#include "services/admission.h"
#include "services/append_judge.h"
#include "services/append_stream.h"
#include "services/grpc_status.h"
#include "services/read_ahead.h"
#include "services/read_reactor.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

// How long a finite read waits for the case view to reach an event whose
// delivery depends on the person's state (normally milliseconds).
constexpr absl::Duration kFactsWait = absl::Seconds(10);

eventstore::Expected ToExpected(const v1::AppendRequest& request) {
  if (request.expected_case() == v1::AppendRequest::kExpectedVersion) {
    return eventstore::Expected::Exact(request.expected_version());
  }
  switch (request.expected_state()) {
    case v1::EXPECTED_STATE_NO_STREAM:
      return eventstore::Expected::NoStream();
    case v1::EXPECTED_STATE_EXISTS:
      return eventstore::Expected::Exists();
    default:  // ANY and UNSPECIFIED; CheckAppendRequest refused the rest
      return eventstore::Expected::Any();
  }
}

// The request's own fields (the events are the store's to check).
absl::Status CheckAppendRequest(const v1::AppendRequest& request) {
  if (request.expected_case() == v1::AppendRequest::kExpectedState &&
      !v1::ExpectedState_IsValid(request.expected_state())) {
    return absl::InvalidArgumentError(absl::StrCat("expected_state: ", request.expected_state(),
                                                   " is not a value of iomhub.v1.ExpectedState"));
  }
  return absl::OkStatus();
}

// Offers a parsed stored event; true if it is delivered (trimmed in place
// when it must be), waiting for the person's facts when the decision needs
// them.
absl::StatusOr<bool> OfferParsed(DeliveryCursor& delivery, v1::Event* event) {
  IOMHUB_ASSIGN_OR_RETURN(DeliveryCursor::Verdict verdict, delivery.Offer(event));
  if (verdict == DeliveryCursor::Verdict::kWaitForFacts) {
    IOMHUB_RETURN_IF_ERROR(delivery.WaitForFacts(event->position(), absl::Now() + kFactsWait));
    IOMHUB_ASSIGN_OR_RETURN(verdict, delivery.Offer(event));
  }
  return verdict != DeliveryCursor::Verdict::kSkip;
}

// Whether the recipient may see any event of `stream`, from its start.
absl::StatusOr<bool> SeesAnyOf(eventstore::EventStore& store, DeliveryCursor& delivery,
                               const std::string& stream) {
  uint64_t next = 0;
  while (true) {
    absl::StatusOr<eventstore::ReadBatch> read =
        store.ReadStream(stream, next, /*backwards=*/false, kReadBatchEvents, kReadBatchBytes);
    if (absl::IsNotFound(read.status())) return false;
    if (!read.ok()) return read.status();
    for (auto& e : read->events) {
      IOMHUB_ASSIGN_OR_RETURN(const bool delivered, OfferParsed(delivery, &e));
      if (delivered) return true;
    }
    if (read->end) return false;
    next = read->next;
  }
}

}  // namespace

absl::Status ValidateEventTypes(const google::protobuf::RepeatedPtrField<std::string>& types) {
  for (const auto& type : types) {
    if (!eventstore::IsKnownEventType(type)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown event type \"", type,
                                                     "\" (use payload message names such as "
                                                     "\"ContactScheduled\")"));
    }
  }
  return absl::OkStatus();
}

EventServiceImpl::EventServiceImpl(HubContext* hub)
    : hub_(hub),
      store_(&hub->log()),
      auth_(&hub->auth()),
      executor_(&hub->executor()),
      metrics_(&hub->metrics()),
      delivery_(hub->delivery()) {}

absl::Status EventServiceImpl::CheckProducer(const v1::Actor& actor,
                                             const v1::AppendRequest& request) const {
  const std::shared_ptr<const projections::sharing::ProducerTable> table =
      delivery_.sharing->producers();
  for (int i = 0; i < request.events_size(); ++i) {
    // An event without a payload has no type to check; the store refuses
    // it as INVALID_ARGUMENT with the other malformed events.
    if (request.events(i).payload_case() == v1::Event::PAYLOAD_NOT_SET) continue;
    absl::Status allowed = table->Check(actor, request.events(i));
    if (!allowed.ok()) {
      return WithErrorInfo(
          absl::PermissionDeniedError(
              absl::StrCat("events[", i, "]: ", allowed.message(), "; nothing was written")),
          "PRODUCER_NOT_ALLOWED",
          {{"event_index", absl::StrCat(i)},
           {"event_type", std::string(eventstore::EventTypes::Get().NameForField(
                              static_cast<int>(request.events(i).payload_case())))}});
    }
  }
  return absl::OkStatus();
}

void EventServiceImpl::SubmitAppend(const v1::Actor& producer, v1::AppendRequest request,
                                    const char* method, eventstore::AppendCallback done) {
  const size_t count = static_cast<size_t>(request.events_size());
  absl::Status allowed = CheckAppendRequest(request);
  if (allowed.ok()) allowed = CheckProducer(producer, request);
  if (allowed.ok() && !BeginAppend()) {
    allowed = absl::UnavailableError("the hub is shutting down; retry later (retries are safe)");
  }
  if (!allowed.ok()) {
    metrics_->RecordRejected(method, allowed.code());
    metrics_->RecordAppend(allowed.code(), count);
    std::move(done)(allowed);
    return;
  }
  StartAppend(producer, std::move(request), method, std::move(done));
}

void EventServiceImpl::StartAppend(const v1::Actor& producer_actor, v1::AppendRequest request,
                                   const char* method, eventstore::AppendCallback done) {
  const size_t count = static_cast<size_t>(request.events_size());
  // The producer always comes from the authenticated caller, never the body.
  const v1::Producer producer = ProducerOf(producer_actor);
  std::vector<v1::Event> events(std::make_move_iterator(request.mutable_events()->begin()),
                                std::make_move_iterator(request.mutable_events()->end()));
  bool judged = false;
  for (v1::Event& e : events) {
    *e.mutable_producer() = producer;
    judged |= NeedsJudging(e);
  }
  const bool serialized = PersonCommands::Serialized(request.stream(), events);
  auto finish = [this, method, count,
                 done = std::move(done)](absl::StatusOr<eventstore::AppendResult> result) mutable {
    metrics_->RecordAppend(result.status().code(), count);
    if (!result.ok()) metrics_->RecordRejected(method, result.status().code());
    std::move(done)(std::move(result));
    EndAppend();
  };
  if (!serialized) {
    store_->AppendAsync(request.stream(), ToExpected(request), std::move(events),
                        std::move(finish));
    return;
  }
  PersonCommands::Check check = nullptr;
  if (judged) {
    check = [this, producer_actor](const PersonCommands::Current& current,
                                   std::vector<v1::Event>* to_append) {
      return JudgeAppend(*hub_, producer_actor, *to_append, current);
    };
  }
  hub_->commands().Append(request.stream(), ToExpected(request), std::move(events),
                          std::move(check), std::move(finish));
}

grpc::ServerUnaryReactor* EventServiceImpl::Append(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* raw_request,
                                                   grpc::ByteBuffer* raw_response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::AppendRequest request;
  absl::StatusOr<v1::Actor> identity = AdmitCaller(*auth_, *context, Operation::kAppend);
  absl::Status allowed = identity.status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &request);
  if (!allowed.ok()) {
    metrics_->RecordRejected("Append", allowed.code());
    metrics_->RecordAppend(allowed.code(), static_cast<size_t>(request.events_size()));
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  SubmitAppend(*identity, std::move(request), "Append",
               [reactor, raw_response](absl::StatusOr<eventstore::AppendResult> result) {
                 if (!result.ok()) {
                   reactor->Finish(ToGrpcStatus(result.status()));
                   return;
                 }
                 *raw_response = ToByteBuffer(AppendResponseOf(*result));
                 reactor->Finish(grpc::Status::OK);
               });
  return reactor;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* EventServiceImpl::AppendStream(
    grpc::CallbackServerContext* context) {
  absl::StatusOr<v1::Actor> identity = AdmitCaller(*auth_, *context, Operation::kAppend);
  if (!identity.ok()) {
    metrics_->RecordRejected("AppendStream", identity.status().code());
    return RefusedReactor<grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>>(
        identity.status());
  }
  return new AppendStreamReactor(
      [this, producer = *identity](v1::AppendRequest request, eventstore::AppendCallback done) {
        SubmitAppend(producer, std::move(request), "AppendStream", std::move(done));
      },
      metrics_);
}

bool EventServiceImpl::BeginAppend() {
  absl::MutexLock lock(&mu_);
  if (draining_) return false;
  ++in_flight_appends_;
  return true;
}

void EventServiceImpl::EndAppend() {
  absl::MutexLock lock(&mu_);
  --in_flight_appends_;
}

bool EventServiceImpl::DrainAppends(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  return mu_.AwaitWithTimeout(
      absl::Condition(
          +[](int* in_flight) { return *in_flight == 0; }, &in_flight_appends_),
      timeout);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventServiceImpl::ReadStream(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  v1::ReadStreamRequest request;
  absl::StatusOr<v1::Actor> identity = AdmitCaller(*auth_, *context, Operation::kReadLog);
  absl::Status allowed = identity.status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &request);
  if (allowed.ok()) allowed = eventstore::CheckFieldValues(request);
  if (!allowed.ok()) {
    metrics_->RecordRejected("ReadStream", allowed.code());
    return RefusedReactor<grpc::ServerWriteReactor<grpc::ByteBuffer>>(allowed);
  }
  metrics_->RecordReadCall("ReadStream");
  const bool backwards = request.direction() == v1::READ_DIRECTION_BACKWARDS;
  struct Cursor {
    std::string stream;
    uint64_t next;
    bool backwards;
    bool limited;
    uint64_t remaining;
    std::unique_ptr<DeliveryCursor> delivery;
    v1::AuditChannel channel;
    uint64_t delivered = 0;
    uint64_t withheld = 0;
  };
  Cursor cursor{request.stream(),
                backwards && request.from_end() ? UINT64_MAX : request.from_version(),
                backwards,
                request.limit() > 0,
                request.limit(),
                std::make_unique<DeliveryCursor>(*identity, delivery_),
                ChannelOf(*context, "iomhub.v1.EventService/ReadStream")};
  // A stream that does not exist and one the caller may see nothing of get
  // the same answer, so that a read never tells a partner that a person it
  // may not know of is in the hub.
  // Such a refusal discloses nothing, so it leaves no audit record; it is
  // counted and logged with who asked.
  auto nothing_to_see = [metrics = metrics_, who = *identity](const std::string& stream) {
    metrics->RecordRejected("ReadStream", absl::StatusCode::kNotFound);
    LogLine(absl::StrCat("refused: ", who.system(), " (user ", who.user_id(), ", role ",
                         v1::Role_Name(who.role()), ", purpose ", who.purpose(),
                         "): ReadStream of ", stream, ": nothing it may see"));
    return absl::NotFoundError(absl::StrCat("stream ", stream, " has no events you may see"));
  };
  auto read_batch = [store = store_, audit = &hub_->audit(),
                     nothing_to_see](Cursor& c) -> absl::StatusOr<ReadAhead::Batch> {
    c.delivery->Refresh();
    v1::ReadResponse batch;
    ReadAhead::Batch out;
    // Batches the recipient may receive nothing of are read past.
    while (batch.events_size() == 0 && !out.end) {
      size_t want = kReadBatchEvents;
      if (c.limited) want = std::min<uint64_t>(want, c.remaining);
      absl::StatusOr<eventstore::ReadBatch> read =
          store->ReadStream(c.stream, c.next, c.backwards, want, kReadBatchBytes);
      if (absl::IsNotFound(read.status())) return nothing_to_see(c.stream);
      if (!read.ok()) return read.status();
      for (auto& e : read->events) {
        IOMHUB_ASSIGN_OR_RETURN(const bool delivered, OfferParsed(*c.delivery, &e));
        if (!delivered) {
          ++c.withheld;
          continue;
        }
        *batch.add_events() = std::move(e);
      }
      c.next = read->next;
      c.delivered += batch.events_size();
      if (c.limited) c.remaining -= batch.events_size();
      out.end = read->end || (c.limited && c.remaining == 0);
    }
    if (c.delivered == 0) {
      if (c.withheld > 0) return nothing_to_see(c.stream);
      // Nothing was examined (a read past the end): the stream exists,
      // but say so only to a caller that may see some of it.
      IOMHUB_ASSIGN_OR_RETURN(const bool sees, SeesAnyOf(*store, *c.delivery, c.stream));
      c.delivery->disclosed().Clear();  // looked at, not sent
      if (!sees) return nothing_to_see(c.stream);
    }
    if (batch.events_size() == 0) return out;
    // Durable before it leaves (audit_trail.h); committing while the next
    // batch is read (read_ahead.h).
    out.record = audit->RecordDeliveryAsync(*c.delivery, c.channel);
    out.bytes = ToByteBuffer(batch);
    out.events = static_cast<size_t>(batch.events_size());
    out.has_data = true;
    return out;
  };
  auto* reactor = new ReadReactor<grpc::ByteBuffer>(
      executor_,
      [c = std::move(cursor), read_batch = std::move(read_batch), ahead = ReadAhead(),
       metrics = metrics_](grpc::ByteBuffer* out, bool* end) mutable -> absl::StatusOr<bool> {
        IOMHUB_ASSIGN_OR_RETURN(ReadAhead::Batch batch, ahead.Next([&] { return read_batch(c); }));
        *end = batch.end;
        if (!batch.has_data) return false;
        metrics->RecordReadEvents("ReadStream", batch.events);
        *out = std::move(batch.bytes);
        return true;
      });
  reactor->Start();
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventServiceImpl::ReadAll(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  v1::ReadAllRequest request;
  absl::StatusOr<v1::Actor> identity = AdmitCaller(*auth_, *context, Operation::kReadLog);
  absl::Status allowed = identity.status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &request);
  if (allowed.ok()) allowed = eventstore::CheckFieldValues(request);
  if (allowed.ok()) allowed = ValidateEventTypes(request.event_types());
  if (!allowed.ok()) {
    metrics_->RecordRejected("ReadAll", allowed.code());
    return RefusedReactor<grpc::ServerWriteReactor<grpc::ByteBuffer>>(allowed);
  }
  metrics_->RecordReadCall("ReadAll");
  struct Cursor {
    uint64_t next;
    bool limited;
    uint64_t remaining;
    // Snapshot of the head when the call started: a read is finite.
    uint64_t last;
    absl::flat_hash_set<int> payload_fields;  // empty: every type
    std::unique_ptr<DeliveryCursor> delivery;
    v1::AuditChannel channel;
  };
  Cursor cursor{std::max<uint64_t>(request.from_position(), 1),
                request.limit() > 0,
                request.limit(),
                store_->CommittedPosition(),
                {},
                std::make_unique<DeliveryCursor>(*identity, delivery_),
                ChannelOf(*context, "iomhub.v1.EventService/ReadAll")};
  for (const auto& type : request.event_types()) {
    cursor.payload_fields.insert(eventstore::PayloadFieldForType(type));
  }
  auto read_batch = [store = store_,
                     audit = &hub_->audit()](Cursor& c) -> absl::StatusOr<ReadAhead::Batch> {
    c.delivery->Refresh();
    WireBatch batch;
    uint64_t blocked_at = 0;  // the first event waiting for the person's facts
    std::string trimmed;
    auto take = [&](uint64_t position, absl::string_view bytes) -> absl::StatusOr<bool> {
      if (position > c.last || blocked_at != 0) return false;
      IOMHUB_ASSIGN_OR_RETURN(eventstore::EventPeek peek, eventstore::PeekEvent(bytes));
      if (!c.payload_fields.empty() && !c.payload_fields.contains(peek.payload_field)) {
        return false;
      }
      return c.delivery->OfferInto(position, bytes, peek, &batch, &blocked_at, &trimmed);
    };
    while (batch.events() == 0) {
      if (c.next > c.last || (c.limited && c.remaining == 0)) break;
      size_t want = kReadBatchEvents;
      if (c.limited) want = std::min<uint64_t>(want, c.remaining);
      absl::StatusOr<eventstore::ReadBatch> read =
          store->VisitAll(c.next, want, kReadBatchBytes, kReadBatchScan, take);
      if (!read.ok()) return read.status();
      c.next = blocked_at != 0 ? blocked_at : read->next;
      if (c.limited) c.remaining -= batch.events();
      if (blocked_at != 0 && batch.events() == 0) {
        IOMHUB_RETURN_IF_ERROR(c.delivery->WaitForFacts(blocked_at, absl::Now() + kFactsWait));
        blocked_at = 0;
      }
    }
    ReadAhead::Batch out;
    out.end = c.next > c.last || (c.limited && c.remaining == 0);
    if (batch.events() == 0) return out;
    // Durable before it leaves (audit_trail.h); committing while the next
    // batch is read (read_ahead.h).
    out.record = audit->RecordDeliveryAsync(*c.delivery, c.channel);
    out.bytes = batch.ToByteBuffer();
    out.events = batch.events();
    out.has_data = true;
    return out;
  };
  auto* reactor = new ReadReactor<grpc::ByteBuffer>(
      executor_,
      [c = std::move(cursor), read_batch = std::move(read_batch), ahead = ReadAhead(),
       metrics = metrics_](grpc::ByteBuffer* out, bool* end) mutable -> absl::StatusOr<bool> {
        IOMHUB_ASSIGN_OR_RETURN(ReadAhead::Batch batch, ahead.Next([&] { return read_batch(c); }));
        *end = batch.end;
        if (!batch.has_data) return false;
        metrics->RecordReadEvents("ReadAll", batch.events);
        *out = std::move(batch.bytes);
        return true;
      });
  reactor->Start();
  return reactor;
}

}  // namespace iomhub::services
