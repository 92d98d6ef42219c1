#include "clients/dashboard/dashboard_server.h"

#include <atomic>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <vector>

#include "CivetServer.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/dashboard/assets.h"
#include "clients/dashboard/html.h"
#include "clients/dashboard/pages.h"
#include "google/protobuf/util/json_util.h"

namespace iomhub::dashboard {
namespace {

// Everything from this server; no inline script or style, no plugins, no
// framing (clickjacking), forms nowhere.
constexpr char kSecurityHeaders[] =
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";

constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kText[] = "text/plain; charset=utf-8";

const char* Reason(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

void Send(mg_connection* conn, int code, absl::string_view content_type, absl::string_view body,
          absl::string_view cache = "no-store") {
  const std::string head =
      absl::StrCat("HTTP/1.1 ", code, " ", Reason(code), "\r\nContent-Type: ", content_type,
                   "\r\nContent-Length: ", body.size(), "\r\nCache-Control: ", cache, "\r\n",
                   kSecurityHeaders, "Connection: close\r\n\r\n");
  mg_write(conn, head.data(), head.size());
  mg_write(conn, body.data(), body.size());
}

// The HTTP status for a failed hub call, and what to tell people.
int HttpCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kFailedPrecondition:
      return 503;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    default:
      return 502;
  }
}

std::string Explain(const absl::Status& status) {
  switch (HttpCode(status)) {
    case 503:
      return absl::StrCat("The hub is unavailable (", status.ToString(),
                          "). This page shows the figures again as soon as it answers.");
    case 502:
      return absl::StrCat("The hub refused the dashboard's request (", status.ToString(),
                          "): check the dashboard's certificate and the hub's version.");
    default:
      return std::string(status.message());
  }
}

std::string ProblemTitle(int code) {
  switch (code) {
    case 503:
      return "Hub unavailable";
    case 404:
      return "Not found";
    case 403:
      return "Not allowed";
    case 400:
      return "Bad request";
    default:
      return "Hub error";
  }
}

void SendProblem(mg_connection* conn, const absl::Status& status, bool json) {
  const int code = HttpCode(status);
  if (json) {
    Send(conn, code, kJson,
         absl::StrCat("{\"error\":{\"code\":\"", absl::StatusCodeToString(status.code()),
                      "\",\"message\":\"", JsonEscape(Explain(status)), "\"}}\n"));
  } else {
    Send(conn, code, kHtml, RenderProblemPage(ProblemTitle(code), Explain(status)));
  }
}

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::string QueryValue(const mg_request_info* info, const char* name) {
  if (info->query_string == nullptr) return "";
  char buffer[128];
  const int n =
      mg_get_var(info->query_string, std::strlen(info->query_string), name, buffer, sizeof buffer);
  return n > 0 ? std::string(buffer, n) : "";
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out + "\n";
}

// "127.0.0.1:0" and port 43117 → "http://127.0.0.1:43117/".
std::string BoundUrl(absl::string_view listen, int port) {
  const size_t colon = listen.rfind(':');
  absl::string_view host = colon == absl::string_view::npos ? listen : listen.substr(0, colon);
  if (host.empty()) host = "127.0.0.1";
  return absl::StrCat("http://", host, ":", port, "/");
}

}  // namespace

class DashboardServer::Impl : public CivetHandler {
 public:
  Impl(const DashboardServerOptions& options, const HubReader* reader,
       UpdateBroadcaster* broadcaster, std::string chart_js)
      : options_(options),
        reader_(reader),
        broadcaster_(broadcaster),
        chart_js_(std::move(chart_js)) {}

  bool handleGet(CivetServer*, mg_connection* conn) override {
    const mg_request_info* info = mg_get_request_info(conn);
    const absl::string_view path = info->local_uri != nullptr ? info->local_uri : "/";
    const std::vector<absl::string_view> parts = absl::StrSplit(absl::StripPrefix(path, "/"), '/');
    if (path == "/") return Page(conn, Scope{});
    if (parts.size() == 2 && parts[0] == "area" && ValidId(parts[1])) {
      return Page(conn, Scope{.area_id = std::string(parts[1])});
    }
    if (parts.size() == 2 && parts[0] == "team" && ValidId(parts[1])) {
      return Page(conn, Scope{.team_id = std::string(parts[1])});
    }
    if (parts.size() == 3 && parts[0] == "team" && ValidId(parts[1]) && parts[2] == "board") {
      return Board(conn, info, std::string(parts[1]), /*json=*/false);
    }
    if (path == "/api/dashboard") return Api(conn, info);
    if (path == "/api/board") {
      const std::string team = QueryValue(info, "team");
      if (!ValidId(team)) return NotFound(conn, "want /api/board?team=ID");
      return Board(conn, info, team, /*json=*/true);
    }
    if (path == "/events") return Events(conn);
    if (path == "/healthz") return Health(conn);
    if (path == "/static/chart.js") {
      if (chart_js_.empty()) return NotFound(conn, "Chart.js is not installed (libjs-chart.js)");
      Send(conn, 200, "text/javascript; charset=utf-8", chart_js_, "public, max-age=86400");
      return true;
    }
    if (absl::StartsWith(path, "/static/")) {
      const Asset* asset = FindAsset(absl::StripPrefix(path, "/static/"));
      if (asset == nullptr) return NotFound(conn, "no such file");
      // Revalidated every time: a new dashboard's page never meets an old script.
      Send(conn, 200, asset->content_type, asset->body, "no-cache");
      return true;
    }
    if (path == "/favicon.ico") {
      Send(conn, 204, kText, "");
      return true;
    }
    return NotFound(conn, "There is no such page on the IOM dashboard.");
  }

