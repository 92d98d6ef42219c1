#include "common/files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace iomhub {

std::string CannotRead(const std::string& path, const std::string& what) {
  const int error = errno;
  std::string out = absl::StrCat("cannot read ", what, " ", path, ": ",
                                 error != 0 ? std::strerror(error) : "unreadable");
  if (!std::filesystem::path(path).is_absolute()) {
    std::error_code ec;
    const std::filesystem::path cwd = std::filesystem::current_path(ec);
    absl::StrAppend(&out, " (looked for ", (cwd / path).lexically_normal().string(),
                    ", relative to the working directory ", cwd.string(), ")");
  }
  return out;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path, const std::string& what) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    std::string message = CannotRead(path, what);
    return error == EACCES ? absl::PermissionDeniedError(message) : absl::NotFoundError(message);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status CheckKeyMatchesCertificate(const std::string& cert_pem, const std::string& key_pem,
                                        const std::string& cert_path, const std::string& key_path) {
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  absl::Status status = absl::OkStatus();
  if (cert == nullptr) {
    status = absl::InvalidArgumentError(
        absl::StrCat(cert_path, ": not a PEM certificate (want -----BEGIN CERTIFICATE-----)"));
  } else if (key == nullptr) {
    status = absl::InvalidArgumentError(
        absl::StrCat(key_path, ": not a PEM private key (want -----BEGIN PRIVATE KEY-----)"));
  } else if (X509_check_private_key(cert, key) != 1) {
    status = absl::InvalidArgumentError(absl::StrCat(
        "the server key ", key_path, " does not match the server certificate ", cert_path,
        " (they are from different key pairs: reissue the certificate for this key, or "
        "point tls.server_key_file at the certificate's own key)"));
  }
  ERR_clear_error();
  X509_free(cert);
  EVP_PKEY_free(key);
  return status;
}

absl::StatusOr<std::string> DescribeCertificate(const std::string& pem, const std::string& path) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a PEM certificate (want -----BEGIN CERTIFICATE-----)"));
  }
  char subject[256] = {0};
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
  std::string until = "?";
  BIO* out = BIO_new(BIO_s_mem());
  if (ASN1_TIME_print(out, X509_get0_notAfter(cert)) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out, &data);
    until.assign(data, static_cast<size_t>(n));
  }
  BIO_free(out);
  X509_free(cert);
  return absl::StrCat("subject ", subject, ", valid until ", until);
}

}  // namespace iomhub
