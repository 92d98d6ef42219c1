#include "services/access_policy.h"

#include "gtest/gtest.h"

namespace iomhub::services {
namespace {

CallIdentity As(v1::AgencyKind agency) {
  CallIdentity id;
  id.principal.set_id("system");
  id.principal.set_agency(agency);
  return id;
}

TEST(AccessPolicy, PoliceAndProbationMayAppendReadAndSubscribe) {
  for (auto agency : {v1::AGENCY_KIND_POLICE, v1::AGENCY_KIND_PROBATION, v1::AGENCY_KIND_HUB_ADMIN}) {
    for (auto op : {Operation::kAppend, Operation::kReadLog, Operation::kSubscribe}) {
      EXPECT_TRUE(CheckAccess(As(agency), op).ok()) << v1::AgencyKind_Name(agency);
    }
  }
}

TEST(AccessPolicy, HousingAndHealthMayAppendButNotReadTheUnfilteredLog) {
  for (auto agency : {v1::AGENCY_KIND_HOUSING, v1::AGENCY_KIND_HEALTH}) {
    EXPECT_TRUE(CheckAccess(As(agency), Operation::kAppend).ok());
    absl::Status read = CheckAccess(As(agency), Operation::kReadLog);
    EXPECT_EQ(read.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_NE(read.message().find(v1::AgencyKind_Name(agency)), absl::string_view::npos) << read;
    EXPECT_EQ(CheckAccess(As(agency), Operation::kSubscribe).code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(AccessPolicy, AuditorsMayNotTouchTheEventLog) {
  for (auto op : {Operation::kAppend, Operation::kReadLog, Operation::kSubscribe}) {
    EXPECT_EQ(CheckAccess(As(v1::AGENCY_KIND_AUDITOR), op).code(),
              absl::StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(CheckAccess(As(v1::AGENCY_KIND_UNSPECIFIED), Operation::kAppend).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace iomhub::services
