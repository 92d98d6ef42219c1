// Tells systemd the hub's state over $NOTIFY_SOCKET, as sd_notify(3) does,
// for a unit with Type=notify: "READY=1" once serving, "RELOADING=1" then
// "READY=1" around a SIGHUP reload, "STOPPING=1" when shutdown begins,
// with a "STATUS=" line for `systemctl status`. The protocol is one
// datagram to an AF_UNIX socket (abstract when the path starts with '@'),
// which systemd documents as stable for programs that do not link
// libsystemd. Without NOTIFY_SOCKET (not run by systemd) it does nothing.
#ifndef IOMHUB_SERVICES_SYSTEMD_NOTIFY_H_
#define IOMHUB_SERVICES_SYSTEMD_NOTIFY_H_

#include "absl/strings/string_view.h"

namespace iomhub::services {

// Sends `state` (newline-separated VAR=value lines). False when there is
// no NOTIFY_SOCKET or the datagram could not be sent.
bool SystemdNotify(absl::string_view state);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_SYSTEMD_NOTIFY_H_
