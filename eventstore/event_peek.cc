#include "eventstore/event_peek.h"

#include "eventstore/event_types.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {

using google::protobuf::internal::WireFormatLite;

namespace {

// Reads Producer.agency from a Producer message's bytes; 0 if absent or
// not well-formed (the whole event is checked by the caller).
int PeekProducerAgency(absl::string_view bytes) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  int agency = 0;
  while (uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == v1::Producer::kAgencyFieldNumber &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_VARINT) {
      uint32_t value = 0;
      if (!in.ReadVarint32(&value)) return 0;
      agency = static_cast<int>(value);
      continue;
    }
    if (!WireFormatLite::SkipField(&in, tag)) return 0;
  }
  return agency;
}

}  // namespace

absl::StatusOr<EventPeek> PeekEvent(absl::string_view bytes) {
  EventPeek peek;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  while (uint32_t tag = in.ReadTag()) {
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    const bool delimited =
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (field == v1::Event::kStreamFieldNumber && delimited) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length)) break;
      const int offset = in.CurrentPosition();
      if (!in.Skip(static_cast<int>(length))) break;
      peek.stream = bytes.substr(offset, length);
      continue;
    }
    if (field == v1::Event::kProducerFieldNumber && delimited) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length)) break;
      const int offset = in.CurrentPosition();
      if (!in.Skip(static_cast<int>(length))) break;
      peek.producer_agency = PeekProducerAgency(bytes.substr(offset, length));
      continue;
    }
    if (delimited && !EventTypes::Get().NameForField(field).empty()) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length)) break;
      const int offset = in.CurrentPosition();
      if (!in.Skip(static_cast<int>(length))) break;
      peek.payload_field = field;
      peek.payload = bytes.substr(offset, length);
      continue;
    }
    if (!WireFormatLite::SkipField(&in, tag)) {
      return absl::DataLossError("stored event bytes are not a well-formed message");
    }
  }
  if (!in.ConsumedEntireMessage() || in.CurrentPosition() != static_cast<int>(bytes.size())) {
    return absl::DataLossError("stored event bytes are not a well-formed message");
  }
  return peek;
}

}  // namespace iomhub::eventstore
