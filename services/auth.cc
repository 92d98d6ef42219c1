#include "services/auth.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpc/grpc_security_constants.h"

namespace iomhub::services {
namespace {

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
  auto [begin, end] = context.client_metadata().equal_range(key);
  if (begin == end) return "";
  return std::string(begin->second.data(), begin->second.size());
}

}  // namespace

v1::Producer CallIdentity::ToProducer() const {
  v1::Producer producer;
  producer.set_agency(principal.agency());
  producer.set_organisation(principal.organisation());
  producer.set_system(principal.id());
  producer.set_area(principal.area());
  producer.set_user_id(user_id);
  producer.set_role(role);
  producer.set_purpose(purpose);
  return producer;
}

Authenticator::Authenticator(const v1::Principals& principals, bool insecure)
    : insecure_(insecure) {
  for (const auto& p : principals.principal()) by_identity_[p.certificate_identity()] = p;
}

std::vector<std::string> Authenticator::CertificateIdentities(
    const grpc::ServerContextBase& context) {
  std::vector<std::string> out;
  auto auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return out;
  for (const char* property : {GRPC_PEER_URI_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME,
                               GRPC_X509_SAN_PROPERTY_NAME, GRPC_X509_CN_PROPERTY_NAME}) {
    for (const auto& value : auth->FindPropertyValues(property)) {
      out.emplace_back(value.data(), value.size());
    }
  }
  return out;
}

absl::StatusOr<CallIdentity> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  CallIdentity identity;
  if (insecure_) {
    identity.principal.set_id("insecure-dev");
    identity.principal.set_agency(v1::AGENCY_KIND_HUB_ADMIN);
    identity.principal.set_organisation("development (insecure mode)");
  } else {
    const std::vector<std::string> names = CertificateIdentities(context);
    if (names.empty()) {
      return absl::UnauthenticatedError("no verified client certificate");
    }
    const v1::Principal* found = nullptr;
    for (const auto& name : names) {
      if (auto it = by_identity_.find(name); it != by_identity_.end()) {
        found = &it->second;
        break;
      }
    }
    if (found == nullptr) {
      return absl::UnauthenticatedError(absl::StrCat(
          "client certificate (", absl::StrJoin(names, ", "), ") is not a known principal"));
    }
    identity.principal = *found;
  }
  identity.user_id = Metadata(context, kUserMetadataKey);
  identity.role = Metadata(context, kRoleMetadataKey);
  identity.purpose = Metadata(context, kPurposeMetadataKey);
  for (const auto& [value, key] : {std::pair{&identity.user_id, kUserMetadataKey},
                                   std::pair{&identity.role, kRoleMetadataKey},
                                   std::pair{&identity.purpose, kPurposeMetadataKey}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat("call metadata \"", key, "\" is missing"));
    }
  }
  const auto& roles = identity.principal.allowed_roles();
  if (!roles.empty() && std::find(roles.begin(), roles.end(), identity.role) == roles.end()) {
    return absl::PermissionDeniedError(absl::StrCat("principal ", identity.principal.id(),
                                                    " may not act as role \"", identity.role,
                                                    "\""));
  }
  return identity;
}

}  // namespace iomhub::services
