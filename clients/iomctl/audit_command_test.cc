#include "clients/iomctl/audit_command.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::iomctl {
namespace {

using ::testing::HasSubstr;

TEST(SubjectAccessCsv, OneRowPerDisclosureWithFieldsQuotedAsRfc4180Wants) {
  v1::SubjectAccessReportResponse report;
  v1::DisclosureRow* row = report.add_rows();
  row->set_sequence(42);
  row->mutable_time()->set_seconds(1796547600);  // 2026-12-06T09:00:00Z
  row->set_operation(v1::AUDIT_OPERATION_DISCLOSE);
  row->set_recipient_agency(v1::AGENCY_KIND_HOUSING);
  row->set_recipient_organisation("Newport City Council, Housing");
  row->set_recipient_system("newport-housing");
  row->set_recipient_role(v1::ROLE_HOUSING_OFFICER);
  row->set_purpose("iom_case_management");
  row->set_agreement("waspi-dda-iom-housing@2");
  row->set_legal_gateway("the \"Act\" s115");
  row->add_positions(10);
  row->add_positions(11);
  row->add_event_types("NominalReferred");
  const std::string csv = SubjectAccessCsv(report);
  EXPECT_THAT(csv, HasSubstr("sequence,time,operation,recipient_agency"));
  EXPECT_THAT(csv, HasSubstr("\r\n42,2026-12-06T09:00:00+00:00,disclose,housing,"
                             "\"Newport City Council, Housing\",newport-housing,,housing officer,"
                             "iom_case_management,waspi-dda-iom-housing@2,\"the \"\"Act\"\" s115\","
                             ",10 11,NominalReferred,\r\n"));
}

}  // namespace
}  // namespace iomhub::iomctl
