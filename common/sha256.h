// SHA-256 (OpenSSL's EVP interface), for digests of views and, later, the
// audit log's hash chain. Not thread-safe per object; cheap to create.
#ifndef IOMHUB_COMMON_SHA256_H_
#define IOMHUB_COMMON_SHA256_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace iomhub {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view bytes);
  // Adds `bytes` preceded by its length (8 bytes, little-endian), so that
  // ("ab","c") and ("a","bc") differ.
  void UpdateFramed(absl::string_view bytes);
  // The 32-byte digest; the object must not be used afterwards.
  std::string Finish();
  // Finish(), as 64 lowercase hex digits.
  std::string FinishHex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace iomhub

#endif  // IOMHUB_COMMON_SHA256_H_
