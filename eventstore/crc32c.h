// CRC32C (Castagnoli), as used by the record codec. Hardware-accelerated
// with SSE4.2 when the CPU has it, table-driven otherwise; same result.
#ifndef IOMHUB_EVENTSTORE_CRC32C_H_
#define IOMHUB_EVENTSTORE_CRC32C_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace iomhub::eventstore {

// CRC32C of `data`, continuing from `crc` (0 to start).
uint32_t Crc32c(absl::string_view data, uint32_t crc = 0);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_CRC32C_H_
