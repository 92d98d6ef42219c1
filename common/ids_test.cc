#include "common/ids.h"

#include <set>

#include "gtest/gtest.h"

namespace iomhub {
namespace {

TEST(Ids, NewUuidIsCanonicalVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid();
    EXPECT_TRUE(IsCanonicalUuid(id)) << id;
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

TEST(Ids, RejectsMalformedUuids) {
  EXPECT_TRUE(IsCanonicalUuid("123e4567-E89B-12d3-a456-426614174000"));
  EXPECT_FALSE(IsCanonicalUuid(""));
  EXPECT_FALSE(IsCanonicalUuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(IsCanonicalUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(IsCanonicalUuid("123e4567-e89b-12d3-a456-4266141740000"));
  EXPECT_FALSE(IsCanonicalUuid("123e4567+e89b-12d3-a456-426614174000"));
}

// Vectors from Python's uuid.uuid5, an independent implementation of RFC 4122.
TEST(Ids, NameBasedUuidsAreRfc4122Version5) {
  EXPECT_EQ(NameBasedUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_EQ(NameBasedUuid(kIomhubNamespace, "alert/CONTACTS_BELOW_PLAN"),
            "0ed26a46-6688-54d2-bc10-e1c4ec8716f5");
  EXPECT_EQ(NameBasedUuid(kIomhubNamespace, "a"), NameBasedUuid(kIomhubNamespace, "a"));
  EXPECT_NE(NameBasedUuid(kIomhubNamespace, "a"), NameBasedUuid(kIomhubNamespace, "b"));
  EXPECT_TRUE(IsCanonicalUuid(NameBasedUuid(kIomhubNamespace, "")));
}

}  // namespace
}  // namespace iomhub
