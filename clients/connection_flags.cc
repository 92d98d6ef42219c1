#include "clients/connection_flags.h"

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/profile.h"
#include "common/cli_help.h"

namespace iomhub::clients {

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

}  // namespace iomhub::clients

using iomhub::clients::EnvOr;

// Connection and identity (every command).
ABSL_FLAG(std::string, profile, EnvOr("IOMCTL_PROFILE"),
          "Take connection and identity flags not given otherwise from this profile "
          "(~/.config/iomctl/NAME.profile; see docs/api.md). Default: $IOMCTL_PROFILE.");
ABSL_FLAG(std::string, hub, EnvOr("IOMHUB_HUB", "127.0.0.1:50051"),
          "Hub address, host:port. Default: $IOMHUB_HUB, else 127.0.0.1:50051.");
ABSL_FLAG(bool, insecure, EnvOr("IOMHUB_INSECURE") == "true" || EnvOr("IOMHUB_INSECURE") == "1",
          "Plaintext, no TLS (a hub started with --insecure). Default: $IOMHUB_INSECURE.");
ABSL_FLAG(std::string, ca, EnvOr("IOMHUB_CA"),
          "PEM file of the CA that signed the hub's certificate. Default: $IOMHUB_CA.");
ABSL_FLAG(std::string, cert, EnvOr("IOMHUB_CERT"),
          "PEM client certificate naming this partner system (mTLS). Default: $IOMHUB_CERT.");
ABSL_FLAG(std::string, key, EnvOr("IOMHUB_KEY"),
          "PEM private key of --cert. Default: $IOMHUB_KEY.");
ABSL_FLAG(std::string, server_name, EnvOr("IOMHUB_SERVER_NAME"),
          "Verify the hub's certificate for this name instead of --hub's host "
          "(e.g. for development certificates). Default: $IOMHUB_SERVER_NAME.");
ABSL_FLAG(std::string, user, EnvOr("IOMHUB_USER"),
          "User id asserted for the call (metadata iomhub-user-id). Default: $IOMHUB_USER.");
ABSL_FLAG(std::string, role, EnvOr("IOMHUB_ROLE"),
          "Role asserted for the call (metadata iomhub-role). Default: $IOMHUB_ROLE.");
ABSL_FLAG(std::string, purpose, EnvOr("IOMHUB_PURPOSE"),
          "Purpose asserted for the call (metadata iomhub-purpose). Default: $IOMHUB_PURPOSE.");
ABSL_FLAG(std::string, as_principal, EnvOr("IOMHUB_DEV_PRINCIPAL"),
          "With --insecure only: the principal id to act as (metadata iomhub-dev-principal), "
          "e.g. gwent-police-niche; without it an insecure hub treats you as its hub admin. "
          "Default: $IOMHUB_DEV_PRINCIPAL.");

namespace iomhub::clients {
namespace {

// --help and friends are not registered flags; absl::ParseCommandLine
// handles them.
bool IsUsageFlag(absl::string_view name) {
  return name == "help" || name == "helpfull" || name == "helpshort" || name == "helppackage" ||
         name == "helpmatch" || name == "version" || name == "only_check_args";
}

// Flags given on the command line (a profile does not override them).
std::set<std::string> g_given;

}  // namespace

std::string CheckCommandLine(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (!absl::StartsWith(arg, "-") || arg == "-") continue;
    arg.remove_prefix(absl::StartsWith(arg, "--") ? 2 : 1);
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    if (IsUsageFlag(name)) continue;  // absl handles these itself
    g_given.insert(std::string(
        absl::StartsWith(name, "no") && !absl::FindCommandLineFlag(name) ? name.substr(2) : name));
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no") && equals == absl::string_view::npos) {
      absl::CommandLineFlag* negated = absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) continue;
    }
    if (flag == nullptr) return absl::StrCat("unknown flag --", name);
    std::string value;
    if (equals != absl::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrCat("flag --", name, " needs a value");
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) return absl::StrCat("--", name, "=", value, ": ", error);
  }
  return "";
}

absl::StatusOr<Connection> ConnectionFromFlags() {
  if (const std::string profile = absl::GetFlag(FLAGS_profile); !profile.empty()) {
    absl::StatusOr<std::map<std::string, std::string>> values = LoadProfile(profile);
    if (!values.ok()) return values.status();
    for (const auto& [key, value] : *values) {
      // The command line and the environment win over the profile.
      if (g_given.contains(key) || std::getenv(ProfileEnvVar(key).c_str()) != nullptr) continue;
      std::string error;
      if (!absl::FindCommandLineFlag(key)->ParseFrom(value, &error)) {
        return absl::InvalidArgumentError(
            absl::StrCat(ProfilePath(profile), ": ", key, " = ", value, ": ", error));
      }
    }
  }
  Connection connection;
  connection.identity = {.user_id = absl::GetFlag(FLAGS_user),
                         .role = absl::GetFlag(FLAGS_role),
                         .purpose = absl::GetFlag(FLAGS_purpose),
                         .dev_principal = absl::GetFlag(FLAGS_as_principal)};
  if (absl::Status s = CallMetadata(connection.identity).status(); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(s.message(),
                     ": set --user, --role and --purpose (or IOMHUB_USER, IOMHUB_ROLE, "
                     "IOMHUB_PURPOSE)"));
  }
  connection.options = {.address = absl::GetFlag(FLAGS_hub),
                        .insecure = absl::GetFlag(FLAGS_insecure),
                        .ca_file = absl::GetFlag(FLAGS_ca),
                        .cert_file = absl::GetFlag(FLAGS_cert),
                        .key_file = absl::GetFlag(FLAGS_key),
                        .server_name_override = absl::GetFlag(FLAGS_server_name)};
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeHubChannel(connection.options);
  if (!channel.ok()) return channel.status();
  connection.channel = *std::move(channel);
  return connection;
}

std::optional<int> StartCommandLine(int argc, char** argv, absl::string_view program,
                                    const char* usage, absl::string_view help_flags_file,
                                    std::vector<char*>* positional) {
  absl::SetProgramUsageMessage(usage);
  if (PrintVersionIfAsked(argc, argv)) return 0;
  if (WantsHelp(argc, argv)) {
    PrintHelp(std::cout, usage, help_flags_file);
    return 0;
  }
  if (std::string problem = CheckCommandLine(argc, argv); !problem.empty()) {
    std::cerr << program << ": " << problem << " (see --help)\n";
    return 2;
  }
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (positional != nullptr) *positional = std::move(args);
  return std::nullopt;
}

}  // namespace iomhub::clients
