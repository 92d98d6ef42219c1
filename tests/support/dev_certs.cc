#include "tests/support/dev_certs.h"

#include <filesystem>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "tests/support/hub_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace iomhub::testing {
namespace {

absl::StatusOr<std::string> MakeDevCerts() {
  // Made by the build (tests/support/CMakeLists.txt); complete once marked.
  const std::string prebuilt = IOMHUB_TEST_CERTS_DIR;
  if (std::filesystem::exists(prebuilt + "/.complete")) return prebuilt;
  // Lives until exit, when its destructor removes the keys.
  static TempDir dir("iomhub-dev-certs");
  const std::string out = dir.Join("certs");
  absl::StatusOr<CommandResult> run = RunCommand(
      {"/bin/bash", absl::StrCat(SourceDir(), "/deploy/dev-certs.sh"), out}, absl::Seconds(120));
  if (!run.ok()) return run.status();
  if (!run->status.ok()) {
    return absl::InternalError(absl::StrCat("deploy/dev-certs.sh failed (", run->status.ToString(),
                                            "):\n", run->stdout_text, run->stderr_text));
  }
  return out;
}

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::string text = ReadFileOrEmpty(path);
  if (text.empty()) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return text;
}

}  // namespace

absl::StatusOr<std::string> DevCertsDir() {
  static std::once_flag once;
  static absl::StatusOr<std::string>* result = nullptr;
  std::call_once(once, [] { result = new absl::StatusOr<std::string>(MakeDevCerts()); });
  return *result;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    absl::string_view system) {
  absl::StatusOr<std::string> dir = DevCertsDir();
  if (!dir.ok()) return dir.status();
  grpc::SslCredentialsOptions options;
  for (auto [field, name] : {std::pair{&options.pem_root_certs, std::string("ca.pem")},
                             std::pair{&options.pem_cert_chain, absl::StrCat(system, ".pem")},
                             std::pair{&options.pem_private_key, absl::StrCat(system, ".key")}}) {
    absl::StatusOr<std::string> pem = ReadPem(absl::StrCat(*dir, "/", name));
    if (!pem.ok()) return pem.status();
    *field = *std::move(pem);
  }
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> NoClientCertCredentials() {
  absl::StatusOr<std::string> dir = DevCertsDir();
  if (!dir.ok()) return dir.status();
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca = ReadPem(absl::StrCat(*dir, "/ca.pem"));
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *std::move(ca);
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::Channel> NewHubChannel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // Fail fast and reconnect promptly after a daemon restart.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, credentials, args);
}

}  // namespace iomhub::testing
