// iomhub-health-notifier: FHIR R4 notifications of what a health partner
// may receive. See --help and docs/health-notifications.md.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "clients/adapters/health_notifier.h"
#include "clients/connection_flags.h"
#include "common/cli_help.h"

ABSL_FLAG(std::string, endpoint, "", "The partner's rest-hook endpoint (https://...). Required.");
ABSL_FLAG(std::string, endpoint_ca, "",
          "CA bundle the endpoint's certificate is checked against. Default: the system's.");
ABSL_FLAG(std::string, endpoint_cert, "",
          "Client certificate presented to the endpoint. Default: --cert (the partner's own).");
ABSL_FLAG(std::string, endpoint_key, "", "Key of --endpoint_cert. Default: --key.");
ABSL_FLAG(std::vector<std::string>, endpoint_header, {},
          "Extra request headers, \"Name: value\" (Subscription.channel.header), comma-separated.");
ABSL_FLAG(std::string, subscription_url, "https://iomhub.example/fhir/Subscription/health",
          "The Subscription the notifications name.");
ABSL_FLAG(std::string, topic, "https://iomhub.example/fhir/SubscriptionTopic/iom-health",
          "The SubscriptionTopic canonical.");
ABSL_FLAG(std::string, fhir_base, "https://iomhub.example/fhir",
          "Base URL of the focus references (<base>/Basic/iomhub-event-<position>).");
ABSL_FLAG(std::string, checkpoint, "",
          "Progress file (resume without gap or duplicate). Required.");
ABSL_FLAG(std::string, dead_letter, "",
          "Notifications given up, one JSON line each, for a person to look at. Required.");
ABSL_FLAG(bool, from_start, false, "With no checkpoint: from the first event (default: from now).");
ABSL_FLAG(int, max_attempts, 10, "Attempts per notification before it is dead-lettered.");
ABSL_FLAG(int, backoff_initial_ms, 200, "First retry delay; doubles per attempt.");
ABSL_FLAG(int, backoff_max_ms, 30000, "Longest retry delay.");
ABSL_FLAG(bool, until_caught_up, false,
          "Stop once every event up to the hub's head is notified (a batch run).");

namespace {

constexpr char kUsage[] =
    "iomhub-health-notifier: subscribes to the hub as a health partner and POSTs each event the\n"
    "sharing policy lets it receive (only with the person's consent) as a FHIR R4 Subscription\n"
    "rest-hook notification (Subscriptions R5 Backport IG, id-only), over HTTPS with the\n"
    "partner's client certificate; retries with back-off, dead-letters what it gives up,\n"
    "resumes from its checkpoint.\n"
    "  iomhub-health-notifier --profile=aneurin-bevan-health --endpoint=https://fhir.abuhb/notify "
    "\\\n"
    "      --endpoint_ca=/etc/ssl/abuhb-ca.pem --checkpoint=/var/lib/iomhub-feeds/abuhb.cp \\\n"
    "      --dead_letter=/var/lib/iomhub-feeds/abuhb.dead.jsonl\n"
    "Exit 0 when stopped after catching up (--until_caught_up), 1 on an error, 2 on a usage "
    "error.";

}  // namespace

int main(int argc, char** argv) {
  // SIGTERM (systemctl stop) and SIGINT end the run cleanly: blocked in
  // every thread, taken by one that asks the notifier to stop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);  // the run is over: the waiter may go
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (std::optional<int> done = iomhub::clients::StartCommandLine(
          argc, argv, "iomhub-health-notifier", kUsage, "health_notifier_main")) {
    return *done;
  }
  for (const auto* required : {&FLAGS_endpoint, &FLAGS_checkpoint, &FLAGS_dead_letter}) {
    if (absl::GetFlag(*required).empty()) {
      std::cerr << "iomhub-health-notifier: --endpoint, --checkpoint and --dead_letter are "
                   "required (see --help)\n";
      return 2;
    }
  }
  absl::StatusOr<iomhub::clients::Connection> connection = iomhub::clients::ConnectionFromFlags();
  if (!connection.ok()) {
    std::cerr << "iomhub-health-notifier: " << connection.status().message() << "\n";
    return 2;
  }
  iomhub::adapters::PostOptions post;
  post.endpoint = absl::GetFlag(FLAGS_endpoint);
  post.ca_file = absl::GetFlag(FLAGS_endpoint_ca);
  post.cert_file = absl::GetFlag(FLAGS_endpoint_cert).empty() ? connection->options.cert_file
                                                              : absl::GetFlag(FLAGS_endpoint_cert);
  post.key_file = absl::GetFlag(FLAGS_endpoint_key).empty() ? connection->options.key_file
                                                            : absl::GetFlag(FLAGS_endpoint_key);
  post.headers = absl::GetFlag(FLAGS_endpoint_header);
  iomhub::adapters::HttpsPoster poster(post);
  iomhub::adapters::NotifierOptions options;
  options.fhir = {.subscription_url = absl::GetFlag(FLAGS_subscription_url),
                  .topic = absl::GetFlag(FLAGS_topic),
                  .base_url = absl::GetFlag(FLAGS_fhir_base)};
  options.checkpoint_file = absl::GetFlag(FLAGS_checkpoint);
  options.dead_letter_file = absl::GetFlag(FLAGS_dead_letter);
  options.from_start = absl::GetFlag(FLAGS_from_start);
  options.max_attempts = std::max(1, absl::GetFlag(FLAGS_max_attempts));
  options.backoff_initial = absl::Milliseconds(absl::GetFlag(FLAGS_backoff_initial_ms));
  options.backoff_max = absl::Milliseconds(absl::GetFlag(FLAGS_backoff_max_ms));
  options.until_caught_up = absl::GetFlag(FLAGS_until_caught_up);
  iomhub::adapters::HealthNotifier notifier(connection->channel, connection->identity,
                                            std::move(options), &poster, &std::cerr);
  std::thread waiter([&notifier, &signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR1) return;
    std::cerr << "iomhub-health-notifier: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
              << ": stopping after the notification in hand" << std::endl;
    notifier.Stop();
  });
  absl::StatusOr<iomhub::adapters::NotifierSummary> summary = notifier.Run();
  kill(getpid(), SIGUSR1);
  waiter.join();
  if (!summary.ok()) {
    std::cerr << "iomhub-health-notifier: " << summary.status().message() << "\n";
    return 1;
  }
  std::cerr << "iomhub-health-notifier: notified " << summary->notified << ", dead-lettered "
            << summary->dead_lettered << ", retries " << summary->retries << ", through position "
            << summary->last_position << std::endl;
  return 0;
}
