#include "projections/deterministic_bytes.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace iomhub::projections {

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string bytes;
  DeterministicBytesInto(message, &bytes);
  return bytes;
}

void DeterministicBytesInto(const google::protobuf::MessageLite& message, std::string* out) {
  out->clear();
  // The streams flush into `out` when they go out of scope.
  google::protobuf::io::StringOutputStream output(out);
  google::protobuf::io::CodedOutputStream coded(&output);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
}

}  // namespace iomhub::projections
