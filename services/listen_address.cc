#include "services/listen_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace iomhub::services {

std::string HostOf(const std::string& host_port) {
  if (absl::StartsWith(host_port, "[")) return host_port.substr(1, host_port.find(']') - 1);
  return host_port.substr(0, host_port.rfind(':'));
}

std::string WithPort(const std::string& host_port, int port) {
  return absl::StrCat(host_port.substr(0, host_port.rfind(':')), ":", port);
}

bool IsLoopbackAddress(const std::string& host_port) {
  const std::string host = HostOf(host_port);
  return absl::StartsWith(host, "127.") || host == "::1" || host == "localhost";
}

std::string DescribeBindFailure(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos) return "the address has no port (use host:port)";
  const std::string host = HostOf(host_port);
  const std::string port = host_port.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int lookup =
      getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (lookup != 0) return absl::StrCat("cannot resolve ", host, ": ", gai_strerror(lookup));
  std::string why;
  for (addrinfo* a = found; a != nullptr && why.empty(); a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
      const int err = errno;
      why = err == EADDRINUSE
                ? "address already in use (is another iomhubd, or another program, listening there?)"
                : std::strerror(err);
    }
    close(fd);
  }
  freeaddrinfo(found);
  return why;
}

}  // namespace iomhub::services
