#include "services/grpc_log.h"

#include <atomic>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "grpc/support/log.h"

namespace iomhub::services {
namespace {

std::atomic<uint64_t> g_refused{0};

absl::Mutex g_mu;
absl::Time g_last_logged ABSL_GUARDED_BY(g_mu) = absl::InfinitePast();
uint64_t g_unlogged ABSL_GUARDED_BY(g_mu) = 0;

void HubGrpcLog(gpr_log_func_args* args) {
  const absl::string_view message = args->message != nullptr ? args->message : "";
  if (absl::StrContains(message, "Handshake failed")) {
    g_refused.fetch_add(1);
    // "Handshake failed with fatal error SSL_ERROR_SSL: error:...:peer did
    // not return a certificate." → the reason after the last colon pair.
    absl::string_view reason = message;
    if (const size_t at = message.rfind("routines::"); at != absl::string_view::npos) {
      reason = message.substr(at + 10);
    }
    uint64_t also = 0;
    {
      absl::MutexLock lock(&g_mu);
      const absl::Time now = absl::Now();
      if (now - g_last_logged < absl::Seconds(1)) {
        ++g_unlogged;
        return;
      }
      g_last_logged = now;
      also = g_unlogged;
      g_unlogged = 0;
    }
    LogLine(absl::StrCat("refused a TLS handshake: ", reason,
                         also > 0 ? absl::StrCat(" (and ", also, " more since the last line)") : "",
                         " — the client needs a certificate signed by the hub's client CA and "
                         "its own key (clients see UNAVAILABLE)"));
    return;
  }
  LogLine(absl::StrCat("grpc ", gpr_log_severity_string(args->severity), " ",
                       args->file != nullptr ? args->file : "?", ":", args->line, ": ", message));
}

}  // namespace

void InstallGrpcLog() { gpr_set_log_function(HubGrpcLog); }

uint64_t RefusedHandshakes() { return g_refused.load(); }

}  // namespace iomhub::services
