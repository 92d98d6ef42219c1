#include "eventstore/testing/in_memory_view_store.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "common/status_macros.h"

namespace iomhub::eventstore {

absl::StatusOr<std::optional<std::string>> InMemoryViewStore::Get(absl::string_view view,
                                                                  absl::string_view key) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  absl::MutexLock lock(&mu_);
  auto v = views_.find(view);
  if (v == views_.end()) return std::nullopt;
  auto entry = v->second.entries.find(key);
  if (entry == v->second.entries.end()) return std::nullopt;
  return entry->second;
}

absl::Status InMemoryViewStore::Scan(
    absl::string_view view, absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  std::vector<std::pair<std::string, std::string>> snapshot;
  {
    absl::MutexLock lock(&mu_);
    auto v = views_.find(view);
    if (v == views_.end()) return absl::OkStatus();
    const auto& entries = v->second.entries;
    for (auto it = entries.lower_bound(prefix);
         it != entries.end() && absl::StartsWith(it->first, prefix); ++it) {
      snapshot.emplace_back(it->first, it->second);
    }
  }
  for (const auto& [key, value] : snapshot) {
    if (!visit(key, value)) break;
  }
  return absl::OkStatus();
}

absl::Status InMemoryViewStore::Commit(absl::string_view view, const ViewWrite& write,
                                       uint64_t checkpoint) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  absl::MutexLock lock(&mu_);
  auto v = views_.find(view);
  if (v == views_.end()) v = views_.emplace(std::string(view), View()).first;
  auto& entries = v->second.entries;
  for (const std::string& key : write.deletes) entries.erase(key);
  for (const auto& [key, value] : write.puts) entries.insert_or_assign(key, value);
  v->second.checkpoint = checkpoint;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> InMemoryViewStore::Checkpoint(absl::string_view view) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  absl::MutexLock lock(&mu_);
  auto v = views_.find(view);
  return v == views_.end() ? 0 : v->second.checkpoint;
}

absl::Status InMemoryViewStore::Drop(absl::string_view view) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  absl::MutexLock lock(&mu_);
  if (auto v = views_.find(view); v != views_.end()) views_.erase(v);
  return absl::OkStatus();
}

}  // namespace iomhub::eventstore
