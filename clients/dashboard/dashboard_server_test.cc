// The dashboard's HTTP side against an in-process fake CaseService: pages
// and JSON from the hub's answers, security headers, hub outages as 503,
// decisions boards only for managers (their identity sent to the hub), and
// live updates over server-sent events.
#include "clients/dashboard/dashboard_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "clients/dashboard/fake_case_service.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::dashboard {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendRequest(int fd, const std::string& path, const std::string& headers) {
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\n", headers, "\r\n");
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
}

// Reads from `fd` until `until` appears (or the peer closes, or 10 s pass).
std::string ReadUntil(int fd, const std::string& until, std::string text = "") {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  char buffer[8192];
  while ((until.empty() || text.find(until) == std::string::npos) && absl::Now() < deadline) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, n);
  }
  return text;
}

Reply Get(int port, const std::string& path, const std::string& headers = "") {
  Reply reply;
  const int fd = Connect(port);
  if (fd < 0) return reply;
  SendRequest(fd, path, headers);
  const std::string text = ReadUntil(fd, "");
  close(fd);
  const size_t end = text.find("\r\n\r\n");
  reply.head = text.substr(0, end);
  reply.body = end == std::string::npos ? "" : text.substr(end + 4);
  std::vector<std::string> first = absl::StrSplit(reply.head, ' ');
  if (first.size() > 1 && !absl::SimpleAtoi(first[1], &reply.status)) reply.status = 0;
  return reply;
}

int PortOf(const std::string& url) {
  int port = 0;
  const std::string tail = url.substr(url.rfind(':') + 1);
  EXPECT_TRUE(absl::SimpleAtoi(tail.substr(0, tail.size() - 1), &port)) << url;
  return port;
}

v1::GetDashboardResponse Team() {
  v1::GetDashboardResponse r = SampleWales(5);
  r.clear_areas();
  r.set_scope("Newport IOM");
  r.mutable_area()->set_id("gwent");
  r.mutable_area()->set_name("Gwent");
  r.mutable_team()->set_id("gwent-newport");
  r.mutable_team()->set_name("Newport IOM");
  r.mutable_team()->set_area_id("gwent");
  return r;
}

// What the tests share: one fake hub (and police system) and one dashboard
// server over them; civetweb takes up to 2 s to stop, so one per test suite.
struct Fixture {
  Fixture() {
    v1::GetDecisionsBoardResponse board;
    board.mutable_team()->set_id("gwent-newport");
    board.mutable_team()->set_name("Newport IOM");
    board.add_open()->set_person_id("5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11");
    police_hub.SetBoard(board);
    chart_js = ::testing::TempDir() + "/chart.test.js";
    std::ofstream(chart_js) << "window.Chart = function () {};";
    reader = std::make_unique<HubReader>(HubReaderOptions{
        .channel = hub.NewChannel(),
        .identity = {.user_id = "iom-dashboard", .role = "analyst", .purpose = "iom_performance"},
        .police_boards = {{"gwent", police_hub.NewChannel()}},
        .weeks = 8});
  }

  // Starts a dashboard server over the fakes (a new one after Stop).
  void StartServer() {
    broadcaster = std::make_unique<UpdateBroadcaster>();
    broadcaster->PublishPosition(5);
    DashboardServerOptions options;
    options.listen = "127.0.0.1:0";
    options.chart_js_file = chart_js;
    options.threads = 12;
    options.keepalive = absl::Milliseconds(200);
    options.access = {.user_header = "X-Forwarded-User", .role_header = "X-Forwarded-Role"};
    absl::StatusOr<std::unique_ptr<DashboardServer>> started =
        DashboardServer::Start(options, reader.get(), broadcaster.get());
    ASSERT_TRUE(started.ok()) << started.status();
    server = *std::move(started);
    port = PortOf(server->url());
  }

  FakeCaseService hub;
  FakeCaseService police_hub;
  std::string chart_js;
  std::unique_ptr<HubReader> reader;
  std::unique_ptr<UpdateBroadcaster> broadcaster;
  std::unique_ptr<DashboardServer> server;
  int port = 0;
};

class DashboardServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = new Fixture;
    shared_->StartServer();
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }
  void SetUp() override {
    if (shared_->server == nullptr) shared_->StartServer();
    hub_.SetFailure(grpc::Status::OK);
    hub_.SetDashboard("", SampleWales(5));
    hub_.SetDashboard("team:gwent-newport", Team());
    v1::GetDashboardResponse cardiff = Team();
    cardiff.mutable_team()->set_id("south-wales-cardiff");
    cardiff.mutable_team()->set_area_id("south-wales");
    hub_.SetDashboard("team:south-wales-cardiff", cardiff);
    hub_.ClearCalls();
    police_hub_.ClearCalls();
    shared_->broadcaster->PublishPosition(5);
    port_ = shared_->port;
  }

  static Fixture* shared_;
  FakeCaseService& hub_ = shared_->hub;
  FakeCaseService& police_hub_ = shared_->police_hub;
  int port_ = 0;
};

