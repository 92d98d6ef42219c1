#include "services/store_tools.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/ed25519.h"
#include "common/files.h"
#include "eventstore/backup.h"
#include "services/hub_context.h"
#include "services/hub_server.h"

namespace iomhub::services {
namespace {

// The audit key's public half, or "" (the chain then goes unchecked and the
// summary says so) when there is no key file to read.
std::string AuditPublicKey(const v1::HubConfig& config, std::ostream& err) {
  const std::string path = AuditSigningKeyPath(config);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    err << "note: no audit signing key at " << path
        << ": the audit chain's signatures are not checked\n";
    return "";
  }
  absl::StatusOr<std::string> pem = ReadWholeFile(path, "audit signing key");
  absl::StatusOr<Ed25519Key> key =
      pem.ok() ? Ed25519Key::FromPrivatePem(*pem) : absl::StatusOr<Ed25519Key>(pem.status());
  if (!key.ok()) {
    err << "note: " << key.status().message() << ": the audit chain's signatures are not checked\n";
    return "";
  }
  return key->PublicKeyRaw();
}

int Report(const eventstore::VerifyReport& report, std::ostream& out) {
  out << report.Summary() << "\n";
  for (const std::string& fault : report.faults) out << "  fault: " << fault << "\n";
  if (report.fault_count > report.faults.size()) {
    out << "  ... and " << report.fault_count - report.faults.size() << " more\n";
  }
  return report.ok() ? kStoreToolOk : kStoreToolFaults;
}

}  // namespace

int VerifyDataDir(const v1::HubConfig& config, std::ostream& out, std::ostream& err) {
  const std::string dir = WithDefaults(config).data_dir();
  eventstore::VerifyOptions options;
  options.audit_public_key_raw = AuditPublicKey(config, err);
  absl::StatusOr<eventstore::VerifyReport> report = eventstore::VerifyDataDirectory(dir, options);
  if (!report.ok()) {
    err << "iomhubd --verify: " << report.status().message() << "\n";
    return kStoreToolError;
  }
  out << std::filesystem::absolute(dir).string() << ": ";
  return Report(*report, out);
}

int RestoreDataDir(const std::string& backup_dir, const v1::HubConfig& config, std::ostream& out,
                   std::ostream& err) {
  const std::string dir = WithDefaults(config).data_dir();
  // The key travels in the backup when the hub kept it in its data
  // directory; read it from there once restored.
  eventstore::VerifyOptions options;
  std::error_code ec;
  const bool key_in_backup =
      config.audit().signing_key_file().empty() &&
      std::filesystem::exists(std::filesystem::path(backup_dir) / "audit-signing.key", ec);
  if (!key_in_backup) options.audit_public_key_raw = AuditPublicKey(config, err);
  if (key_in_backup) {
    v1::HubConfig from_backup = config;
    from_backup.set_data_dir(backup_dir);
    options.audit_public_key_raw = AuditPublicKey(from_backup, err);
  }
  absl::StatusOr<eventstore::RestoreSummary> restored =
      eventstore::RestoreBackup(backup_dir, dir, options);
  if (!restored.ok()) {
    err << "iomhubd --restore_from: " << restored.status().message() << "\n";
    return kStoreToolError;
  }
  out << "restored " << std::filesystem::absolute(backup_dir).string() << " into "
      << std::filesystem::absolute(dir).string() << ": " << restored->files << " files ("
      << restored->linked_files << " hard-linked), " << restored->bytes << " bytes\n";
  const int code = Report(restored->verify_report, out);
  out << "start the hub on it with --data_dir=" << std::filesystem::absolute(dir).string()
      << "; events appended after the backup was taken are not in it (partners re-send them: "
         "their event ids make that safe)\n";
  return code;
}

}  // namespace iomhub::services
