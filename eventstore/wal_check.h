// WalCheck: finds where RocksDB's write-ahead log is damaged, so that a
// refusal to open can name the file and the byte offset. RocksDB itself
// reports only "Corruption: checksum mismatch". It reads the log format of
// RocksDB 7.x (db/log_format.h): 32 KiB blocks of physical records, each with
// a 7-byte header (masked CRC32C, length, type; 11 bytes for recyclable
// records) and a CRC over the type byte, the log number (recyclable only)
// and the payload. Diagnostic only: recovery itself is RocksDB's.
// Thread-compatible; reads files, changes nothing.
#ifndef IOMHUB_EVENTSTORE_WAL_CHECK_H_
#define IOMHUB_EVENTSTORE_WAL_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iomhub::eventstore {

struct WalDamage {
  std::string file;     // full path of the *.log file
  uint64_t offset = 0;  // byte offset of the first bad physical record
  std::string reason;   // e.g. "checksum mismatch"
};

// The first damaged record in one WAL file's bytes. An incomplete record
// that runs into the end of the file is a torn final write, not damage.
std::optional<WalDamage> FindWalDamageInBytes(absl::string_view bytes, const std::string& file);

// Scans every *.log file in `dir`, oldest (lowest number) first, and returns
// the first damaged record, or nullopt if none is. INTERNAL if a file cannot
// be read.
absl::StatusOr<std::optional<WalDamage>> FindWalDamage(const std::string& dir);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_WAL_CHECK_H_
