// AccessLog: one JSON line per gRPC call, for operations (docs/operations.md
// "Access log"): when it ended, the method, the peer, the principal and the
// user, role and purpose it asserted, the status code (and message when not
// OK), how long it took, and the messages received and sent. Refusals are
// logged like any call. Written by a gRPC server interceptor, so no service
// can forget it. It is NOT the lawful disclosure record (that is the audit
// log, audit_trail.h, which never depends on this one).
//
// Thread-safe: lines are written whole.
#ifndef IOMHUB_SERVICES_ACCESS_LOG_H_
#define IOMHUB_SERVICES_ACCESS_LOG_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_interceptor.h"
#include "services/auth.h"

namespace iomhub::services {

class AccessLog {
 public:
  // `destination`: "-" for stderr, else a file opened for appending.
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& destination);
  ~AccessLog();

  void Write(const std::string& line);

  // The interceptor factory to give grpc::ServerBuilder. `auth` names the
  // principal; both must outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> Interceptors(
      const Authenticator* auth);

 private:
  AccessLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  absl::Mutex mu_;
  std::FILE* const file_;
  const bool owned_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_ACCESS_LOG_H_
