// CommandEnv: what every iomctl command gets from main (a channel, the
// caller's identity, a timeout and the output streams), and the one place
// that decides how results and errors are printed and which exit code a
// command returns.
#ifndef IOMHUB_CLIENTS_IOMCTL_COMMAND_ENV_H_
#define IOMHUB_CLIENTS_IOMCTL_COMMAND_ENV_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/hub_client.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace iomhub::iomctl {

// Process exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;  // the hub (or the channel) returned an error
inline constexpr int kExitUsage = 2;     // bad flags or unusable input; nothing was sent

// Shared by all commands. Not owned pointers must outlive the command.
struct CommandEnv {
  std::shared_ptr<grpc::Channel> channel{};
  clients::CallIdentity identity{};
  // Deadline for each call, from its start. Zero: none.
  absl::Duration timeout = absl::ZeroDuration();
  std::ostream* out = nullptr;  // results: one JSON object per line
  std::ostream* err = nullptr;  // errors and progress
  bool tls = false;             // mTLS (not --insecure): explain handshake failures
};

// A context for one call carrying env.identity and env.timeout.
// INVALID_ARGUMENT: as clients::MakeCallContext.
absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewCallContext(const CommandEnv& env);

// Prints "iomctl: <CODE_NAME>: <message>" (e.g. "iomctl: NOT_FOUND: ...")
// and returns kExitRpcError. Over mTLS, a connection the hub closed during
// the handshake is explained in one line (what to check) instead.
int ReportRpcError(const CommandEnv& env, const grpc::Status& status);

// Prints "iomctl: <message>" and returns kExitUsage.
int ReportUsageError(const CommandEnv& env, absl::string_view message);

// Writes `message` as one line of protobuf JSON (lowerCamel names, no
// whitespace) and flushes, so that a pipe sees each line as it comes.
// INVALID_ARGUMENT (and nothing written) if protobuf cannot express it as
// JSON, e.g. a Timestamp outside 0001..9999 from an older hub.
absl::Status PrintJsonLine(const google::protobuf::Message& message, std::ostream& out);

// Counts what a command could not print. Print() writes the line, or tells
// env.err which message (and event position) could not be printed and why;
// ExitCode() turns an otherwise successful command into kExitRpcError when
// anything was skipped, so a script never mistakes a gap for success.
class OutputTally {
 public:
  explicit OutputTally(const CommandEnv& env) : env_(env) {}
  void Print(const google::protobuf::Message& message);
  int ExitCode(int code) const;

 private:
  const CommandEnv& env_;
  uint64_t unprintable_ = 0;
};

// One unary call: `call(context, response)` with a fresh context from
// NewCallContext; kExitOk, or the error reported (ReportRpcError /
// ReportUsageError) and its exit code.
template <typename Response, typename Call>
int Unary(const CommandEnv& env, Call call, Response* response) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewCallContext(env);
  if (!context.ok()) return ReportUsageError(env, context.status().message());
  const grpc::Status status = call(context->get(), response);
  if (!status.ok()) return ReportRpcError(env, status);
  return kExitOk;
}

// Splits a comma-separated flag value ("A,B"), dropping empty items and
// surrounding spaces.
std::vector<std::string> SplitList(absl::string_view text);

// Parses a non-negative decimal integer flag value. INVALID_ARGUMENT naming
// `flag_name` otherwise.
absl::StatusOr<uint64_t> ParseCount(absl::string_view flag_name, absl::string_view text);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_COMMAND_ENV_H_