Fixture* DashboardServerTest::shared_ = nullptr;

TEST_F(DashboardServerTest, ServesWalesFromTheHubWithStrictSecurityHeaders) {
  const Reply reply = Get(port_, "/");
  EXPECT_EQ(reply.status, 200) << reply.head;
  EXPECT_THAT(
      reply.head,
      AllOf(HasSubstr("Content-Type: text/html; charset=utf-8"),
            HasSubstr("Content-Security-Policy: default-src 'self'; script-src 'self'"),
            HasSubstr("frame-ancestors 'none'"), HasSubstr("X-Content-Type-Options: nosniff"),
            HasSubstr("Cache-Control: no-store")));
  EXPECT_THAT(reply.body, AllOf(HasSubstr("<h1>Wales</h1>"), HasSubstr(">41</td>"),
                                HasSubstr("data-suppressed=\"true\">suppressed</td>")));
  const FakeCaseService::Call last = hub_.calls().back();
  EXPECT_EQ(last.user_id, "iom-dashboard");
  EXPECT_EQ(last.role, "analyst");
  EXPECT_EQ(last.purpose, "iom_performance");
  EXPECT_EQ(last.min_position, 5u);  // at least what the live poll has seen
}

TEST_F(DashboardServerTest, ApiGivesTheHubsAnswerAsJson) {
  const Reply reply = Get(port_, "/api/dashboard?team=gwent-newport");
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.head, HasSubstr("application/json"));
  EXPECT_THAT(reply.body, AllOf(HasSubstr("\"scope\":\"Newport IOM\""),
                                HasSubstr("\"suppressed\":true"), HasSubstr("\"value\":41")));
  EXPECT_EQ(hub_.calls().back().team_id, "gwent-newport");
}

TEST_F(DashboardServerTest, UnknownScopesAndPathsAreNotFound) {
  EXPECT_EQ(Get(port_, "/area/atlantis").status, 404);
  EXPECT_EQ(Get(port_, "/team/Bad_Id").status, 404);
  EXPECT_EQ(Get(port_, "/nothing/here").status, 404);
}

