#include "services/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/grpc_log.h"

namespace iomhub::services {
namespace {

std::string ReadAll(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The machine's boot time (unix seconds), from /proc/stat's btime.
double BootTime() {
  std::istringstream in(ReadAll("/proc/stat"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) {
      double value = 0;
      if (absl::SimpleAtod(line.substr(6), &value)) return value;
    }
  }
  return 0;
}

}  // namespace

prometheus::MetricFamily OneMetric(const char* name, const char* help, prometheus::MetricType type,
                                   double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // /proc/self/stat: the fields after the command name (which may hold
  // spaces, so split after its closing parenthesis). Field 3 is the state.
  const std::string stat = ReadAll("/proc/self/stat");
  const size_t close = stat.rfind(')');
  if (close != std::string::npos && ticks > 0) {
    const std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
    // Indexes from field 3: utime 14 → 11, stime 15 → 12, starttime 22 →
    // 19, vsize 23 → 20, rss 24 → 21.
    double utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
    if (fields.size() > 21 && absl::SimpleAtod(fields[11], &utime) &&
        absl::SimpleAtod(fields[12], &stime) && absl::SimpleAtod(fields[19], &start) &&
        absl::SimpleAtod(fields[20], &vsize) && absl::SimpleAtod(fields[21], &rss)) {
      out.push_back(OneMetric("process_cpu_seconds_total",
                              "User and system CPU time spent, in seconds",
                              prometheus::MetricType::Counter, (utime + stime) / ticks));
      out.push_back(OneMetric("process_resident_memory_bytes", "Resident memory size in bytes",
                              prometheus::MetricType::Gauge, rss * page));
      out.push_back(OneMetric("process_virtual_memory_bytes", "Virtual memory size in bytes",
                              prometheus::MetricType::Gauge, vsize));
      if (const double boot = BootTime(); boot > 0) {
        out.push_back(OneMetric("process_start_time_seconds",
                                "Start time of the process since the unix epoch, in seconds",
                                prometheus::MetricType::Gauge, boot + start / ticks));
      }
    }
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    double open = 0;
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++open;
    }
    closedir(dir);
    out.push_back(OneMetric("process_open_fds", "Open file descriptors",
                            prometheus::MetricType::Gauge,
                            open - 1));  // not the one reading
  }
  out.push_back(OneMetric("iomhub_tls_handshakes_refused_total",
                          "TLS handshakes the hub refused (no client certificate, an unknown CA, a "
                          "key that does not match)",
                          prometheus::MetricType::Counter,
                          static_cast<double>(RefusedHandshakes())));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.push_back(OneMetric("process_max_fds", "The most file descriptors the process may open",
                            prometheus::MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace iomhub::services
