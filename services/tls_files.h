// TlsFiles: the hub's server certificate, private key and client CA bundle,
// served to gRPC so that SIGHUP can replace them without a restart.
//
// gRPC reloads certificates only from files it watches itself
// (FileWatcherCertificateProvider, checked every second). It would pick up
// a half-replaced or mismatched set as readily as a good one, so it does not
// watch the configured files: it watches private copies in
// <data_dir>/.tls/current (a symlink to one generation directory, mode
// 0700), and Reload replaces them only with a set that passed the checks
// (each file reads, the certificate and CA parse, the key belongs to the
// certificate), by swapping the symlink in one rename. gRPC compares the
// files' times before and after reading, so it never mixes two
// generations. New handshakes use the new set within about a second;
// connections already open keep theirs.
//
// Thread-safe.
#ifndef IOMHUB_SERVICES_TLS_FILES_H_
#define IOMHUB_SERVICES_TLS_FILES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/server_credentials.h"
#include "iomhub/v1/config.pb.h"

namespace iomhub::services {

class TlsFiles {
 public:
  // Checks and copies the configured files into `live_dir` (replacing
  // whatever was there). INVALID_ARGUMENT naming the bad file.
  static absl::StatusOr<std::unique_ptr<TlsFiles>> Start(const v1::TlsConfig& tls,
                                                         std::string live_dir);

  // Server credentials that require and verify a client certificate signed
  // by the client CA, over the live copies.
  std::shared_ptr<grpc::ServerCredentials> credentials() const { return credentials_; }

  // Re-reads the configured files; applies them if they pass the checks
  // (returning a description of the new certificate), else changes nothing
  // and says which file is wrong and why.
  absl::StatusOr<std::string> Reload();

  // "subject ..., valid until ..." of the certificate in use.
  std::string Describe();

 private:
  TlsFiles(v1::TlsConfig tls, std::string live_dir)
      : tls_(std::move(tls)), dir_(std::move(live_dir)) {}
  // Reads and checks the configured files, writes them as a new generation
  // and makes it current.
  absl::StatusOr<std::string> Install() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const v1::TlsConfig tls_;
  const std::string dir_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
  absl::Mutex mu_;
  int generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::string description_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_TLS_FILES_H_
