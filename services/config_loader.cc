#include "services/config_loader.h"

#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace iomhub::services {
namespace {

using google::protobuf::TextFormat;

class CollectFirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

// Where `field` (index `index` if repeated) of `message` was written.
std::string Where(const std::string& path, const TextFormat::ParseInfoTree* tree,
                  const google::protobuf::Message& message, const std::string& field,
                  int index = -1) {
  const auto* descriptor = message.GetDescriptor()->FindFieldByName(field);
  if (tree != nullptr && descriptor != nullptr) {
    auto location = tree->GetLocation(descriptor, index);
    if (location.line >= 0)
      return absl::StrCat(path, ":", location.line + 1, ":", location.column + 1);
  }
  return path;
}

template <typename Message>
absl::Status ParseFile(const std::string& path, Message* out, TextFormat::ParseInfoTree* tree) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, "the file");
  if (!text.ok()) return text.status();
  TextFormat::Parser parser;
  CollectFirstError errors;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(tree);
  if (!parser.ParseFromString(*text, out)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", errors.first()));
  }
  return absl::OkStatus();
}

absl::Status ValidatePrincipalsAt(const v1::Principals& principals, const std::string& path,
                                  const TextFormat::ParseInfoTree* tree) {
  absl::flat_hash_set<std::string> ids, identities;
  for (int i = 0; i < principals.principal_size(); ++i) {
    const v1::Principal& p = principals.principal(i);
    const TextFormat::ParseInfoTree* sub =
        tree == nullptr
            ? nullptr
            : tree->GetTreeForNested(v1::Principals::descriptor()->FindFieldByName("principal"), i);
    const std::string at = Where(path, tree, principals, "principal", i);
    const std::string name = p.id().empty() ? absl::StrCat("principal #", i + 1)
                                            : absl::StrCat("principal \"", p.id(), "\"");
    if (p.id().empty())
      return absl::InvalidArgumentError(absl::StrCat(at, ": ", name, ": id is required"));
    if (!ids.insert(p.id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, sub, p, "id"), ": ", name, ": id is used twice"));
    }
    if (p.certificate_identity().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": ", name, ": certificate_identity is required"));
    }
    if (!identities.insert(p.certificate_identity()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(path, sub, p, "certificate_identity"), ": ", name, ": certificate_identity \"",
          p.certificate_identity(), "\" is already mapped"));
    }
    if (p.agency() == v1::AGENCY_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": ", name, ": agency is required"));
    }
    if (p.organisation().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": ", name, ": organisation is required"));
    }
  }
  return absl::OkStatus();
}

bool IsConfigId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

const TextFormat::ParseInfoTree* Nested(const TextFormat::ParseInfoTree* tree,
                                        const google::protobuf::Descriptor* descriptor,
                                        const char* field, int index) {
  if (tree == nullptr) return nullptr;
  return tree->GetTreeForNested(descriptor->FindFieldByName(field), index);
}

absl::Status ValidateTeamsAt(const v1::TeamsConfig& teams, const std::string& path,
                             const TextFormat::ParseInfoTree* tree) {
  absl::flat_hash_set<std::string> areas, team_ids;
  for (int i = 0; i < teams.area_size(); ++i) {
    const v1::Area& a = teams.area(i);
    const auto* sub = Nested(tree, v1::TeamsConfig::descriptor(), "area", i);
    const std::string at = Where(path, tree, teams, "area", i);
    if (!IsConfigId(a.id())) {
      return absl::InvalidArgumentError(absl::StrCat(Where(path, sub, a, "id"), ": area #", i + 1,
                                                     ": id \"", a.id(),
                                                     "\" must be 1..64 characters of [a-z0-9-]"));
    }
    if (!areas.insert(a.id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, sub, a, "id"), ": area \"", a.id(), "\" is defined twice"));
    }
    if (a.name().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": area \"", a.id(), "\": name is required"));
    }
  }
  for (int i = 0; i < teams.team_size(); ++i) {
    const v1::Team& t = teams.team(i);
    const auto* sub = Nested(tree, v1::TeamsConfig::descriptor(), "team", i);
    const std::string at = Where(path, tree, teams, "team", i);
    const std::string name = absl::StrCat("team \"", t.id(), "\"");
    if (!IsConfigId(t.id())) {
      return absl::InvalidArgumentError(absl::StrCat(Where(path, sub, t, "id"), ": team #", i + 1,
                                                     ": id \"", t.id(),
                                                     "\" must be 1..64 characters of [a-z0-9-]"));
    }
    if (!team_ids.insert(t.id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, sub, t, "id"), ": ", name, " is defined twice"));
    }
    if (t.name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": ", name, ": name is required"));
    }
    if (!areas.contains(t.area_id())) {
      return absl::InvalidArgumentError(absl::StrCat(Where(path, sub, t, "area_id"), ": ", name,
                                                     ": area_id \"", t.area_id(),
                                                     "\" is not an area of this file"));
    }
    if (t.setting() == v1::SETTING_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": ", name, ": setting (SETTING_URBAN or SETTING_RURAL) is required"));
    }
    if (t.co_location() == v1::CO_LOCATION_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": ", name, ": co_location is required"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateTeams(const v1::TeamsConfig& teams, const std::string& path) {
  return ValidateTeamsAt(teams, path, nullptr);
}

absl::StatusOr<v1::TeamsConfig> LoadTeams(const std::string& path) {
  v1::TeamsConfig teams;
  TextFormat::ParseInfoTree tree;
  IOMHUB_RETURN_IF_ERROR(ParseFile(path, &teams, &tree));
  IOMHUB_RETURN_IF_ERROR(ValidateTeamsAt(teams, path, &tree));
  return teams;
}

absl::Status ValidatePrincipals(const v1::Principals& principals, const std::string& path) {
  return ValidatePrincipalsAt(principals, path, nullptr);
}

absl::StatusOr<v1::Principals> LoadPrincipals(const std::string& path) {
  v1::Principals principals;
  TextFormat::ParseInfoTree tree;
  IOMHUB_RETURN_IF_ERROR(ParseFile(path, &principals, &tree));
  IOMHUB_RETURN_IF_ERROR(ValidatePrincipalsAt(principals, path, &tree));
  return principals;
}

absl::StatusOr<v1::HubConfig> LoadHubConfig(const std::string& path) {
  v1::HubConfig config;
  TextFormat::ParseInfoTree tree;
  IOMHUB_RETURN_IF_ERROR(ParseFile(path, &config, &tree));
  if (config.has_tls() && !config.insecure()) {
    const auto& tls = config.tls();
    for (const auto& [value, field] : {std::pair{tls.server_cert_file(), "server_cert_file"},
                                       std::pair{tls.server_key_file(), "server_key_file"},
                                       std::pair{tls.client_ca_file(), "client_ca_file"}}) {
      if (value.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(path, &tree, config, "tls"), ": tls.", field, " is required"));
      }
    }
  }
  return config;
}

}  // namespace iomhub::services
