// Reading configuration files with errors an operator can act on: which
// file, why (the system's reason), and — for a relative path — the
// absolute path tried and the working directory it was resolved from.
// Also the check that a TLS private key belongs to its certificate.
#ifndef IOMHUB_COMMON_FILES_H_
#define IOMHUB_COMMON_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace iomhub {

// "<what> <path>: <reason>" plus " (looked for <absolute>, relative to the
// working directory <cwd>)" when `path` is relative. Reads errno: call
// right after the failed open.
std::string CannotRead(const std::string& path, const std::string& what);

// The whole file; NOT_FOUND (or PERMISSION_DENIED) with CannotRead's text.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path, const std::string& what);

// OK if the PEM private key `key_pem` belongs to the first certificate of
// `cert_pem`; else INVALID_ARGUMENT naming both files.
absl::Status CheckKeyMatchesCertificate(const std::string& cert_pem, const std::string& key_pem,
                                        const std::string& cert_path, const std::string& key_path);

// The first certificate of the PEM bundle `pem` (read from `path`) as
// "subject <name>, valid until <date>", e.g. for a log line; INVALID_ARGUMENT
// naming `path` when it holds no PEM certificate.
absl::StatusOr<std::string> DescribeCertificate(const std::string& pem, const std::string& path);

}  // namespace iomhub

#endif  // IOMHUB_COMMON_FILES_H_
