#include "services/ops_http.h"

#include <exception>
#include <sstream>

#include "CivetServer.h"
#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"
#include "services/listen_address.h"

namespace iomhub::services {
namespace {

void Reply(mg_connection* conn, int code, const std::string& content_type,
           const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            code, code == 200 ? "OK" : "Service Unavailable", content_type.c_str(), body.size());
  mg_write(conn, body.data(), body.size());
}

class MetricsHandler : public CivetHandler {
 public:
  explicit MetricsHandler(std::vector<std::weak_ptr<prometheus::Collectable>> collectables)
      : collectables_(std::move(collectables)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    std::vector<prometheus::MetricFamily> families;
    for (const auto& weak : collectables_) {
      if (auto collectable = weak.lock()) {
        std::vector<prometheus::MetricFamily> more = collectable->Collect();
        families.insert(families.end(), std::make_move_iterator(more.begin()),
                        std::make_move_iterator(more.end()));
      }
    }
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    Reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", out.str());
    return true;
  }

 private:
  const std::vector<std::weak_ptr<prometheus::Collectable>> collectables_;
};

class ProbeHandler : public CivetHandler {
 public:
  ProbeHandler(OpsHttp::Probe probe, std::string ok)
      : probe_(std::move(probe)), ok_(std::move(ok)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    const std::string problem = probe_();
    if (problem.empty()) {
      Reply(conn, 200, "text/plain; charset=utf-8", ok_ + "\n");
    } else {
      Reply(conn, 503, "text/plain; charset=utf-8", problem + "\n");
    }
    return true;
  }

 private:
  const OpsHttp::Probe probe_;
  const std::string ok_;
};

}  // namespace

class OpsHttp::Impl {
 public:
  Impl(std::vector<std::weak_ptr<prometheus::Collectable>> metrics, Probe live, Probe ready)
      : metrics_(std::move(metrics)),
        live_(std::move(live), "ok"),
        ready_(std::move(ready), "ready") {}
  MetricsHandler metrics_;
  ProbeHandler live_;
  ProbeHandler ready_;
  std::unique_ptr<CivetServer> server;  // last: stopped before the handlers go
};

OpsHttp::OpsHttp(std::unique_ptr<Impl> impl, std::string address)
    : impl_(std::move(impl)), address_(std::move(address)) {}

OpsHttp::~OpsHttp() {
  if (impl_ != nullptr) impl_->server.reset();
}

absl::StatusOr<std::unique_ptr<OpsHttp>> OpsHttp::Start(
    const std::string& address, std::vector<std::weak_ptr<prometheus::Collectable>> metrics,
    Probe live, Probe ready) {
  auto impl = std::make_unique<Impl>(std::move(metrics), std::move(live), std::move(ready));
  // civetweb writes "host:port" for IPv4 and "[::1]:port" for IPv6 as is.
  const std::vector<std::string> options = {"listening_ports", address, "num_threads", "2"};
  try {
    impl->server = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    std::string why = DescribeBindFailure(address);
    if (why.empty()) why = e.what();
    return absl::UnavailableError(
        absl::StrCat("cannot listen for metrics (HTTP) on ", address, ": ", why));
  }
  impl->server->addHandler("/metrics", impl->metrics_);
  impl->server->addHandler("/healthz", impl->live_);
  impl->server->addHandler("/readyz", impl->ready_);
  const std::vector<int> ports = impl->server->getListeningPorts();
  std::string bound = WithPort(address, ports.empty() ? 0 : ports.front());
  return std::unique_ptr<OpsHttp>(new OpsHttp(std::move(impl), std::move(bound)));
}

}  // namespace iomhub::services
