// Identifiers: RFC 4122 UUIDs in canonical text form.
#ifndef IOMHUB_COMMON_IDS_H_
#define IOMHUB_COMMON_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace iomhub {

// True if `text` is a UUID in canonical 8-4-4-4-12 hex form (any case).
bool IsCanonicalUuid(absl::string_view text);

// True if `text` is the nil UUID 00000000-0000-0000-0000-000000000000.
bool IsNilUuid(absl::string_view text);

// A new random (version 4) UUID, lower case. Thread-safe.
std::string NewUuid();

}  // namespace iomhub

#endif  // IOMHUB_COMMON_IDS_H_
