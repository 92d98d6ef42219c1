// iomctl admin: operating the hub's store through AdminService.
//   iomctl admin backup DIR [--skip_verify]   a consistent backup of the
//                                             running hub into DIR, a new
//                                             directory on the hub's machine
//   iomctl admin verify                       checks the running hub's store
// Restoring, and verifying a stopped hub's directory, are offline: they open
// the files, which a client never does (iomhubd --restore_from, --verify).
#ifndef IOMHUB_CLIENTS_IOMCTL_ADMIN_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_ADMIN_COMMAND_H_

#include <string>

#include "clients/iomctl/command_env.h"

namespace iomhub::iomctl {

struct AdminOptions {
  std::string action{};      // backup | verify
  std::string argument{};    // backup: the directory
  bool skip_verify = false;  // backup
};

// Prints the response as one JSON line and a one-line summary on env.err.
// A verification that found faults exits kExitRpcError.
int RunAdmin(const CommandEnv& env, const AdminOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_ADMIN_COMMAND_H_
