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

}  // namespace
}  // namespace iomhub
