#include "eventstore/crc32c.h"

#include <random>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

// Bit-at-a-time CRC32C straight from the definition: an oracle that shares
// no code (table or SSE4.2 instruction) with the implementation under test.
uint32_t ReferenceCrc32c(const std::string& data) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
  }
  return ~crc;
}

std::string RandomBytes(std::mt19937& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

TEST(Crc32c, MatchesPublishedVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, AgreesWithBitwiseDefinitionAtEveryLengthAndAlignment) {
  std::mt19937 rng(1);
  const std::string buffer = RandomBytes(rng, 300);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t length = 0; length + offset <= buffer.size(); length += (length < 40 ? 1 : 37)) {
      const std::string data = buffer.substr(offset, length);
      ASSERT_EQ(Crc32c(data), ReferenceCrc32c(data)) << "offset " << offset << " length " << length;
    }
  }
}

TEST(Crc32c, IncrementalEqualsOneShot) {
  std::mt19937 rng(2);
  for (int round = 0; round < 200; ++round) {
    const std::string data = RandomBytes(rng, rng() % 500);
    const size_t split = data.empty() ? 0 : rng() % (data.size() + 1);
    const absl::string_view view(data);
    const uint32_t incremental = Crc32c(view.substr(split), Crc32c(view.substr(0, split)));
    ASSERT_EQ(incremental, Crc32c(data)) << "size " << data.size() << " split " << split;
  }
  // Byte by byte, too.
  const std::string data = "the quick brown fox jumps over the lazy dog";
  uint32_t crc = 0;
  for (char c : data) crc = Crc32c(absl::string_view(&c, 1), crc);
  EXPECT_EQ(crc, Crc32c(data));
}

TEST(Crc32c, DetectsEverySingleBitFlip) {
  std::mt19937 rng(3);
  const std::string data = RandomBytes(rng, 64);
  const uint32_t original = Crc32c(data);
  for (size_t i = 0; i < data.size() * 8; ++i) {
    std::string flipped = data;
    flipped[i / 8] = static_cast<char>(flipped[i / 8] ^ (1 << (i % 8)));
    EXPECT_NE(Crc32c(flipped), original) << "bit " << i;
  }
}

}  // namespace
}  // namespace iomhub::eventstore
