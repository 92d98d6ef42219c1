#include "eventstore/record_codec.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_matchers.h"
#include "eventstore/crc32c.h"
#include "eventstore/test_events.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::HasSubstr;

v1::Event StoredEvent() {
  v1::Event event = testing::ContactEvent("contact-42");
  event.set_stream(testing::PersonStream(1));
  event.set_position(17);
  event.set_stream_version(3);
  event.mutable_recorded_at()->set_seconds(1700000200);
  event.set_correlation_id("corr-1");
  return event;
}

absl::string_view View(const std::string& s) { return absl::string_view(s.data(), s.size()); }

void PutCrc(std::string& record) {
  const uint32_t crc = Crc32c(View(record).substr(4));
  for (int i = 0; i < 4; ++i) record[i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
}

TEST(RecordCodec, RoundTrips) {
  const v1::Event event = StoredEvent();
  const std::string record = EncodeRecord(event);
  v1::Event decoded;
  ASSERT_THAT(DecodeRecord(View(record), 17, &decoded), IsOk());
  EXPECT_TRUE(MessageDifferencer::Equals(decoded, event)) << decoded.DebugString();
}

TEST(RecordCodec, LayoutIsLittleEndianCrcThenFormatByteThenEvent) {
  const v1::Event event = StoredEvent();
  const std::string body = SerializeDeterministic(event);
  const std::string record = EncodeRecord(event);
  ASSERT_EQ(record.size(), kRecordHeaderBytes + body.size());
  EXPECT_EQ(static_cast<uint8_t>(record[4]), kRecordFormatV1);
  EXPECT_EQ(record.substr(kRecordHeaderBytes), body);
  const uint32_t crc = Crc32c(absl::StrCat(std::string(1, '\x01'), body));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(static_cast<uint8_t>(record[i]), (crc >> (8 * i)) & 0xFF) << "CRC byte " << i;
  }
  EXPECT_EQ(EncodeRecordFromBytes(View(body)), record);
}

TEST(RecordCodec, FlippingAnySingleByteIsDataLoss) {
  const std::string record = EncodeRecord(StoredEvent());
  for (size_t i = 0; i < record.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80, 0xFF}) {
      std::string corrupt = record;
      corrupt[i] = static_cast<char>(corrupt[i] ^ mask);
      v1::Event decoded;
      EXPECT_THAT(DecodeRecord(View(corrupt), 17, &decoded),
                  StatusIs(absl::StatusCode::kDataLoss, "position 17"))
          << "byte " << i << " mask " << static_cast<int>(mask);
    }
  }
}

TEST(RecordCodec, TruncatedRecordIsDataLoss) {
  const std::string record = EncodeRecord(StoredEvent());
  for (size_t size = 0; size < record.size(); ++size) {
    v1::Event decoded;
    EXPECT_THAT(DecodeRecord(View(record).substr(0, size), 9, &decoded),
                StatusIs(absl::StatusCode::kDataLoss, "position 9"))
        << "size " << size;
  }
}

TEST(RecordCodec, UnknownFormatByteIsDataLossEvenWithAValidCrc) {
  std::string record = EncodeRecord(StoredEvent());
  record[4] = 2;
  PutCrc(record);
  v1::Event decoded;
  const absl::Status status = DecodeRecord(View(record), 5, &decoded);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss, "unknown format 2"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("position 5"));
}

TEST(RecordCodec, UnparsableBodyIsDataLossEvenWithAValidCrc) {
  // Field 1 (event_id), length-delimited, claims 100 bytes but has 1.
  std::string record = EncodeRecordFromBytes(View(std::string("\x0a\x64x", 3)));
  v1::Event decoded;
  EXPECT_THAT(DecodeRecord(View(record), 6, &decoded),
              StatusIs(absl::StatusCode::kDataLoss, "does not parse"));
}

TEST(RecordCodec, EmptyEventRecordIsValid) {
  // An all-default event serializes to nothing; the frame alone must decode.
  const std::string record = EncodeRecord(v1::Event());
  EXPECT_EQ(record.size(), kRecordHeaderBytes);
  v1::Event decoded;
  decoded.set_event_id("stale");
  ASSERT_THAT(DecodeRecord(View(record), 1, &decoded), IsOk());
  EXPECT_EQ(decoded.event_id(), "");
}

TEST(RecordCodec, SerializationIsStableAcrossCopiesAndRoundTrips) {
  const v1::Event event = StoredEvent();
  const std::string first = EncodeRecord(event);
  EXPECT_EQ(EncodeRecord(event), first);
  const v1::Event copy = event;
  EXPECT_EQ(EncodeRecord(copy), first);
  v1::Event decoded;
  ASSERT_THAT(DecodeRecord(View(first), 17, &decoded), IsOk());
  EXPECT_EQ(EncodeRecord(decoded), first);
  // Field order on the wire does not depend on the order fields were set in.
  v1::Event reordered;
  *reordered.mutable_contact_scheduled() = event.contact_scheduled();
  reordered.set_correlation_id(event.correlation_id());
  reordered.set_stream_version(event.stream_version());
  reordered.set_position(event.position());
  *reordered.mutable_recorded_at() = event.recorded_at();
  *reordered.mutable_producer() = event.producer();
  *reordered.mutable_occurred_at() = event.occurred_at();
  reordered.set_stream(event.stream());
  reordered.set_event_id(event.event_id());
  EXPECT_EQ(EncodeRecord(reordered), first);
}

TEST(RecordCodec, KnownEventHasKnownBytes) {
  // Pins the on-disk format in FORMAT.md: event_id "a" is the protobuf bytes
  // 0a 01 61; the record is CRC32C(01 0a 01 61) little-endian, then 01 0a 01 61.
  v1::Event event;
  event.set_event_id("a");
  const std::string framed("\x01\x0a\x01\x61", 4);
  const uint32_t crc = Crc32c(framed);
  std::string expected(4, '\0');
  for (int i = 0; i < 4; ++i) expected[i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  expected += framed;
  EXPECT_EQ(EncodeRecord(event), expected);
}

}  // namespace
}  // namespace iomhub::eventstore
