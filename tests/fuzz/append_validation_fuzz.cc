// Append validation (eventstore/append_validation.h) over any
// AppendRequest the wire could carry: never crashes, and a request it
// accepts has a valid stream id whose canonical form is accepted too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "eventstore/append_validation.h"
#include "iomhub/v1/event_service.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  iomhub::v1::AppendRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  const std::vector<iomhub::v1::Event> events(request.events().begin(), request.events().end());
  const iomhub::eventstore::EventStoreOptions limits;
  if (!iomhub::eventstore::ValidateAppend(request.stream(), events, limits).ok()) return 0;
  if (!iomhub::eventstore::ValidateStreamId(request.stream()).ok() ||
      !iomhub::eventstore::ValidateStreamId(iomhub::eventstore::CanonicalStreamId(request.stream()))
           .ok()) {
    std::abort();
  }
  return 0;
}
