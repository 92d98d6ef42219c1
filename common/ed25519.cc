#include "common/ed25519.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"

namespace iomhub {

struct Ed25519Key::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string RawPublic(EVP_PKEY* pkey) {
  std::string raw(32, '\0');
  size_t size = raw.size();
  EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(raw.data()), &size);
  raw.resize(size);
  return raw;
}

}  // namespace

absl::StatusOr<Ed25519Key> Ed25519Key::Generate() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  auto key = std::make_shared<Key>();
  const bool ok =
      ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &key->pkey) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return absl::InternalError(absl::StrCat("generating an Ed25519 key: ", OpenSslError()));
  return Ed25519Key(std::move(key));
}

absl::StatusOr<Ed25519Key> Ed25519Key::FromPrivatePem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  auto key = std::make_shared<Key>();
  key->pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key->pkey == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("not a PEM private key (", OpenSslError(), ")"));
  }
  if (EVP_PKEY_id(key->pkey) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(
        "the private key is not an Ed25519 key (make one with `openssl genpkey -algorithm "
        "ed25519`)");
  }
  return Ed25519Key(std::move(key));
}

absl::StatusOr<Ed25519Key> Ed25519Key::LoadOrCreate(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<Ed25519Key> key = FromPrivatePem(text.str());
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
    }
    return key;
  }
  if (errno != ENOENT) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the audit signing key ", path, ": ", std::strerror(errno)));
  }
  absl::StatusOr<Ed25519Key> key = Generate();
  if (!key.ok()) return key.status();
  const std::string pem = key->PrivateKeyPem();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the audit signing key ", path, ": ", std::strerror(errno)));
  }
  const bool written =
      ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write the audit signing key ", path, ": ", std::strerror(errno)));
  }
  return key;
}

std::string Ed25519Key::Sign(absl::string_view message) const {
  std::string signature(64, '\0');
  size_t size = signature.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_->pkey);
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                 reinterpret_cast<const unsigned char*>(message.data()), message.size());
  EVP_MD_CTX_free(ctx);
  signature.resize(size);
  return signature;
}

std::string Ed25519Key::PublicKeyRaw() const { return RawPublic(key_->pkey); }

std::string Ed25519Key::PublicKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_->pkey);
  std::string pem = BioText(bio);
  BIO_free(bio);
  return pem;
}

std::string Ed25519Key::PrivateKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key_->pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::string pem = BioText(bio);
  BIO_free(bio);
  return pem;
}

std::string Ed25519Key::KeyId() const { return Ed25519KeyId(PublicKeyRaw()); }

std::string Ed25519KeyId(absl::string_view public_key_raw) {
  Sha256 sha;
  sha.Update(public_key_raw);
  return sha.FinishHex();
}

absl::StatusOr<std::string> Ed25519PublicKeyFromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    ERR_clear_error();
    BIO_free(bio);
    bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  }
  BIO_free(bio);
  if (pkey == nullptr || EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM Ed25519 public key");
  }
  std::string raw = RawPublic(pkey);
  EVP_PKEY_free(pkey);
  return raw;
}

bool Ed25519Verify(absl::string_view public_key_raw, absl::string_view message,
                   absl::string_view signature) {
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key_raw.data()),
      public_key_raw.size());
  if (pkey == nullptr) {
    ERR_clear_error();
    return false;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  ERR_clear_error();
  return ok;
}

}  // namespace iomhub
