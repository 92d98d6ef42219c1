// The sharing workload of iomhub_case_bench: the delivery path filtered
// by the agreements beside raw forwarding, against a running iomhubd whose
// log is already filled (see case_bench.cc's header comment).
#ifndef IOMHUB_BENCH_SHARING_WORKLOAD_H_
#define IOMHUB_BENCH_SHARING_WORKLOAD_H_

#include "absl/time/time.h"

namespace iomhub::bench {

// ReadAll and a catch-up subscription of the whole log as police (every
// event whole: the stored bytes are forwarded) and as Newport housing
// (filtered and trimmed), then `appenders` clients append for `seconds`
// while a housing and a police subscriber follow live. Prints a row each;
// exits 1 on an error.
void Sharing(int appenders, absl::Duration seconds);

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_SHARING_WORKLOAD_H_
