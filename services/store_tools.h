// The offline store tools of iomhubd, run instead of serving:
//   iomhubd --verify [--data_dir=DIR | --config=FILE]
//   iomhubd --restore_from=BACKUP --data_dir=DIR
// Both open the store read-only for verification (eventstore/backup.h,
// store_verifier.h), print a summary to stdout, and return the exit code.
#ifndef IOMHUB_SERVICES_STORE_TOOLS_H_
#define IOMHUB_SERVICES_STORE_TOOLS_H_

#include <ostream>
#include <string>

#include "iomhub/v1/config.pb.h"

namespace iomhub::services {

inline constexpr int kStoreToolOk = 0;
inline constexpr int kStoreToolError = 1;   // could not verify or restore
inline constexpr int kStoreToolFaults = 2;  // verified, and found faults

// Verifies config.data_dir() with the audit key config names (or the one in
// the data directory).
int VerifyDataDir(const v1::HubConfig& config, std::ostream& out, std::ostream& err);

// Restores `backup_dir` into config.data_dir() (empty or absent) and
// verifies the result.
int RestoreDataDir(const std::string& backup_dir, const v1::HubConfig& config, std::ostream& out,
                   std::ostream& err);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_STORE_TOOLS_H_
