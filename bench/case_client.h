// What the benchmarks that drive CaseService and the delivery path share:
// channels to an --insecure iomhubd, acting as a development principal,
// events and the figures row. Not thread-compatible to set up (SetChannels
// before any call); thread-safe to use.
#ifndef IOMHUB_BENCH_CASE_CLIENT_H_
#define IOMHUB_BENCH_CASE_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "bench/latency_samples.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::bench {

// Who a call acts as on the --insecure hub (iomhub-dev-principal): the
// principals of deploy/config/principals.textproto.
struct As {
  const char* principal;  // "": the development hub admin
  const char* role;
};
inline constexpr As kProbation{"wales-probation-ndelius", "probation_officer"};
inline constexpr As kPolice{"gwent-police-niche", "sergeant"};
inline constexpr As kNewportHousing{"newport-housing", "housing_officer"};
inline constexpr As kHubAdmin{"", "operator"};

// `count` distinct channels (TCP connections) to `target`.
void SetChannels(const std::string& target, int count);
// Channel i, round robin.
std::shared_ptr<grpc::Channel> Channel(int i);

// A call context acting as `as` for purpose iom_case_management.
std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(30),
                                             const As& as = kProbation);

google::protobuf::Timestamp Ts(absl::Time t);
// An event with a fresh id occurring at `at` (no payload yet).
v1::Event Event(absl::Time at);

// One row of figures: n, rate, p50/p99/max of `lat`.
void Row(const std::string& name, int64_t n, absl::Duration elapsed, LatencySamples* lat,
         const char* unit);

// The log's head, as AdminService.ListViews reports it (0 if it cannot).
uint64_t Head();

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_CASE_CLIENT_H_
