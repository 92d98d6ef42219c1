// The whole partnership through the real binaries: iomhub-simulate fills a
// hub with four weeks of a synthetic Welsh IOM partnership, the probation
// adapter adds the national feed's samples for the demo's person, and the
// dashboard's aggregates (CaseService.GetDashboard, as the dashboard
// principal) agree with what each area's police system counts person by
// person in its teams' cohort lists — before and after the adapter wrote.
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

const CallAs kAnalyst{.user_id = "analyst-1", .role = "analyst", .purpose = "iom_performance"};

class PartnershipE2eTest : public MtlsHubTest {
 protected:
  std::string Program(const std::string& name) const {
    return (std::filesystem::path(IomhubdPath()).parent_path() / name).string();
  }

  std::unique_ptr<v1::CaseService::Stub> Cases(absl::string_view system) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(system);
    EXPECT_THAT(creds, IsOk());
    return v1::CaseService::NewStub(NewHubChannel(hub_->grpc_address(), *creds));
  }

  // Every team's people on IOM, and its Fixed ones, as the police system of
  // the team's area lists them.
  std::map<std::string, std::pair<int, int>> CohortCounts(uint64_t min_position) {
    std::map<std::string, std::pair<int, int>> out;
    const std::map<std::string, std::string> police = {{"dyfed-powys", "dyfed-powys-police-niche"},
                                                       {"gwent", "gwent-police-niche"},
                                                       {"north-wales", "north-wales-police-niche"},
                                                       {"south-wales", "south-wales-police-niche"}};
    v1::GetDashboardResponse wales = Dashboard({}, min_position);
    for (const auto& [area, system] : police) {
      auto cases = Cases(system);
      for (const v1::Area& a : wales.areas()) {
        if (a.id() != area) continue;
        v1::GetDashboardRequest by_area;
        by_area.set_area_id(area);
        const v1::GetDashboardResponse in_area = Dashboard(by_area, min_position);
        for (const v1::Team& team : in_area.teams()) {
          v1::ListCohortRequest request;
          request.set_team_id(team.id());
          request.set_min_position(min_position);
          v1::ListCohortResponse cohort;
          auto context = NewCallContext(kSergeant);
          grpc::Status s = cases->ListCohort(context.get(), request, &cohort);
          EXPECT_TRUE(s.ok()) << team.id() << ": " << s.error_message();
          int fixed = 0;
          for (const v1::CohortMember& m : cohort.members())
            fixed += m.cohort() == v1::COHORT_FIXED;
          out[team.id()] = {cohort.members_size(), fixed};
        }
      }
    }
    return out;
  }

  v1::GetDashboardResponse Dashboard(v1::GetDashboardRequest request, uint64_t min_position) {
    request.set_min_position(min_position);
    v1::GetDashboardResponse response;
    auto context = NewCallContext(kAnalyst);
    grpc::Status s = Cases("iom-dashboard")->GetDashboard(context.get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  static const v1::DashboardCell* Cell(const v1::GetDashboardResponse& r, const std::string& table,
                                       const std::string& key) {
    for (const v1::DashboardTable& t : r.tables()) {
      if (t.id() != table) continue;
      if (key == "total") return t.has_total() ? &t.total() : nullptr;
      for (const v1::DashboardCell& c : t.cells()) {
        if (c.key() == key) return &c;
      }
    }
    return nullptr;
  }

  // Each team's dashboard shows the cohort lists' counts, or suppresses
  // them exactly when they are below 5. Returns the teams compared.
  int ExpectDashboardAgrees(uint64_t min_position) {
    const std::map<std::string, std::pair<int, int>> counts = CohortCounts(min_position);
    const v1::GetDashboardResponse wales = Dashboard({}, min_position);
    int people = 0;
    for (const auto& [team, n] : counts) {
      SCOPED_TRACE(team);
      people += n.first;
      v1::GetDashboardRequest request;
      request.set_team_id(team);
      const v1::GetDashboardResponse r = Dashboard(request, min_position);
      const v1::DashboardCell* total = Cell(r, "people_by_cohort", "total");
      const v1::DashboardCell* fixed = Cell(r, "people_by_cohort", "FIXED");
      const v1::DashboardCell* caseload = Cell(wales, "caseload_by_team", team);
      if (total == nullptr || fixed == nullptr || caseload == nullptr) {
        ADD_FAILURE() << "missing cells";
        continue;
      }
      EXPECT_EQ(total->suppressed(), n.first < 5);
      if (!total->suppressed()) {
        EXPECT_EQ(total->value(), n.first);
      }
      // A Fixed cell may be suppressed with a small one beside it; shown, it agrees.
      if (n.second < 5) {
        EXPECT_TRUE(fixed->suppressed());
      }
      if (!fixed->suppressed()) {
        EXPECT_EQ(fixed->value(), n.second);
      }
      EXPECT_EQ(caseload->suppressed(), n.first < 5);
      if (!caseload->suppressed()) {
        EXPECT_EQ(caseload->value(), n.first);
      }
    }
    const v1::DashboardCell* wales_total = Cell(wales, "people_by_cohort", "total");
    EXPECT_TRUE(wales_total != nullptr && !wales_total->suppressed());
    if (wales_total != nullptr) {
      EXPECT_EQ(wales_total->value(), people);
    }
    return static_cast<int>(counts.size());
  }
};

TEST_F(PartnershipE2eTest, SimulatorAdaptersAndDashboardAgreeOnCounts) {
  absl::StatusOr<CommandResult> sim =
      RunCommand({Program("iomhub-simulate"), absl::StrCat("--target=", hub_->grpc_address()),
                  absl::StrCat("--cert_dir=", certs_dir_),
                  absl::StrCat("--teams_file=", SourceDir(), "/deploy/config/teams.textproto"),
                  "--weeks=4", "--people=300", "--seed=3", "--start=2026-09-07"},
                 absl::Seconds(120));
  ASSERT_THAT(sim, IsOk());
  ASSERT_TRUE(sim->status.ok()) << sim->stdout_text << sim->stderr_text;
  EXPECT_THAT(sim->stdout_text, HasSubstr(" 0 refused"));
  uint64_t head = Head();
  EXPECT_EQ(ExpectDashboardAgrees(head), 16);  // every team of deploy/config/teams.textproto

  // The demo's person, referred by Gwent Police and selected by probation
  // (deploy/demo), then the national probation feed's samples for them.
  if (IomctlPath().empty()) GTEST_SKIP() << "iomctl not built";
  const std::string demo = SourceDir() + "/deploy/demo/";
  const std::string person = "person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11";
  EXPECT_TRUE(Iomctl(kPolice, kSergeant, {"append", "--file=" + demo + "police-referral.json"})
                  .status.ok());
  for (const char* file : {"probation-selection.json", "probation-identifiers.json"}) {
    CommandResult r = Iomctl(kProbation, kProbationOfficer,
                             {"append", "--stream=" + person, "--file=" + demo + file});
    EXPECT_TRUE(r.status.ok()) << file << ": " << r.stderr_text;
  }
  std::vector<std::string> feed =
      ClientArgv(Program("iomhub-probation-feed"), kProbation, kProbationOfficer);
  feed.push_back(SourceDir() + "/deploy/samples/probation");
  absl::StatusOr<CommandResult> fed = RunCommand(feed, absl::Seconds(120));
  ASSERT_THAT(fed, IsOk());
  EXPECT_THAT(fed->stderr_text, HasSubstr("appended 8 (8 events)"));
  const uint64_t after = Head();
  EXPECT_GT(after, head);
  EXPECT_EQ(ExpectDashboardAgrees(after), 16);
}

}  // namespace
}  // namespace iomhub::testing
