#include "clients/hub_client.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace iomhub::clients {
namespace {

// A read batch of up to the hub's append limit (4 MiB of events) plus its
// envelope must fit; gRPC's default receive limit is exactly 4 MiB.
constexpr int kMaxReceiveMessageBytes = 16 * 1024 * 1024;

absl::StatusOr<std::string> ReadPemFile(absl::string_view option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(option, ": cannot read file \"", path, "\""));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(option, ": error reading file \"", path, "\""));
  }
  if (contents.str().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(option, ": file \"", path, "\" is empty"));
  }
  return contents.str();
}

// gRPC accepts only printable ASCII in non-binary metadata values.
bool IsPrintableAscii(absl::string_view value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeHubCredentials(
    const HubClientOptions& options) {
  if (options.insecure) {
    if (!options.ca_file.empty() || !options.cert_file.empty() || !options.key_file.empty() ||
        !options.server_name_override.empty()) {
      return absl::InvalidArgumentError(
          "insecure (plaintext) cannot be combined with a CA, certificate, key or server name");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs both its certificate file and its key file");
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty()) {
    IOMHUB_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPemFile("CA file", options.ca_file));
  }
  if (!options.cert_file.empty()) {
    IOMHUB_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadPemFile("certificate file", options.cert_file));
    IOMHUB_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPemFile("key file", options.key_file));
  }
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeHubChannel(const HubClientOptions& options) {
  if (options.address.empty()) return absl::InvalidArgumentError("hub address is empty");
  IOMHUB_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                          MakeHubCredentials(options));
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  if (!options.server_name_override.empty()) {
    args.SetSslTargetNameOverride(options.server_name_override);
  }
  return grpc::CreateCustomChannel(options.address, credentials, args);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> CallMetadata(
    const CallIdentity& identity) {
  std::vector<std::pair<std::string, std::string>> metadata = {
      {kUserIdMetadataKey, identity.user_id},
      {kRoleMetadataKey, identity.role},
      {kPurposeMetadataKey, identity.purpose},
  };
  if (!identity.dev_principal.empty()) {
    metadata.emplace_back(kDevPrincipalMetadataKey, identity.dev_principal);
  }
  for (const auto& [key, value] : metadata) {
    if (value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("call metadata \"", key, "\" is missing"));
    }
    if (!IsPrintableAscii(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("call metadata \"", key, "\" must be printable ASCII"));
    }
  }
  return metadata;
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> MakeCallContext(const CallIdentity& identity,
                                                                     absl::Duration timeout) {
  IOMHUB_ASSIGN_OR_RETURN(auto metadata, CallMetadata(identity));
  auto context = std::make_unique<grpc::ClientContext>();
  for (const auto& [key, value] : metadata) context->AddMetadata(key, value);
  if (timeout > absl::ZeroDuration() && timeout != absl::InfiniteDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
  return context;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace iomhub::clients
