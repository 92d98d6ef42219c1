#include "clients/adapters/adapter_main.h"

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "clients/connection_flags.h"
#include "common/cli_help.h"

ABSL_FLAG(std::string, checkpoint, "",
          "Keep progress in this file and resume from it: a restart skips what the hub already "
          "acknowledged (replays are safe without it, only slower).");
ABSL_FLAG(std::string, rejects, "",
          "Append each rejected message here as one JSON line (file, line, reason, detail, "
          "message), for correction and replay.");
ABSL_FLAG(int, parallel, 16, "Appends in flight (each person's messages stay in order).");
ABSL_FLAG(int, checkpoint_every, 5000,
          "Messages per window: the checkpoint moves after each window the hub acknowledged, and "
          "one person's messages within a window share appends (of up to 100 events).");

namespace iomhub::adapters {

int AdapterMain(int argc, char** argv, const AdapterSpec& spec) {
  std::vector<char*> positional;
  if (std::optional<int> done =
          clients::StartCommandLine(argc, argv, spec.program, spec.usage, "adapter", &positional)) {
    return *done;
  }
  FeedOptions options;
  options.source = spec.source;
  options.checkpoint_file = absl::GetFlag(FLAGS_checkpoint);
  options.rejects_file = absl::GetFlag(FLAGS_rejects);
  options.parallel = std::max(1, absl::GetFlag(FLAGS_parallel));
  options.checkpoint_every =
      static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_checkpoint_every)));
  for (size_t i = 1; i < positional.size(); ++i) options.inputs.push_back(positional[i]);
  if (options.inputs.empty()) options.inputs.push_back("-");
  absl::StatusOr<Mapper> mapper = spec.make_mapper();
  if (!mapper.ok()) {
    std::cerr << spec.program << ": " << mapper.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<clients::Connection> connection = clients::ConnectionFromFlags();
  if (!connection.ok()) {
    std::cerr << spec.program << ": " << connection.status().message() << "\n";
    return 2;
  }
  FeedRunner runner(connection->channel, connection->identity, std::move(options),
                    *std::move(mapper), &std::cerr);
  absl::StatusOr<FeedSummary> summary = runner.Run();
  if (!summary.ok()) {
    std::cerr << spec.program << ": stopped: " << summary.status().message() << "\n";
    return 1;
  }
  std::cerr << spec.program << ": " << summary->ToString() << std::endl;
  return summary->rejected_total() > 0 ? 1 : 0;
}

}  // namespace iomhub::adapters
