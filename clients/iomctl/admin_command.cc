#include "clients/iomctl/admin_command.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "iomhub/v1/admin_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

constexpr char kOffline[] =
    " is offline work on the hub's machine, not a hub call: stop the hub (or use a backup) and "
    "run iomhubd --restore_from=BACKUP --data_dir=DIR to restore, iomhubd --verify "
    "--data_dir=DIR to verify a directory";

int Summarize(const CommandEnv& env, const v1::StorageVerification& verification) {
  for (const std::string& fault : verification.faults()) {
    *env.err << "iomctl: fault: " << fault << "\n";
  }
  *env.err << "iomctl: " << verification.summary() << std::endl;
  return verification.ok() ? kExitOk : kExitRpcError;
}

int Backup(const CommandEnv& env, const AdminOptions& options, v1::AdminService::Stub& stub) {
  if (options.argument.empty()) {
    return ReportUsageError(env,
                            "admin backup needs a directory: iomctl admin backup /backups/DIR (an "
                            "absolute path on the hub's machine that does not exist yet)");
  }
  v1::BackupStorageRequest request;
  request.set_directory(options.argument);
  request.set_skip_verify(options.skip_verify);
  v1::BackupStorageResponse response;
  const int code = Unary(
      env,
      [&](grpc::ClientContext* c, v1::BackupStorageResponse* r) {
        return stub.BackupStorage(c, request, r);
      },
      &response);
  if (code != kExitOk) return code;
  OutputTally output(env);
  output.Print(response);
  *env.err << "iomctl: backup written to " << response.directory() << ": "
           << (response.last_position() == 0
                   ? std::string("no events")
                   : absl::StrCat("positions 1..", response.last_position()))
           << ", " << response.files() << " files (" << response.linked_files() << " hard-linked), "
           << absl::StrFormat("%.1f", static_cast<double>(response.bytes()) / (1 << 20))
           << " MiB in " << absl::StrFormat("%.2f", response.seconds()) << " s"
           << (response.includes_signing_key() ? "; includes the audit signing key (keep it safe)"
                                               : "")
           << std::endl;
  if (response.has_verification()) return output.ExitCode(Summarize(env, response.verification()));
  return output.ExitCode(kExitOk);
}

int Verify(const CommandEnv& env, const AdminOptions& options, v1::AdminService::Stub& stub) {
  if (!options.argument.empty()) {
    return ReportUsageError(env,
                            absl::StrCat("verifying the directory ", options.argument, kOffline,
                                         " (iomctl admin verify, with no "
                                         "directory, checks the running hub)"));
  }
  v1::VerifyStorageResponse response;
  const int code = Unary(
      env,
      [&](grpc::ClientContext* c, v1::VerifyStorageResponse* r) {
        return stub.VerifyStorage(c, v1::VerifyStorageRequest(), r);
      },
      &response);
  if (code != kExitOk) return code;
  OutputTally output(env);
  output.Print(response);
  return output.ExitCode(Summarize(env, response.verification()));
}

}  // namespace

int RunAdmin(const CommandEnv& env, const AdminOptions& options) {
  auto stub = v1::AdminService::NewStub(env.channel);
  if (options.action == "backup") return Backup(env, options, *stub);
  if (options.action == "verify") return Verify(env, options, *stub);
  if (options.action == "restore") return ReportUsageError(env, absl::StrCat("restore", kOffline));
  return ReportUsageError(
      env, absl::StrCat("unknown admin action \"", options.action, "\" (want backup or verify)"));
}

}  // namespace iomhub::iomctl
