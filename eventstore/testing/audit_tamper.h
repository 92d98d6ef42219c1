// Test-only: damages a stopped hub's audit log as an intruder with file
// access might — one changed byte in a record, a deleted record, two
// records swapped — so tests can check that `iomctl audit verify` names
// the first bad sequence number. REQUIRES: no process has the store open.
#ifndef IOMHUB_EVENTSTORE_TESTING_AUDIT_TAMPER_H_
#define IOMHUB_EVENTSTORE_TESTING_AUDIT_TAMPER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace iomhub::eventstore {

enum class AuditTamper {
  kFlipByte,  // one byte of record `sequence`'s stored bytes changed
  kDelete,    // record `sequence` removed
  kSwap,      // records `sequence` and `sequence + 1` exchanged
};

absl::Status TamperWithAuditLog(const std::string& data_dir, AuditTamper how, uint64_t sequence);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_TESTING_AUDIT_TAMPER_H_
