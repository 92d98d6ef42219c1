// Under systemd (Type=notify) the hub says READY=1 once it serves,
// RELOADING=1 then READY=1 around a SIGHUP, and STOPPING=1 when SIGTERM
// begins the shutdown, over the datagram socket $NOTIFY_SOCKET names.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/match.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    timeval timeout{.tv_sec = 20, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~NotifySocket() { ::close(fd_); }
  bool bound() const { return bound_; }

  // The next datagram, or "" after 20 s without one.
  std::string Next() {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SystemdNotify, ReadyReloadingAndStoppingAreSentAtTheirMoments) {
  TempDir dir("iomhub-notify");
  NotifySocket notify(dir.Join("notify.sock"));
  ASSERT_TRUE(notify.bound());
  ::setenv("NOTIFY_SOCKET", dir.Join("notify.sock").c_str(), 1);
  absl::StatusOr<std::unique_ptr<HubProcess>> hub =
      HubProcess::Start({.insecure = true, .data_dir = dir.Join("data"), .metrics_listen = "off"});
  ::unsetenv("NOTIFY_SOCKET");
  ASSERT_THAT(hub, IsOk());

  const std::string ready = notify.Next();
  EXPECT_THAT(ready, HasSubstr("READY=1"));
  EXPECT_THAT(ready, HasSubstr("STATUS=serving on " + (*hub)->grpc_address()));

  ASSERT_EQ(::kill((*hub)->pid(), SIGHUP), 0);
  EXPECT_THAT(notify.Next(), HasSubstr("RELOADING=1"));
  EXPECT_THAT(notify.Next(), HasSubstr("READY=1"));

  ASSERT_EQ(::kill((*hub)->pid(), SIGTERM), 0);
  EXPECT_THAT(notify.Next(), HasSubstr("STOPPING=1"));
  absl::StatusOr<ExitStatus> exit = (*hub)->Stop();
  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->ok()) << exit->ToString();
}

}  // namespace
}  // namespace iomhub::testing
