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

constexpr v1::AgencyKind kPartners[] = {v1::AGENCY_KIND_POLICE,  v1::AGENCY_KIND_PROBATION,
                                        v1::AGENCY_KIND_HOUSING, v1::AGENCY_KIND_HEALTH,
                                        v1::AGENCY_KIND_PRISON,  v1::AGENCY_KIND_EMPLOYMENT};

// What each receives is the sharing policy's to decide, event by event.
TEST(Admission, EveryPartnerMayAppendReadSubscribeAndQuery) {
  for (auto agency : kPartners) {
    for (auto op : {Operation::kAppend, Operation::kReadLog, Operation::kSubscribe,
                    Operation::kQueryCases, Operation::kReadAgreements, Operation::kExplain}) {
      EXPECT_TRUE(CheckAdmission(As(agency), op).ok()) << v1::AgencyKind_Name(agency);
    }
  }
}

// Hub administrators read the log (the policy gives them hub records only)
// but append nothing and query no case.
TEST(Admission, HubAdminsOperateButNeitherProduceNorQueryPersonalData) {
  const v1::Actor admin = As(v1::AGENCY_KIND_HUB_ADMIN);
  for (auto op : {Operation::kReadLog, Operation::kSubscribe, Operation::kReadViewStatus,
                  Operation::kAdministerViews, Operation::kReadAgreements, Operation::kExplain}) {
    EXPECT_TRUE(CheckAdmission(admin, op).ok());
  }
  for (auto op : {Operation::kAppend, Operation::kQueryCases}) {
    absl::Status refused = CheckAdmission(admin, op);
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_NE(refused.message().find("AGENCY_KIND_HUB_ADMIN"), absl::string_view::npos) << refused;
  }
}

TEST(Admission, OnlyPoliceProbationAndAdminsSeeViewStatus) {
  for (auto agency : {v1::AGENCY_KIND_HOUSING, v1::AGENCY_KIND_HEALTH, v1::AGENCY_KIND_PRISON}) {
    EXPECT_EQ(CheckAdmission(As(agency), Operation::kReadViewStatus).code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(Admission, OnlyHubAdminsMayRebuildViewsOrBackUpAndVerifyTheStore) {
  for (auto op : {Operation::kAdministerViews, Operation::kAdministerStorage}) {
    EXPECT_TRUE(CheckAdmission(As(v1::AGENCY_KIND_HUB_ADMIN), op).ok());
    for (auto agency : {v1::AGENCY_KIND_POLICE, v1::AGENCY_KIND_PROBATION, v1::AGENCY_KIND_HOUSING,
                        v1::AGENCY_KIND_AUDITOR}) {
      EXPECT_EQ(CheckAdmission(As(agency), op).code(), absl::StatusCode::kPermissionDenied);
    }
  }
}

TEST(Admission, AuditorsMayNotTouchTheEventLogOrTheViewsButMayReadAgreements) {
  EXPECT_TRUE(CheckAdmission(As(v1::AGENCY_KIND_AUDITOR), Operation::kReadAgreements).ok());
  EXPECT_TRUE(CheckAdmission(As(v1::AGENCY_KIND_AUDITOR), Operation::kExplain).ok());
  for (auto op :
       {Operation::kAppend, Operation::kReadLog, Operation::kSubscribe, Operation::kQueryCases,
        Operation::kReadViewStatus, Operation::kAdministerViews}) {
    EXPECT_EQ(CheckAdmission(As(v1::AGENCY_KIND_AUDITOR), op).code(),
              absl::StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(CheckAdmission(As(v1::AGENCY_KIND_UNSPECIFIED), Operation::kAppend).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(Admission, OnlyTheAuditorReadsTheAuditLog) {
  EXPECT_TRUE(CheckAdmission(As(v1::AGENCY_KIND_AUDITOR), Operation::kReadAudit).ok());
  for (auto agency : {v1::AGENCY_KIND_POLICE, v1::AGENCY_KIND_PROBATION, v1::AGENCY_KIND_HOUSING,
                      v1::AGENCY_KIND_HEALTH, v1::AGENCY_KIND_PRISON, v1::AGENCY_KIND_EMPLOYMENT,
                      v1::AGENCY_KIND_HUB_ADMIN, v1::AGENCY_KIND_UNSPECIFIED}) {
    EXPECT_EQ(CheckAdmission(As(agency), Operation::kReadAudit).code(),
              absl::StatusCode::kPermissionDenied)
        << v1::AgencyKind_Name(agency);
  }
}

TEST(Admission, TheDashboardReadsAggregatesAndNothingThatHoldsAPerson) {
  const v1::Actor dashboard = As(v1::AGENCY_KIND_DASHBOARD);
  EXPECT_TRUE(CheckAdmission(dashboard, Operation::kReadAggregates).ok());
  EXPECT_TRUE(CheckAdmission(dashboard, Operation::kReadAgreements).ok());
  for (auto op : {Operation::kAppend, Operation::kReadLog, Operation::kSubscribe,
                  Operation::kQueryCases, Operation::kDecide, Operation::kReadAudit,
                  Operation::kAdministerViews, Operation::kAdministerStorage}) {
    EXPECT_EQ(CheckAdmission(dashboard, op).code(), absl::StatusCode::kPermissionDenied);
  }
  for (auto agency :
       {v1::AGENCY_KIND_POLICE, v1::AGENCY_KIND_PROBATION, v1::AGENCY_KIND_HUB_ADMIN}) {
    EXPECT_TRUE(CheckAdmission(As(agency), Operation::kReadAggregates).ok());
  }
  for (auto agency : {v1::AGENCY_KIND_HOUSING, v1::AGENCY_KIND_HEALTH, v1::AGENCY_KIND_PRISON,
                      v1::AGENCY_KIND_EMPLOYMENT, v1::AGENCY_KIND_AUDITOR}) {
    EXPECT_EQ(CheckAdmission(As(agency), Operation::kReadAggregates).code(),
              absl::StatusCode::kPermissionDenied)
        << v1::AgencyKind_Name(agency);
  }
}

}  // namespace
}  // namespace iomhub::services
