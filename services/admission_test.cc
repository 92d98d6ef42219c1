#include "services/admission.h"

#include "gtest/gtest.h"

namespace iomhub::services {
namespace {

v1::Actor As(v1::AgencyKind agency) {
  v1::Actor actor;
  actor.set_system("system");
  actor.set_agency(agency);
  return actor;
}

constexpr Operation kReadOperations[] = {Operation::kReadLog, Operation::kSubscribe,
                                         Operation::kQueryCases, Operation::kReadViewStatus};

TEST(Admission, PoliceProbationAndAdminsMayAppendReadSubscribeAndQuery) {
  for (auto agency : {v1::AGENCY_KIND_POLICE, v1::AGENCY_KIND_PROBATION, v1::AGENCY_KIND_HUB_ADMIN}) {
    EXPECT_TRUE(CheckAdmission(As(agency), Operation::kAppend).ok());
    for (auto op : kReadOperations) {
      EXPECT_TRUE(CheckAdmission(As(agency), op).ok()) << v1::AgencyKind_Name(agency);
    }
  }
}

TEST(Admission, PartnersMayAppendButNotReadTheUnfilteredLogOrCaseViews) {
  for (auto agency : {v1::AGENCY_KIND_HOUSING, v1::AGENCY_KIND_HEALTH, v1::AGENCY_KIND_PRISON,
                      v1::AGENCY_KIND_EMPLOYMENT}) {
    EXPECT_TRUE(CheckAdmission(As(agency), Operation::kAppend).ok());
    for (auto op : kReadOperations) {
      absl::Status read = CheckAdmission(As(agency), op);
      EXPECT_EQ(read.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_NE(read.message().find(v1::AgencyKind_Name(agency)), absl::string_view::npos) << read;
    }
  }
}

TEST(Admission, OnlyHubAdminsMayRebuildViews) {
  EXPECT_TRUE(CheckAdmission(As(v1::AGENCY_KIND_HUB_ADMIN), Operation::kAdministerViews).ok());
  for (auto agency : {v1::AGENCY_KIND_POLICE, v1::AGENCY_KIND_PROBATION, v1::AGENCY_KIND_HOUSING}) {
    EXPECT_EQ(CheckAdmission(As(agency), Operation::kAdministerViews).code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(Admission, AuditorsMayNotTouchTheEventLogOrTheViews) {
  for (auto op : {Operation::kAppend, Operation::kReadLog, Operation::kSubscribe,
                  Operation::kQueryCases, Operation::kReadViewStatus, Operation::kAdministerViews}) {
    EXPECT_EQ(CheckAdmission(As(v1::AGENCY_KIND_AUDITOR), op).code(),
              absl::StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(CheckAdmission(As(v1::AGENCY_KIND_UNSPECIFIED), Operation::kAppend).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace iomhub::services