  bool NotFound(mg_connection* conn, absl::string_view message) {
    Send(conn, 404, kHtml, RenderProblemPage("Not found", message));
    return true;
  }

  // A figures page, asking for at least the position the live poll has
  // seen, so a page fetched after an "update" event shows that update.
  bool Page(mg_connection* conn, const Scope& scope) {
    absl::StatusOr<v1::GetDashboardResponse> response = reader_->Dashboard(scope, MinPosition());
    if (!response.ok()) {
      SendProblem(conn, response.status(), /*json=*/false);
      return true;
    }
    Send(conn, 200, kHtml, RenderDashboardPage(*response));
    return true;
  }

  bool Api(mg_connection* conn, const mg_request_info* info) {
    Scope scope{.area_id = QueryValue(info, "area"), .team_id = QueryValue(info, "team")};
    if ((!scope.area_id.empty() && !ValidId(scope.area_id)) ||
        (!scope.team_id.empty() && !ValidId(scope.team_id))) {
      SendProblem(conn, absl::InvalidArgumentError("area and team are ids like gwent-newport"),
                  /*json=*/true);
      return true;
    }
    absl::StatusOr<v1::GetDashboardResponse> response = reader_->Dashboard(scope, MinPosition());
    if (!response.ok()) {
      SendProblem(conn, response.status(), /*json=*/true);
      return true;
    }
    Send(conn, 200, kJson, ToJson(*response));
    return true;
  }

  bool Board(mg_connection* conn, const mg_request_info* info, const std::string& team, bool json) {
    const absl::StatusOr<Manager> manager =
        ResolveManager(options_.access, info->remote_addr,
                       [conn](const char* name) { return mg_get_header(conn, name); });
    if (!manager.ok()) {
      SendProblem(conn, manager.status(), json);
      return true;
    }
    absl::StatusOr<v1::GetDecisionsBoardResponse> board = reader_->Board(team, *manager);
    if (!board.ok()) {
      SendProblem(conn, board.status(), json);
      return true;
    }
    if (json) {
      Send(conn, 200, kJson, ToJson(*board));
    } else {
      Send(conn, 200, kHtml, RenderBoardPage(*board, *manager));
    }
    return true;
  }

  // One server-sent-events stream: the current state at once, then every
  // change, with a comment line when idle. Ends when the browser goes or
  // the server stops.
  bool Events(mg_connection* conn) {
    if (streams_.fetch_add(1) >= std::max(1, options_.threads - 8)) {
      streams_.fetch_sub(1);
      Send(conn, 503, kText, "too many live pages open; reload later\n");
      return true;
    }
    const std::string head = absl::StrCat(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
        "X-Accel-Buffering: no\r\n",
        kSecurityHeaders, "Connection: close\r\n\r\nretry: 3000\n\n");
    bool open = mg_write(conn, head.data(), head.size()) > 0;
    LiveState state = broadcaster_->Current();
    uint64_t sent = 0;
    while (open && !state.stopped) {
      std::string chunk;
      if (state.generation != sent && state.generation > 0) {
        chunk = FormatServerSentEvent(state);
        sent = state.generation;
      } else {
        chunk = ": keep-alive\n\n";
      }
      open = mg_write(conn, chunk.data(), chunk.size()) > 0;
      if (open) state = broadcaster_->WaitForChange(sent, options_.keepalive);
    }
    streams_.fetch_sub(1);
    return true;
  }

  bool Health(mg_connection* conn) {
    const LiveState state = broadcaster_->Current();
    Send(
        conn, 200, kText,
        state.hub_available
            ? absl::StrCat("ok; hub answering, figures to log position ", state.view_position, "\n")
            : absl::StrCat("ok; hub not answering: ",
                           state.problem.empty() ? "not asked yet" : state.problem, "\n"));
    return true;
  }

  uint64_t MinPosition() const {
    const LiveState state = broadcaster_->Current();
    return state.hub_available ? state.view_position : 0;
  }

  const DashboardServerOptions options_;
  const HubReader* const reader_;
  UpdateBroadcaster* const broadcaster_;
  const std::string chart_js_;
  std::atomic<int> streams_{0};
  std::unique_ptr<CivetServer> server;  // last: stopped before the rest goes
};

DashboardServer::DashboardServer(std::unique_ptr<Impl> impl, std::string url)
    : impl_(std::move(impl)), url_(std::move(url)) {}

DashboardServer::~DashboardServer() {
  impl_->broadcaster_->Stop();
  impl_->server.reset();
}

absl::StatusOr<std::unique_ptr<DashboardServer>> DashboardServer::Start(
    const DashboardServerOptions& options, const HubReader* reader,
    UpdateBroadcaster* broadcaster) {
  if (absl::Status s = ValidateManagerAccess(options.access); !s.ok()) return s;
  std::string chart_js;
  if (std::ifstream in(options.chart_js_file, std::ios::binary); in) {
    std::ostringstream text;
    text << in.rdbuf();
    chart_js = text.str();
  }
  auto impl = std::make_unique<Impl>(options, reader, broadcaster, std::move(chart_js));
  const std::vector<std::string> civet = {"listening_ports", options.listen, "num_threads",
                                          absl::StrCat(std::max(options.threads, 9))};
  try {
    impl->server = std::make_unique<CivetServer>(civet);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for HTTP on ", options.listen, ": ", e.what()));
  }
  impl->server->addHandler("/", *impl);
  const std::vector<int> ports = impl->server->getListeningPorts();
  std::string url = BoundUrl(options.listen, ports.empty() ? 0 : ports.front());
  return std::unique_ptr<DashboardServer>(new DashboardServer(std::move(impl), std::move(url)));
}

}  // namespace iomhub::dashboard
