// Ed25519 keys (OpenSSL's EVP interface), for the signed checkpoints of the
// audit log's hash chain (audit_chain.h). Immutable once made; thread-safe.
#ifndef IOMHUB_COMMON_ED25519_H_
#define IOMHUB_COMMON_ED25519_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iomhub {

class Ed25519Key {
 public:
  // A fresh random key.
  static absl::StatusOr<Ed25519Key> Generate();
  // A private key in PEM (PKCS#8, as `openssl genpkey -algorithm ed25519`
  // writes). INVALID_ARGUMENT saying what is wrong.
  static absl::StatusOr<Ed25519Key> FromPrivatePem(absl::string_view pem);
  // Reads the private key at `path`; if the file does not exist, generates
  // one and writes it there (mode 0600). Errors name the path.
  static absl::StatusOr<Ed25519Key> LoadOrCreate(const std::string& path);

  std::string Sign(absl::string_view message) const;  // 64 bytes
  std::string PublicKeyRaw() const;                   // 32 bytes
  std::string PublicKeyPem() const;
  std::string PrivateKeyPem() const;
  // SHA-256 of PublicKeyRaw(), lowercase hex: names the key in checkpoints.
  std::string KeyId() const;

 private:
  struct Key;
  explicit Ed25519Key(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

// SHA-256 of a raw public key, lowercase hex (Ed25519Key::KeyId).
std::string Ed25519KeyId(absl::string_view public_key_raw);

// The raw 32-byte public key in `pem` (a PUBLIC KEY, or a PRIVATE KEY whose
// public half is taken). INVALID_ARGUMENT if it is not an Ed25519 key.
absl::StatusOr<std::string> Ed25519PublicKeyFromPem(absl::string_view pem);

// Whether `signature` is `public_key_raw`'s signature of `message`.
bool Ed25519Verify(absl::string_view public_key_raw, absl::string_view message,
                   absl::string_view signature);

}  // namespace iomhub

#endif  // IOMHUB_COMMON_ED25519_H_
