#include "eventstore/key_encoding.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "rocksdb/comparator.h"

namespace iomhub::eventstore {
namespace {

// The order RocksDB keeps keys in: what the encoding has to agree with.
int Bytewise(const std::string& a, const std::string& b) {
  return rocksdb::BytewiseComparator()->Compare(a, b);
}

TEST(KeyEncoding, U64IsEightBytesBigEndian) {
  EXPECT_EQ(EncodeU64(0x0102030405060708ULL), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(EncodeU64(0), std::string(8, '\0'));
  EXPECT_EQ(EncodeU64(UINT64_MAX), std::string(8, '\xff'));
  EXPECT_EQ(PositionKey(1), std::string("\0\0\0\0\0\0\0\x01", 8));
}

TEST(KeyEncoding, U64RoundTrips) {
  std::mt19937_64 rng(42);
  for (uint64_t v :
       {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 63, UINT64_MAX}) {
    EXPECT_EQ(DecodeU64(EncodeU64(v)), v);
  }
  for (int i = 0; i < 10000; ++i) {
    const uint64_t v = rng();
    EXPECT_EQ(DecodeU64(EncodeU64(v)), v);
  }
}

TEST(KeyEncoding, BytewiseOrderIsNumericOrder) {
  std::mt19937_64 rng(7);
  // Mix full-range values with small ones and neighbours, where a
  // little-endian or variable-length encoding would go wrong.
  auto draw = [&]() -> uint64_t {
    switch (rng() % 3) {
      case 0:
        return rng();
      case 1:
        return rng() % 1024;
      default:
        return rng() >> (rng() % 64);
    }
  };
  for (int i = 0; i < 100000; ++i) {
    const uint64_t a = draw();
    const uint64_t b = (i % 10 == 0) ? a + 1 : draw();
    const int order = Bytewise(EncodeU64(a), EncodeU64(b));
    if (a < b) {
      EXPECT_LT(order, 0) << a << " vs " << b;
    } else if (a > b) {
      EXPECT_GT(order, 0) << a << " vs " << b;
    } else {
      EXPECT_EQ(order, 0) << a;
    }
  }
}

TEST(KeyEncoding, StreamVersionKeyRoundTrips) {
  for (const std::string stream :
       {"a", "agreements", "team-7", "person-123e4567-e89b-12d3-a456-426614174000"}) {
    for (uint64_t version : {uint64_t{0}, uint64_t{1}, uint64_t{256}, UINT64_MAX}) {
      const std::string key = StreamVersionKey(stream, version);
      EXPECT_EQ(key, stream + std::string(1, '\0') + EncodeU64(version));
      EXPECT_EQ(key.substr(0, stream.size() + 1), StreamPrefix(stream));
      std::optional<StreamVersion> decoded = DecodeStreamVersionKey(key);
      ASSERT_TRUE(decoded.has_value()) << stream << " " << version;
      EXPECT_EQ(decoded->stream, stream);
      EXPECT_EQ(decoded->version, version);
    }
  }
}

TEST(KeyEncoding, EachStreamsKeysAreContiguousAndInVersionOrder) {
  // Streams that are prefixes of each other, or sort next to the separator.
  const std::vector<std::string> streams = {"team-1", "team-10", "team-1.x", "team-1-",
                                            "team-",  "team-2",  "t",        "team-1@a"};
  const std::vector<uint64_t> versions = {
      0, 1, 2, 255, 256, 65535, 65536, uint64_t{1} << 32, UINT64_MAX};
  std::vector<std::string> keys;
  for (const auto& s : streams) {
    for (uint64_t v : versions) keys.push_back(StreamVersionKey(s, v));
  }
  std::sort(keys.begin(), keys.end(),
            [](const std::string& a, const std::string& b) { return Bytewise(a, b) < 0; });

  for (const auto& s : streams) {
    const std::string prefix = StreamPrefix(s);
    auto has_prefix = [&](const std::string& k) {
      return k.compare(0, prefix.size(), prefix) == 0;
    };
    auto first = std::find_if(keys.begin(), keys.end(), has_prefix);
    ASSERT_NE(first, keys.end()) << s;
    // The next versions.size() keys are exactly this stream's, in version order.
    ASSERT_GE(static_cast<size_t>(keys.end() - first), versions.size());
    for (size_t i = 0; i < versions.size(); ++i) {
      std::optional<StreamVersion> decoded = DecodeStreamVersionKey(first[i]);
      ASSERT_TRUE(decoded.has_value());
      EXPECT_EQ(decoded->stream, s);
      EXPECT_EQ(decoded->version, versions[i]);
    }
    // And no other key carries the prefix.
    EXPECT_EQ(std::count_if(keys.begin(), keys.end(), has_prefix),
              static_cast<long>(versions.size()))
        << s;
  }
}

TEST(KeyEncoding, MalformedStreamVersionKeysAreRejected) {
  const std::string v = EncodeU64(3);
  EXPECT_FALSE(DecodeStreamVersionKey("").has_value());
  EXPECT_FALSE(DecodeStreamVersionKey(v).has_value()) << "no separator, no stream";
  EXPECT_FALSE(DecodeStreamVersionKey(std::string(1, '\0') + v).has_value()) << "empty stream";
  EXPECT_FALSE(DecodeStreamVersionKey("ab" + v).has_value()) << "no separator";
  EXPECT_FALSE(DecodeStreamVersionKey(std::string("ab\0", 3) + v.substr(1)).has_value())
      << "version too short";
  EXPECT_FALSE(DecodeStreamVersionKey(std::string("ab\0", 3) + v + "x").has_value())
      << "version too long";
  EXPECT_FALSE(DecodeStreamVersionKey(std::string("a\0b\0", 4) + v).has_value())
      << "NUL inside the stream id";
  EXPECT_TRUE(DecodeStreamVersionKey(std::string("ab\0", 3) + v).has_value()) << "control case";
}

TEST(KeyEncoding, EventIdKeyIgnoresCase) {
  EXPECT_EQ(EventIdKey("123E4567-E89B-12D3-A456-426614174000"),
            "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(EventIdKey("123e4567-e89b-12d3-a456-426614174000"),
            EventIdKey("123E4567-e89b-12D3-a456-426614174000"));
}

}  // namespace
}  // namespace iomhub::eventstore