TEST_F(DashboardServerTest, HubOutageIsA503ThatSaysSoAndRecovers) {
  hub_.SetFailure(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"));
  const Reply page = Get(port_, "/");
  EXPECT_EQ(page.status, 503);
  EXPECT_THAT(page.body, AllOf(HasSubstr("The hub is unavailable"),
                               HasSubstr("<main id=\"main\" data-view-position=\"0\">"),
                               HasSubstr("/static/dashboard.js")));
  const Reply json = Get(port_, "/api/dashboard");
  EXPECT_EQ(json.status, 503);
  EXPECT_THAT(json.body, HasSubstr("{\"error\":{\"code\":\"UNAVAILABLE\""));
  hub_.SetFailure(grpc::Status::OK);
  EXPECT_EQ(Get(port_, "/").status, 200);
}

TEST_F(DashboardServerTest, BoardNeedsASignedInManagerAndCarriesTheirIdentity) {
  const Reply anonymous = Get(port_, "/team/gwent-newport/board");
  EXPECT_EQ(anonymous.status, 403);
  EXPECT_THAT(anonymous.body, HasSubstr("needs a signed-in manager"));
  EXPECT_TRUE(police_hub_.calls().empty());

  const Reply sergeant = Get(port_, "/team/gwent-newport/board",
                             "X-Forwarded-User: sgt-jones\r\nX-Forwarded-Role: sergeant\r\n");
  EXPECT_EQ(sergeant.status, 200);
  EXPECT_THAT(sergeant.body, HasSubstr("5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11"));
  ASSERT_EQ(police_hub_.calls().size(), 1u);
  const FakeCaseService::Call call = police_hub_.calls().front();
  EXPECT_EQ(call.user_id, "sgt-jones");
  EXPECT_EQ(call.role, "sergeant");
  EXPECT_EQ(call.purpose, "iom_case_management");
  EXPECT_EQ(call.team_id, "gwent-newport");
  for (const FakeCaseService::Call& c : hub_.calls()) EXPECT_NE(c.method, "GetDecisionsBoard");

  // No probation system configured: a probation manager is told so.
  const Reply spo =
      Get(port_, "/api/board?team=gwent-newport",
          "X-Forwarded-User: spo-1\r\nX-Forwarded-Role: senior_probation_officer\r\n");
  EXPECT_EQ(spo.status, 403);
  EXPECT_THAT(spo.body, HasSubstr("no probation system"));

  // The police system serves Gwent only: a South Wales team's board is not
  // asked of it.
  const Reply elsewhere = Get(port_, "/team/south-wales-cardiff/board",
                              "X-Forwarded-User: sgt-jones\r\nX-Forwarded-Role: sergeant\r\n");
  EXPECT_EQ(elsewhere.status, 403);
  EXPECT_THAT(elsewhere.body, HasSubstr("no police system configured to read decisions boards in "
                                        "south-wales"));
  EXPECT_EQ(police_hub_.calls().size(), 1u);
  EXPECT_EQ(Get(port_, "/team/no-such-team/board",
                "X-Forwarded-User: sgt-jones\r\nX-Forwarded-Role: sergeant\r\n")
                .status,
            404);
}

TEST(DashboardBoardSystems, ParsesAreaToSystem) {
  absl::StatusOr<std::map<std::string, std::string>> systems = ParseBoardSystems(
      "board_police_systems", "gwent=gwent-police-niche, *=south-wales-police-niche");
  ASSERT_TRUE(systems.ok()) << systems.status();
  EXPECT_EQ((*systems)["gwent"], "gwent-police-niche");
  EXPECT_EQ((*systems)["*"], "south-wales-police-niche");
  EXPECT_EQ(ParseBoardSystems("board_police_systems", "gwent").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBoardSystems("board_police_systems", "gwent=a,gwent=b").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseBoardSystems("board_police_systems", "")->empty());
}

TEST_F(DashboardServerTest, ServesItsOwnScriptsAndChartJsButNothingElse) {
  const Reply js = Get(port_, "/static/dashboard.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_THAT(js.head, HasSubstr("text/javascript"));
  EXPECT_THAT(js.body, HasSubstr("EventSource"));
  EXPECT_THAT(Get(port_, "/static/dashboard.css").head, HasSubstr("text/css"));
  EXPECT_EQ(Get(port_, "/static/chart.js").body, "window.Chart = function () {};");
  EXPECT_EQ(Get(port_, "/static/../CMakeCache.txt").status, 404);
  EXPECT_EQ(Get(port_, "/static/other.js").status, 404);
  EXPECT_THAT(Get(port_, "/healthz").body, HasSubstr("figures to log position 5"));
}

TEST_F(DashboardServerTest, EventStreamTellsEveryBrowserWhenTheFiguresMove) {
  const int first = Connect(port_);
  const int second = Connect(port_);
  SendRequest(first, "/events", "");
  SendRequest(second, "/events", "");
  for (int fd : {first, second}) {
    const std::string start = ReadUntil(fd, "viewPosition\":5}");
    EXPECT_THAT(start, AllOf(HasSubstr("Content-Type: text/event-stream"),
                             HasSubstr("event: update\ndata: {\"viewPosition\":5}")));
  }
  shared_->broadcaster->PublishPosition(9);
  for (int fd : {first, second}) {
    EXPECT_THAT(ReadUntil(fd, "viewPosition\":9}"), HasSubstr("data: {\"viewPosition\":9}"));
  }
  shared_->broadcaster->PublishUnavailable("UNAVAILABLE: gone");
  EXPECT_THAT(ReadUntil(first, "gone\"}"),
              HasSubstr("event: unavailable\ndata: {\"message\":\"UNAVAILABLE: gone\"}"));
  EXPECT_THAT(ReadUntil(second, ": keep-alive"), HasSubstr(": keep-alive"));
  close(first);
  close(second);
}

TEST_F(DashboardServerTest, StoppingEndsOpenEventStreams) {
  const int fd = Connect(port_);
  SendRequest(fd, "/events", "");
  ReadUntil(fd, "viewPosition\":5}");
  const absl::Time start = absl::Now();
  shared_->server.reset();  // must not wait for the browser to leave
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  close(fd);
}

TEST(DashboardServer, RefusesAnAddressInUse) {
  FakeCaseService hub;
  HubReader reader({.channel = hub.NewChannel()});
  UpdateBroadcaster broadcaster;
  DashboardServerOptions options;
  options.listen = "127.0.0.1:0";
  auto first = DashboardServer::Start(options, &reader, &broadcaster);
  ASSERT_TRUE(first.ok());
  options.listen = (*first)->url().substr(7, (*first)->url().size() - 8);
  auto second = DashboardServer::Start(options, &reader, &broadcaster);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace iomhub::dashboard
