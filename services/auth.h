// Authentication: client certificate → principal, call metadata → user,
// role and purpose; together the caller as a v1::Actor. The actor stamps the
// producer of every appended event, so a client cannot claim another agency.
//
// Thread-safe after construction (read-only).
#ifndef IOMHUB_SERVICES_AUTH_H_
#define IOMHUB_SERVICES_AUTH_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "iomhub/v1/actor.pb.h"
#include "iomhub/v1/config.pb.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::services {

// Metadata keys every call carries (defined once; clients use the same).
inline constexpr char kUserMetadataKey[] = "iomhub-user-id";
inline constexpr char kRoleMetadataKey[] = "iomhub-role";
inline constexpr char kPurposeMetadataKey[] = "iomhub-purpose";
// Insecure (loopback development) mode only: act as this principal id.
inline constexpr char kDevPrincipalMetadataKey[] = "iomhub-dev-principal";

// ROLE_SERGEANT for "sergeant", the spelling projections/enum_words.h
// RoleName writes. INVALID_ARGUMENT listing the known roles for an unknown
// name.
absl::StatusOr<v1::Role> RoleFromName(absl::string_view name);

// The producer stamped onto appended events.
v1::Producer ProducerOf(const v1::Actor& actor);

class Authenticator {
 public:
  // `insecure`: no client certificates (loopback development mode); a
  // caller is the principal its `iomhub-dev-principal` metadata names, or
  // else the built-in "insecure-dev" hub-admin principal.
  Authenticator(const v1::Principals& principals, bool insecure);

  // UNAUTHENTICATED: no certificate, or one no principal maps.
  // INVALID_ARGUMENT: user, role or purpose metadata missing (names which),
  //   or a role the hub does not know.
  // PERMISSION_DENIED: the principal may not assert that role.
  absl::StatusOr<v1::Actor> Authenticate(const grpc::ServerContextBase& context) const;

  // The certificate identities the transport reported, in matching order:
  // SAN URIs, SAN DNS names, then the subject common name. For messages.
  static std::vector<std::string> CertificateIdentities(const grpc::ServerContextBase& context);

  // The principal with this id, or nullopt.
  std::optional<v1::Principal> FindPrincipal(absl::string_view id) const;

  // Replaces the principals (SIGHUP): calls that start after it use the new
  // set, calls under way keep the one they started with. REQUIRES:
  // `principals` validated (ValidatePrincipals).
  void Reload(const v1::Principals& principals);

 private:
  struct Table {
    absl::flat_hash_map<std::string, v1::Principal> by_identity;
    absl::flat_hash_map<std::string, v1::Principal> by_id;
  };
  static std::shared_ptr<const Table> MakeTable(const v1::Principals& principals);
  std::shared_ptr<const Table> table() const;

  const bool insecure_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Table> table_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_AUTH_H_
