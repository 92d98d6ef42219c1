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

// The name-based (version 5, SHA-1) UUID of `name` in `namespace_uuid`
// (RFC 4122 section 4.3), lower case: the same inputs always give the same
// id, so derived events (alerts, adapter imports) replayed or rebuilt are
// never stored twice. REQUIRES: IsCanonicalUuid(namespace_uuid).
std::string NameBasedUuid(absl::string_view namespace_uuid, absl::string_view name);

// The hub's own namespace for derived ids.
inline constexpr char kIomhubNamespace[] = "4d3b2c1e-8a9f-5e60-9c1d-6f2a7b8c9d0e";

}  // namespace iomhub

#endif  // IOMHUB_COMMON_IDS_H_
