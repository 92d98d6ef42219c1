// EventService (iomhub.v1): append to and read from the log over gRPC.
// Appends are finished by the event store's commit thread after fsync, so no
// gRPC thread waits on disk; reads run on the ReadExecutor.
#ifndef IOMHUB_SERVICES_EVENT_SERVICE_H_
#define IOMHUB_SERVICES_EVENT_SERVICE_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "services/auth.h"
#include "services/delivery_cursor.h"
#include "services/hub_context.h"
#include "services/hub_metrics.h"
#include "services/read_executor.h"

namespace iomhub::services {

// Batch bounds for streamed reads.
inline constexpr size_t kReadBatchEvents = 1000;
inline constexpr size_t kReadBatchBytes = 1 << 20;
inline constexpr size_t kReadBatchScan = 8192;

// Every method is served raw (ByteBuffer in and out). The hub parses each
// request itself, so a body that is not the method's request message gets
// INVALID_ARGUMENT saying so (gRPC's own parsing answered UNIMPLEMENTED with
// no message); ReadAll forwards stored event bytes, checked by CRC, without
// parsing and re-serializing each event.
class EventServiceImpl final
    : public v1::EventService::WithRawCallbackMethod_Append<
          v1::EventService::WithRawCallbackMethod_AppendStream<
              v1::EventService::WithRawCallbackMethod_ReadStream<
                  v1::EventService::WithRawCallbackMethod_ReadAll<v1::EventService::Service>>>> {
 public:
  // `hub` is not owned and must outlive the service.
  explicit EventServiceImpl(HubContext* hub);

  // Request: a serialized AppendRequest; response: a serialized AppendResponse.
  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  // Requests: serialized AppendRequest; responses: serialized
  // AppendStreamResponse (append_stream.h).
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AppendStream(
      grpc::CallbackServerContext* context) override;
  // Request: a serialized ReadStreamRequest; responses: serialized ReadResponse.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* ReadStream(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override;
  // Request: a serialized ReadAllRequest; responses: serialized ReadResponse.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* ReadAll(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request) override;

  // Shutdown, step one: new appends are refused with UNAVAILABLE (nothing
  // written; retrying later is safe), then this waits up to `timeout` for
  // appends already accepted to be acknowledged. True if none is left.
  bool DrainAppends(absl::Duration timeout);

 private:
  // Counts an accepted append; false (and not counted) when draining.
  bool BeginAppend();
  void EndAppend();
  // PERMISSION_DENIED naming the first event the producer table refuses.
  absl::Status CheckProducer(const v1::Actor& actor, const v1::AppendRequest& request) const;
  // Checks one append request of `producer` (its fields, the producer
  // table, that the hub is not draining) and starts it; `done` gets the
  // result. `method` names the call in the metrics.
  void SubmitAppend(const v1::Actor& producer, v1::AppendRequest request, const char* method,
                    eventstore::AppendCallback done);
  // Stamps the producer and appends; `done` gets the result.
  // An append to a person's stream with an event some IOM rule reads the
  // person's state for (append_judge.h: Y2A, WISDOM, second warnings,
  // overlapping appointments, consent withdrawals, the steps of a joint
  // breach decision) goes through PersonCommands: judged on the stream's
  // current state, taken in turn with the appends that could change it.
  void StartAppend(const v1::Actor& producer, v1::AppendRequest request, const char* method,
                   eventstore::AppendCallback done);

  HubContext* const hub_;
  eventstore::EventStore* const store_;
  const Authenticator* const auth_;
  ReadExecutor* const executor_;
  HubMetrics* const metrics_;
  const DeliveryDeps delivery_;

  absl::Mutex mu_;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  int in_flight_appends_ ABSL_GUARDED_BY(mu_) = 0;
};

// Validates event type names for filters: INVALID_ARGUMENT naming the first
// unknown one.
absl::Status ValidateEventTypes(const google::protobuf::RepeatedPtrField<std::string>& types);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_EVENT_SERVICE_H_
