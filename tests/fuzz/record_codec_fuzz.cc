// The stored record decoder (eventstore/record_codec.h) over arbitrary
// bytes: never crashes, and what decodes re-encodes to a record that
// decodes to the same event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "eventstore/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view record(reinterpret_cast<const char*>(data), size);
  (void)iomhub::eventstore::CheckRecord(record, 1);
  iomhub::v1::Event event;
  if (!iomhub::eventstore::DecodeRecord(record, 1, &event).ok()) return 0;
  iomhub::v1::Event again;
  if (!iomhub::eventstore::DecodeRecord(iomhub::eventstore::EncodeRecord(event), 1, &again).ok() ||
      iomhub::eventstore::SerializeDeterministic(again) !=
          iomhub::eventstore::SerializeDeterministic(event)) {
    std::abort();  // a decoded record must survive a round trip
  }
  return 0;
}
