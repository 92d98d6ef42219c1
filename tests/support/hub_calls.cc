#include "tests/support/hub_calls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"

namespace iomhub::testing {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

v1::AppendRequest MakeAppend(const std::string& stream, std::vector<v1::Event> events) {
  v1::AppendRequest request;
  request.set_stream(stream);
  for (v1::Event& e : events) *request.add_events() = std::move(e);
  return request;
}

absl::StatusOr<v1::AppendResponse> CallAppend(v1::EventService::StubInterface& stub,
                                              const v1::AppendRequest& request, const CallAs& as,
                                              absl::Duration timeout) {
  auto context = NewCallContext(as, timeout);
  v1::AppendResponse response;
  grpc::Status status = stub.Append(context.get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response;
}

uint64_t MustAppend(v1::EventService::StubInterface& stub, const CallAs& as,
                    const std::string& stream, std::vector<v1::Event> events) {
  absl::StatusOr<v1::AppendResponse> r =
      CallAppend(stub, MakeAppend(stream, std::move(events)), as);
  EXPECT_TRUE(r.ok()) << "append to " << stream << ": " << r.status();
  return r.ok() ? r->last_position() : 0;
}

namespace {

absl::StatusOr<std::vector<v1::Event>> Drain(
    grpc::ClientReaderInterface<v1::ReadResponse>& reader) {
  std::vector<v1::Event> events;
  v1::ReadResponse batch;
  while (reader.Read(&batch)) {
    for (v1::Event& e : *batch.mutable_events()) events.push_back(std::move(e));
  }
  grpc::Status status = reader.Finish();
  if (!status.ok()) return FromGrpc(status);
  return events;
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> CallReadAll(v1::EventService::StubInterface& stub,
                                                   const v1::ReadAllRequest& request,
                                                   const CallAs& as, absl::Duration timeout) {
  auto context = NewCallContext(as, timeout);
  auto reader = stub.ReadAll(context.get(), request);
  return Drain(*reader);
}

absl::StatusOr<std::vector<v1::Event>> CallReadStream(v1::EventService::StubInterface& stub,
                                                      const v1::ReadStreamRequest& request,
                                                      const CallAs& as, absl::Duration timeout) {
  auto context = NewCallContext(as, timeout);
  auto reader = stub.ReadStream(context.get(), request);
  return Drain(*reader);
}

absl::StatusOr<uint64_t> HeadPosition(v1::EventService::StubInterface& stub, const CallAs& as) {
  absl::StatusOr<std::vector<v1::Event>> all = CallReadAll(stub, v1::ReadAllRequest(), as);
  if (!all.ok()) return all.status();
  return all->empty() ? 0 : all->back().position();
}

absl::StatusOr<std::string> HttpGet(const std::string& address, const std::string& path,
                                    absl::Duration timeout) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat("bad address ", address));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not an IPv4 address: ", address));
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const timeval tv = absl::ToTimeval(timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::InternalError(absl::StrCat("connect ", address, ": ", std::strerror(errno)));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: ", address, "\r\nConnection: close\r\n\r\n");
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return absl::InternalError(absl::StrCat("send: ", std::strerror(errno)));
  }
  std::string response;
  const absl::Time deadline = absl::Now() + timeout;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("recv: ", std::strerror(errno)));
    }
    response.append(buffer, static_cast<size_t>(n));
    if (absl::Now() > deadline) return absl::DeadlineExceededError("HTTP response too slow");
  }
  const size_t header_end = response.find("\r\n\r\n");
  if (header_end == std::string::npos) {
    return absl::InternalError(absl::StrCat("malformed HTTP response: ", response));
  }
  const std::string status_line = response.substr(0, response.find("\r\n"));
  if (!absl::StrContains(status_line, " 200")) {
    return absl::InternalError(absl::StrCat("HTTP GET ", path, ": ", status_line));
  }
  return response.substr(header_end + 4);
}

std::optional<double> MetricValue(absl::string_view exposition, absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    // "<value>" or "<value> <timestamp>".
    const absl::string_view value = line.substr(0, line.find(' '));
    double parsed = 0;
    if (absl::SimpleAtod(value, &parsed)) return parsed;
  }
  return std::nullopt;
}

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return "";
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

absl::StatusOr<std::string> GenericUnary(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const std::string& request,
                                         const CallAs& as, absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  auto context = NewCallContext(as, timeout);
  const grpc::ByteBuffer request_buffer = ToByteBuffer(request);
  grpc::ByteBuffer response;
  absl::Mutex mu;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request_buffer, &response,
                 [&](grpc::Status s) {
                   absl::MutexLock lock(&mu);
                   status = std::move(s);
                   done = true;
                 });
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&done));  // the call's deadline bounds this
  if (!status.ok()) return FromGrpc(status);
  return FromByteBuffer(response);
}

absl::StatusOr<bool> HealthServing(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& service, const CallAs& as) {
  // HealthCheckRequest{service = 1}; HealthCheckResponse{status = 1}, SERVING = 1.
  std::string request;
  request.push_back(0x0a);
  request.push_back(static_cast<char>(service.size()));
  request += service;
  absl::StatusOr<std::string> response =
      GenericUnary(channel, "/grpc.health.v1.Health/Check", request, as);
  if (!response.ok()) return response.status();
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(*response)) return absl::InternalError("bad health response");
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) return fields.field(i).varint() == 1;
  }
  return false;  // status NOT_SERVING... or UNKNOWN (0, not written)
}

}  // namespace iomhub::testing
