// What iomhub_grpc_bench's workloads share: the connection to the hub
// (insecure, or mutual TLS with --ca/--cert/--key), the caller's identity,
// the highest position any append acknowledged, and the table rows.
#ifndef IOMHUB_BENCH_GRPC_BENCH_SUPPORT_H_
#define IOMHUB_BENCH_GRPC_BENCH_SUPPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"

namespace iomhub::bench {

struct Stubs {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::EventService::Stub>> events;
  std::vector<std::unique_ptr<v1::SubscriptionService::Stub>> subs;
};

// `channels` connections (one TCP connection each) to `target`; exits on failure.
Stubs Connect(const std::string& target, int channels);

// The probation system's identity, as every workload calls.
void AddIdentity(grpc::ClientContext* ctx);

// Remembers the highest position an append acknowledged; thread-safe.
void NoteHead(uint64_t position);
uint64_t NotedHead();

// The mode column of every row (e.g. "durable").
void SetMode(std::string mode);
const std::string& Mode();

void PrintHeader();
void PrintRow(const std::string& name, int64_t events, absl::Duration elapsed, double p50,
              double p99, const std::string& notes);

[[noreturn]] void Die(const std::string& message);

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_GRPC_BENCH_SUPPORT_H_
