#include "services/tls_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace iomhub::services {
namespace {

namespace fs = std::filesystem;

constexpr char kKey[] = "key.pem";
constexpr char kCert[] = "cert.pem";
constexpr char kCa[] = "ca.pem";
// How often gRPC looks at the live copies.
constexpr unsigned int kRefreshSeconds = 1;

absl::Status WriteFile(const fs::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot write ", path.string(), ": ", std::strerror(errno)));
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

// A TLS file that cannot be read is a configuration error.
absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, what);
  if (!text.ok()) return absl::InvalidArgumentError(text.status().message());
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsFiles>> TlsFiles::Start(const v1::TlsConfig& tls,
                                                          std::string live_dir) {
  std::unique_ptr<TlsFiles> files(new TlsFiles(tls, std::move(live_dir)));
  std::error_code ec;
  fs::remove_all(files->dir_, ec);
  fs::create_directories(files->dir_, ec);
  if (ec || ::chmod(files->dir_.c_str(), 0700) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", files->dir_, " for the live TLS files"));
  }
  {
    absl::MutexLock lock(&files->mu_);
    IOMHUB_RETURN_IF_ERROR(files->Install().status());
  }
  const fs::path current = fs::path(files->dir_) / "current";
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      (current / kKey).string(), (current / kCert).string(), (current / kCa).string(),
      kRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  files->credentials_ = grpc::experimental::TlsServerCredentials(options);
  return files;
}

absl::StatusOr<std::string> TlsFiles::Reload() {
  absl::MutexLock lock(&mu_);
  return Install();
}

std::string TlsFiles::Describe() {
  absl::MutexLock lock(&mu_);
  return description_;
}

absl::StatusOr<std::string> TlsFiles::Install() {
  IOMHUB_ASSIGN_OR_RETURN(std::string ca, ReadFile(tls_.client_ca_file(), "client CA"));
  IOMHUB_ASSIGN_OR_RETURN(std::string key, ReadFile(tls_.server_key_file(), "server key"));
  IOMHUB_ASSIGN_OR_RETURN(std::string cert,
                          ReadFile(tls_.server_cert_file(), "server certificate"));
  IOMHUB_RETURN_IF_ERROR(DescribeCertificate(ca, tls_.client_ca_file()).status());
  IOMHUB_RETURN_IF_ERROR(
      CheckKeyMatchesCertificate(cert, key, tls_.server_cert_file(), tls_.server_key_file()));
  IOMHUB_ASSIGN_OR_RETURN(std::string description,
                          DescribeCertificate(cert, tls_.server_cert_file()));

  const int next = generation_ + 1;
  const fs::path gen = fs::path(dir_) / absl::StrCat("gen-", next);
  std::error_code ec;
  fs::remove_all(gen, ec);
  fs::create_directory(gen, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot create ", gen.string(), ": ", ec.message()));
  IOMHUB_RETURN_IF_ERROR(WriteFile(gen / kKey, key, 0600));
  IOMHUB_RETURN_IF_ERROR(WriteFile(gen / kCert, cert, 0644));
  IOMHUB_RETURN_IF_ERROR(WriteFile(gen / kCa, ca, 0644));
  // One rename swaps all three.
  const fs::path link = fs::path(dir_) / "current";
  const fs::path staged = fs::path(dir_) / "current.new";
  fs::remove(staged, ec);
  fs::create_directory_symlink(gen.filename(), staged, ec);
  if (!ec) fs::rename(staged, link, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot switch ", link.string(), ": ", ec.message()));
  // The generation before the previous one is no longer read by anyone.
  fs::remove_all(fs::path(dir_) / absl::StrCat("gen-", next - 2), ec);
  generation_ = next;
  description_ = description;
  return description;
}

}  // namespace iomhub::services
