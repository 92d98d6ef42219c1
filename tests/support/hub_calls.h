// Blocking EventService calls for tests, returning absl::Status so that the
// StatusIs() matchers apply, plus a Prometheus /metrics scraper. Test-only.
// Thread-safe (gRPC stubs are).
#ifndef IOMHUB_TESTS_SUPPORT_HUB_CALLS_H_
#define IOMHUB_TESTS_SUPPORT_HUB_CALLS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/status.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "tests/support/test_events.h"

namespace iomhub::testing {

// The one grpc::Status → absl::Status conversion in tests (same codes).
absl::Status FromGrpc(const grpc::Status& status);

// An AppendRequest for `stream` (the events keep their own stream field).
v1::AppendRequest MakeAppend(const std::string& stream, std::vector<v1::Event> events);

absl::StatusOr<v1::AppendResponse> CallAppend(v1::EventService::StubInterface& stub,
                                              const v1::AppendRequest& request,
                                              const CallAs& as = {},
                                              absl::Duration timeout = absl::Seconds(30));

// CallAppend that expects success (a test failure otherwise): the last
// position written, or 0 on failure.
uint64_t MustAppend(v1::EventService::StubInterface& stub, const CallAs& as,
                    const std::string& stream, std::vector<v1::Event> events);

// Drains the whole ReadAll / ReadStream response stream.
absl::StatusOr<std::vector<v1::Event>> CallReadAll(v1::EventService::StubInterface& stub,
                                                   const v1::ReadAllRequest& request,
                                                   const CallAs& as = {},
                                                   absl::Duration timeout = absl::Seconds(60));
absl::StatusOr<std::vector<v1::Event>> CallReadStream(v1::EventService::StubInterface& stub,
                                                      const v1::ReadStreamRequest& request,
                                                      const CallAs& as = {},
                                                      absl::Duration timeout = absl::Seconds(60));

// Raw protobuf bytes as a gRPC message, and back.
grpc::ByteBuffer ToByteBuffer(const std::string& bytes);
std::string FromByteBuffer(const grpc::ByteBuffer& buffer);

// One unary call by method name ("/package.Service/Method") with raw
// request bytes; the raw response bytes, or the call's status.
absl::StatusOr<std::string> GenericUnary(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const std::string& request,
                                         const CallAs& as = {},
                                         absl::Duration timeout = absl::Seconds(10));

// grpc.health.v1.Health/Check of `service`: true for SERVING.
absl::StatusOr<bool> HealthServing(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& service, const CallAs& as = {});

// The log's last position as seen by a full ReadAll (0 when empty).
absl::StatusOr<uint64_t> HeadPosition(v1::EventService::StubInterface& stub, const CallAs& as = {});

// GET http://<address><path> over a plain socket (HTTP/1.0). Returns the
// body; INTERNAL for a connection error or a non-200 status.
absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& path,
                                    absl::Duration timeout = absl::Seconds(10));

// The value of the sample `series` (e.g. `iomhub_append_calls_total{code="ok"}`,
// label order as exposed) in Prometheus text format, or nullopt if absent.
std::optional<double> MetricValue(absl::string_view exposition, absl::string_view series);

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_SUPPORT_HUB_CALLS_H_
