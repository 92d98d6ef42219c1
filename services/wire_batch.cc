#include "services/wire_batch.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace iomhub::services {
namespace {

using google::protobuf::io::CodedOutputStream;
using google::protobuf::internal::WireFormatLite;

void AppendTagAndLength(std::string* out, int field, size_t length) {
  uint8_t header[16];
  uint8_t* p = CodedOutputStream::WriteTagToArray(
      WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED), header);
  p = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(length), p);
  out->append(reinterpret_cast<const char*>(header), p - header);
}

}  // namespace

void WireBatch::AddEvent(absl::string_view event_bytes, int field) {
  AppendTagAndLength(&buffer_, field, event_bytes.size());
  buffer_.append(event_bytes.data(), event_bytes.size());
  ++events_;
}

void WireBatch::AddVarint(int field, uint64_t value) {
  uint8_t bytes[16];
  uint8_t* p = CodedOutputStream::WriteTagToArray(
      WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_VARINT), bytes);
  p = CodedOutputStream::WriteVarint64ToArray(value, p);
  buffer_.append(reinterpret_cast<const char*>(bytes), p - bytes);
}

grpc::ByteBuffer WireBatch::ToByteBuffer() const {
  grpc::Slice slice(buffer_);
  return grpc::ByteBuffer(&slice, 1);
}

std::string WireBatch::WrappedAs(int field) const {
  std::string out;
  AppendTagAndLength(&out, field, buffer_.size());
  out += buffer_;
  return out;
}

absl::Status ParseByteBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message* message) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer.Dump(&slices).ok()) {
    for (const auto& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  if (!message->ParseFromString(bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request could not be parsed as ", message->GetTypeName(),
        " (malformed or truncated protobuf, or a string field that is not valid UTF-8)"));
  }
  return absl::OkStatus();
}

grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message) {
  grpc::Slice slice(message.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace iomhub::services
