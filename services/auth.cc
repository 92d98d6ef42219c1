#include "services/auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpc/grpc_security_constants.h"
#include "projections/enum_words.h"

namespace iomhub::services {
namespace {

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
  auto [begin, end] = context.client_metadata().equal_range(key);
  if (begin == end) return "";
  return std::string(begin->second.data(), begin->second.size());
}

}  // namespace

absl::StatusOr<v1::Role> RoleFromName(absl::string_view name) {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  if (!name.empty() && absl::AsciiStrToLower(name) == name &&
      v1::Role_Parse(absl::StrCat("ROLE_", absl::AsciiStrToUpper(name)), &role) &&
      role != v1::ROLE_UNSPECIFIED) {
    return role;
  }
  std::vector<std::string> known;
  const auto* descriptor = v1::Role_descriptor();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto value = static_cast<v1::Role>(descriptor->value(i)->number());
    if (value != v1::ROLE_UNSPECIFIED) known.push_back(projections::RoleName(value));
  }
  return absl::InvalidArgumentError(absl::StrCat("call metadata \"", kRoleMetadataKey,
                                                 "\": unknown role \"", name, "\"; one of ",
                                                 absl::StrJoin(known, ", ")));
}

v1::Producer ProducerOf(const v1::Actor& actor) {
  v1::Producer producer;
  producer.set_agency(actor.agency());
  producer.set_organisation(actor.organisation());
  producer.set_system(actor.system());
  producer.set_area(actor.area());
  producer.set_user_id(actor.user_id());
  producer.set_role(projections::RoleName(actor.role()));
  producer.set_purpose(actor.purpose());
  return producer;
}

Authenticator::Authenticator(const v1::Principals& principals, bool insecure)
    : insecure_(insecure), table_(MakeTable(principals)) {}

std::shared_ptr<const Authenticator::Table> Authenticator::MakeTable(
    const v1::Principals& principals) {
  auto table = std::make_shared<Table>();
  for (const auto& p : principals.principal()) {
    table->by_identity[p.certificate_identity()] = p;
    table->by_id[p.id()] = p;
  }
  return table;
}

std::shared_ptr<const Authenticator::Table> Authenticator::table() const {
  absl::MutexLock lock(&mu_);
  return table_;
}

void Authenticator::Reload(const v1::Principals& principals) {
  std::shared_ptr<const Table> next = MakeTable(principals);
  absl::MutexLock lock(&mu_);
  table_ = std::move(next);
}

std::optional<v1::Principal> Authenticator::FindPrincipal(absl::string_view id) const {
  const std::shared_ptr<const Table> t = table();
  auto it = t->by_id.find(id);
  if (it == t->by_id.end()) return std::nullopt;
  return it->second;
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

absl::StatusOr<v1::Actor> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  v1::Principal principal;
  if (insecure_) {
    const std::string as = Metadata(context, kDevPrincipalMetadataKey);
    if (!as.empty()) {
      std::optional<v1::Principal> named = FindPrincipal(as);
      if (!named.has_value()) {
        return absl::UnauthenticatedError(
            absl::StrCat("call metadata \"", kDevPrincipalMetadataKey, "\" names \"", as,
                         "\", which is not a principal in the principals file"));
      }
      principal = *named;
    } else {
      principal.set_id("insecure-dev");
      principal.set_agency(v1::AGENCY_KIND_HUB_ADMIN);
      principal.set_organisation("development (insecure mode)");
    }
  } else {
    const std::vector<std::string> names = CertificateIdentities(context);
    if (names.empty()) {
      return absl::UnauthenticatedError("no verified client certificate");
    }
    const std::shared_ptr<const Table> t = table();
    const v1::Principal* found = nullptr;
    for (const auto& name : names) {
      if (auto it = t->by_identity.find(name); it != t->by_identity.end()) {
        found = &it->second;
        break;
      }
    }
    if (found == nullptr) {
      return absl::UnauthenticatedError(absl::StrCat(
          "client certificate (", absl::StrJoin(names, ", "), ") is not a known principal"));
    }
    principal = *found;
  }
  const std::string user_id = Metadata(context, kUserMetadataKey);
  const std::string role = Metadata(context, kRoleMetadataKey);
  const std::string purpose = Metadata(context, kPurposeMetadataKey);
  for (const auto& [value, key] :
       {std::pair{&user_id, kUserMetadataKey}, std::pair{&role, kRoleMetadataKey},
        std::pair{&purpose, kPurposeMetadataKey}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat("call metadata \"", key, "\" is missing"));
    }
  }
  absl::StatusOr<v1::Role> parsed_role = RoleFromName(role);
  if (!parsed_role.ok()) return parsed_role.status();
  const auto& roles = principal.allowed_roles();
  if (!roles.empty() && std::find(roles.begin(), roles.end(), role) == roles.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("principal ", principal.id(), " may not act as role \"", role, "\""));
  }
  v1::Actor actor;
  actor.set_agency(principal.agency());
  actor.set_organisation(principal.organisation());
  actor.set_area(principal.area());
  actor.set_system(principal.id());
  actor.set_user_id(user_id);
  actor.set_role(*parsed_role);
  actor.set_purpose(purpose);
  return actor;
}

}  // namespace iomhub::services
