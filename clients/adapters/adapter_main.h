// What the feed adapters' main functions share: flags (--checkpoint,
// --rejects, --parallel, plus the connection flags), positional inputs,
// --help and --version, the run and its summary, and the exit code:
// 0 when nothing was rejected, 1 when something was (or the run stopped),
// 2 for a usage error.
#ifndef IOMHUB_CLIENTS_ADAPTERS_ADAPTER_MAIN_H_
#define IOMHUB_CLIENTS_ADAPTERS_ADAPTER_MAIN_H_

#include <functional>
#include <string>

#include "clients/adapters/feed_runner.h"

namespace iomhub::adapters {

struct AdapterSpec {
  const char* program;  // e.g. "iomhub-probation-feed"
  const char* usage;    // the --help text
  const char* source;   // names the source in event ids
  // The mapper, made after the flags are parsed.
  std::function<absl::StatusOr<Mapper>()> make_mapper;
};

int AdapterMain(int argc, char** argv, const AdapterSpec& spec);

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_ADAPTER_MAIN_H_
