// CollectionRecorder: the audit's record of collection (s62: "collection"
// and "alteration"). It follows the event log — like a projection, from its
// own checkpoint, kept in the audit log in the same batch as the records
// it writes — and, for each run of committed events, writes one record per
// producer (system, user, role, purpose): COLLECT for what partners
// appended, ALTER for agreement changes and appends that override a rule
// (a manager_override_reason). Nothing is added to the append path, and a
// crash loses nothing: on restart it resumes after its checkpoint.
//
// Thread-safe; one thread of its own between Start and Stop.
#ifndef IOMHUB_SERVICES_COLLECTION_RECORDER_H_
#define IOMHUB_SERVICES_COLLECTION_RECORDER_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/status/status.h"
#include "eventstore/event_store.h"
#include "services/audit_trail.h"

namespace iomhub::services {

class CollectionRecorder {
 public:
  CollectionRecorder(eventstore::EventStore* log, AuditTrail* audit);
  ~CollectionRecorder();  // Stop()

  void Start();
  // Records what is committed by now, then stops.
  void Stop();

  // Records every event committed up to now (the thread does this on its
  // own; tests call it to be sure). The position reached.
  absl::StatusOr<uint64_t> CatchUp();

  // The audit meta name of its checkpoint.
  static constexpr char kCheckpoint[] = "collection_checkpoint";

 private:
  absl::StatusOr<uint64_t> Checkpoint();
  void Run();

  eventstore::EventStore* const log_;
  AuditTrail* const audit_;
  absl::Mutex mu_;  // one CatchUp at a time
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_COLLECTION_RECORDER_H_
