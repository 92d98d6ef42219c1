#include "eventstore/record_codec.h"

#include "absl/strings/str_cat.h"
#include "eventstore/crc32c.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace iomhub::eventstore {

std::string SerializeDeterministic(const v1::Event& event) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string EncodeRecordFromBytes(absl::string_view serialized_event) {
  std::string record(kRecordHeaderBytes, '\0');
  record[4] = static_cast<char>(kRecordFormatV1);
  record.append(serialized_event.data(), serialized_event.size());
  const uint32_t crc = Crc32c(absl::string_view(record).substr(4));
  for (int i = 0; i < 4; ++i) record[i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  return record;
}

std::string EncodeRecord(const v1::Event& event) {
  return EncodeRecordFromBytes(SerializeDeterministic(event));
}

absl::StatusOr<absl::string_view> CheckRecord(absl::string_view record, uint64_t position) {
  if (record.size() < kRecordHeaderBytes) {
    return absl::DataLossError(absl::StrCat("event record at position ", position,
                                            " is truncated (", record.size(), " bytes)"));
  }
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) stored |= static_cast<uint32_t>(static_cast<uint8_t>(record[i])) << (8 * i);
  if (Crc32c(record.substr(4)) != stored) {
    return absl::DataLossError(
        absl::StrCat("event record at position ", position, " failed its CRC32C check"));
  }
  if (static_cast<uint8_t>(record[4]) != kRecordFormatV1) {
    return absl::DataLossError(absl::StrCat("event record at position ", position,
                                            " has unknown format ",
                                            static_cast<int>(static_cast<uint8_t>(record[4]))));
  }
  return record.substr(kRecordHeaderBytes);
}

absl::Status DecodeRecord(absl::string_view record, uint64_t position, v1::Event* event) {
  absl::StatusOr<absl::string_view> body = CheckRecord(record, position);
  if (!body.ok()) return body.status();
  if (!event->ParseFromArray(body->data(), static_cast<int>(body->size()))) {
    return absl::DataLossError(
        absl::StrCat("event record at position ", position, " does not parse as an event"));
  }
  return absl::OkStatus();
}

}  // namespace iomhub::eventstore
