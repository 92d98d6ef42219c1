// Listen addresses ("host:port", "[v6]:port"): loopback checks, port
// substitution, and why a bind failed, for start-up errors an operator can
// act on. Pure functions except DescribeBindFailure (which probes with a
// socket). Thread-safe.
#ifndef IOMHUB_SERVICES_LISTEN_ADDRESS_H_
#define IOMHUB_SERVICES_LISTEN_ADDRESS_H_

#include <string>

namespace iomhub::services {

// The host part: "127.0.0.1" of "127.0.0.1:50051", "::1" of "[::1]:50051".
std::string HostOf(const std::string& host_port);

// `host_port` with its port replaced by `port`.
std::string WithPort(const std::string& host_port, int port);

// True for 127.0.0.0/8, ::1 and localhost.
bool IsLoopbackAddress(const std::string& host_port);

// Why binding `host_port` fails, found by trying it with a plain socket
// (without SO_REUSEPORT), e.g. "address already in use (is another iomhubd or
// another program listening there?)"; "" if the probe itself binds.
std::string DescribeBindFailure(const std::string& host_port);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_LISTEN_ADDRESS_H_
