// Verifies a whole data directory's storage, as `iomhubd --verify` (a
// stopped hub or a backup, opened read-only) and AdminService.VerifyStorage
// (a running hub, over one consistent snapshot) do:
//   - the log: every record's CRC and frame, dense positions from 1 (a gap
//     is a fault unless a lost-positions record accounts for it), the
//     position stored inside each event, gapless stream versions from 0;
//   - the indexes: every event's `streams` and `ids` entry points at it,
//     every stream's `heads` entry is its last version, and no index holds
//     an entry no event accounts for;
//   - IOMHUB-POSITIONS (offline only): readable, and not ahead of the log;
//   - the audit log's hash chain and signed checkpoints, when a public key
//     is given (common/audit_chain.h).
// Faults are collected, not thrown: the report says how many there were and
// describes the first few. Errors only when the storage cannot be read.
#ifndef IOMHUB_EVENTSTORE_STORE_VERIFIER_H_
#define IOMHUB_EVENTSTORE_STORE_VERIFIER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace iomhub::eventstore {

class RocksDbDatabase;

struct VerifyOptions {
  // Raw Ed25519 public key of the audit signing key; empty: the audit
  // chain's hashes are still checked, its signatures are not.
  std::string audit_public_key_raw;
  // Faults described in full (all are counted).
  size_t max_described_faults = 20;
};

struct VerifyReport {
  uint64_t events = 0;
  uint64_t last_position = 0;
  uint64_t lost_positions = 0;  // accounted for by lost-positions records
  uint64_t streams = 0;
  uint64_t audit_records = 0;
  uint64_t audit_checkpoints = 0;
  bool audit_signatures_checked = false;
  uint64_t fault_count = 0;
  std::vector<std::string> faults;  // the first max_described_faults

  bool ok() const { return fault_count == 0; }
  // "OK: 1200 events (positions 1..1200), 310 streams, 4410 audit records
  // (chain intact, 2 signed checkpoints)" or "FAULTS: 2 ...".
  std::string Summary() const;
};

// Verifies the database as one consistent snapshot. `marker_dir`, when
// given, is the directory holding IOMHUB-POSITIONS.
absl::StatusOr<VerifyReport> VerifyDatabase(RocksDbDatabase& database, const VerifyOptions& options,
                                            std::optional<std::string> marker_dir);

// Opens the data directory at `path` read-only (changing nothing) and
// verifies it. NOT_FOUND when there is no database there; DATA_LOSS when
// it is too damaged to open.
absl::StatusOr<VerifyReport> VerifyDataDirectory(const std::string& path,
                                                 const VerifyOptions& options);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_STORE_VERIFIER_H_
