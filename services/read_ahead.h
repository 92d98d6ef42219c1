// ReadAhead: keeps a finite read one batch ahead, so that each batch's
// audit record commits (group-committed fsync) while the next batch is
// read, instead of after it: a read waits for max(read, record) per batch,
// not their sum. A batch is still sent only once its own record is
// durable. The cost: a read the client abandons may leave a record for the
// one batch read ahead that it never received (recorded, not sent: never
// the other way round).
//
// Not thread-safe: one per call, used by one thread at a time.
#ifndef IOMHUB_SERVICES_READ_AHEAD_H_
#define IOMHUB_SERVICES_READ_AHEAD_H_

#include <memory>
#include <optional>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "grpcpp/support/byte_buffer.h"
#include "services/audit_trail.h"

namespace iomhub::services {

class ReadAhead {
 public:
  struct Batch {
    grpc::ByteBuffer bytes;
    bool has_data = false;  // false: nothing to send (a read that found nothing)
    size_t events = 0;      // events in `bytes`
    bool end = false;       // nothing follows it
    std::shared_ptr<AuditTicket> record = AuditTicket::Done();
  };
  using Read = absl::FunctionRef<absl::StatusOr<Batch>()>;

  // The next batch to send, its record durable; `read` reads the batch
  // after the one it last returned and starts its record.
  absl::StatusOr<Batch> Next(Read read) {
    if (!error_.ok()) return error_;
    if (!ahead_.has_value()) {
      absl::StatusOr<Batch> first = read();
      if (!first.ok()) return first.status();
      ahead_ = *std::move(first);
    }
    Batch current = std::move(*ahead_);
    ahead_.reset();
    if (!current.end) {
      absl::StatusOr<Batch> next = read();
      if (next.ok()) {
        ahead_ = *std::move(next);
      } else {
        error_ = next.status();  // reported after `current` is sent
      }
    }
    if (absl::Status recorded = current.record->Wait(); !recorded.ok()) return recorded;
    return current;
  }

 private:
  std::optional<Batch> ahead_;
  absl::Status error_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_READ_AHEAD_H_
