// InMemoryViewStore: the whole ViewStore contract (view_store.h) held in
// memory, for tests of projections and services and as the second
// implementation the contract suite (view_store_contract_test.cc) runs
// against. Nothing survives the object.
//
// Each view is an ordered map (bytewise key order, as RocksDB's) and a
// checkpoint. A Commit applies its deletes, then its puts, and sets the
// checkpoint under one lock, so it is atomic. A Scan copies the matching
// entries under the lock and visits the copy without it: it sees one
// consistent snapshot, and `visit` may call back into the store.
//
// Thread safety: all methods may be called concurrently (one absl::Mutex).
#ifndef IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_VIEW_STORE_H_
#define IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_VIEW_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "eventstore/view_store.h"

namespace iomhub::eventstore {

class InMemoryViewStore final : public ViewStore {
 public:
  InMemoryViewStore() = default;

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view view,
                                                 absl::string_view key) override;
  absl::Status Scan(absl::string_view view, absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) override;
  absl::Status Commit(absl::string_view view, const ViewWrite& write, uint64_t checkpoint) override;
  absl::StatusOr<uint64_t> Checkpoint(absl::string_view view) override;
  absl::Status Drop(absl::string_view view) override;

 private:
  struct View {
    std::map<std::string, std::string, std::less<>> entries;
    uint64_t checkpoint = 0;
  };

  absl::Mutex mu_;
  // A view is present once committed, absent again once dropped.
  std::map<std::string, View, std::less<>> views_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_VIEW_STORE_H_
