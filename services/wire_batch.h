// WireBatch: builds a protobuf response of repeated Event (field 1 of
// ReadResponse and of EventBatch) directly from stored event bytes, so reads
// forward what the log holds without parsing and re-serializing each event.
// A `repeated Event events = 1` field is, on the wire, one length-delimited
// field 1 per event, whose bytes are the serialized event. Not thread-safe.
#ifndef IOMHUB_SERVICES_WIRE_BATCH_H_
#define IOMHUB_SERVICES_WIRE_BATCH_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace iomhub::services {

class WireBatch {
 public:
  // Appends one serialized event as repeated field `field`.
  void AddEvent(absl::string_view event_bytes, int field = 1);
  // Appends a varint field (e.g. EventBatch.checkpoint = 2).
  void AddVarint(int field, uint64_t value);
  size_t events() const { return events_; }
  size_t bytes() const { return buffer_.size(); }
  const std::string& data() const { return buffer_; }
  // The message bytes as a gRPC ByteBuffer (one copy).
  grpc::ByteBuffer ToByteBuffer() const;
  // Wraps the accumulated bytes as length-delimited field `field` of an outer
  // message (e.g. SubscribeResponse.events = 1).
  std::string WrappedAs(int field) const;

 private:
  std::string buffer_;
  size_t events_ = 0;
};

// Parses a raw request. INVALID_ARGUMENT naming the message type if the
// bytes do not parse.
absl::Status ParseByteBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message* message);

// Serializes `message` into a ByteBuffer (for raw methods' non-event replies).
grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_WIRE_BATCH_H_
