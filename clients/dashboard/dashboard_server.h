// DashboardServer: the dashboard's HTTP side (civetweb), on loopback by
// default, meant to sit behind a reverse proxy that terminates TLS and
// single sign-on (docs/dashboard.md).
//
//   GET /                   Wales: areas to drill into, figures, each area's trends
//   GET /area/<id>          a police force area and its teams
//   GET /team/<id>          an IOM team, with the link to its decisions board
//   GET /team/<id>/board    the team's decisions board (a signed-in manager only)
//   GET /api/dashboard?area=ID|team=ID   GetDashboardResponse as protobuf JSON
//   GET /api/board?team=ID  GetDecisionsBoardResponse as protobuf JSON (manager only)
//   GET /events             server-sent events: "update" when the figures move,
//                           "unavailable" when the hub stops answering
//   GET /healthz            the dashboard is up (and what it knows of the hub)
//   GET /static/...         dashboard.css, dashboard.js, chart.js (Debian's Chart.js)
//
// Every answer carries a strict Content-Security-Policy (everything from
// this server, no inline script or style, no framing), nosniff and
// no-referrer; pages and data are Cache-Control: no-store. A hub error
// becomes a page (or JSON) with the matching HTTP status: 503 while the
// hub is unavailable, 404 for an unknown area or team, 403 when refused.
// Thread-safe; each request runs on one of civetweb's threads, and each
// open /events stream holds one.
#ifndef IOMHUB_CLIENTS_DASHBOARD_DASHBOARD_SERVER_H_
#define IOMHUB_CLIENTS_DASHBOARD_DASHBOARD_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/dashboard/hub_reader.h"
#include "clients/dashboard/live_updates.h"
#include "clients/dashboard/manager_access.h"

namespace iomhub::dashboard {

struct DashboardServerOptions {
  // host:port to listen on; port 0 picks a free one (see url()). Default:
  // "127.0.0.1:8080" (loopback: put a reverse proxy in front).
  std::string listen = "127.0.0.1:8080";
  // Chart.js 3 UMD build, served as /static/chart.js. Missing: the pages
  // still work, tables only. Default: Debian's libjs-chart.js.
  std::string chart_js_file = "/usr/share/javascript/chart.js/chart.min.js";
  // HTTP worker threads; open /events streams may use all but 8 of them.
  // Default: 50.
  int threads = 50;
  // A comment line on every idle /events stream this often, so proxies
  // keep it open and a closed browser is noticed. Default: 15 s.
  absl::Duration keepalive = absl::Seconds(15);
  // Who may see decisions boards.
  ManagerAccessOptions access{};
};

class DashboardServer {
 public:
  // Starts serving. `reader` and `broadcaster` are not owned and must
  // outlive the server. UNAVAILABLE naming the address when it cannot
  // listen; INVALID_ARGUMENT for inconsistent access options.
  static absl::StatusOr<std::unique_ptr<DashboardServer>> Start(
      const DashboardServerOptions& options, const HubReader* reader,
      UpdateBroadcaster* broadcaster);

  // Ends every /events stream (stops the broadcaster) and the server.
  ~DashboardServer();

  // "http://127.0.0.1:PORT/" with the port actually bound.
  const std::string& url() const { return url_; }

  class Impl;

 private:
  DashboardServer(std::unique_ptr<Impl> impl, std::string url);
  std::unique_ptr<Impl> impl_;
  const std::string url_;
};

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_DASHBOARD_SERVER_H_
