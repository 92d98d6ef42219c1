// ViewStore: where projections keep their read models ("views"), beside the
// log and in the same storage engine, so a view's content and its
// checkpoint — the log position it reflects — change together, atomically.
//
// A view is a named, ordered key space (bytewise order) and a checkpoint.
// Names are 1..100 bytes without NUL; keys and values are arbitrary bytes.
// A projection writes its state for a batch of events and the position it
// reached in one Commit, so after a crash (even SIGKILL) it resumes from a
// checkpoint that exactly matches its state: effects happen exactly once.
//
// Implementations: RocksDbViewStore, and InMemoryViewStore for tests
// (testing/). Every implementation must pass view_store_contract_test.cc.
//
// Thread safety: all methods may be called concurrently. Each Scan sees one
// consistent snapshot; a Get racing a Commit sees the value before or after.
// Status codes: INVALID_ARGUMENT for a bad view name, DATA_LOSS for damaged
// storage, RESOURCE_EXHAUSTED when the disk is full, INTERNAL otherwise.
#ifndef IOMHUB_EVENTSTORE_VIEW_STORE_H_
#define IOMHUB_EVENTSTORE_VIEW_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iomhub::eventstore {

// What one Commit changes: deletes are applied before puts.
struct ViewWrite {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::string> deletes;
  bool empty() const { return puts.empty() && deletes.empty(); }
};

class ViewStore {
 public:
  virtual ~ViewStore() = default;

  // The value under `key`, or nullopt if there is none.
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view view,
                                                         absl::string_view key) = 0;

  // Calls `visit` for each key of `view` that starts with `prefix`, in key
  // order, until it returns false. The views are valid only during the call.
  virtual absl::Status Scan(
      absl::string_view view, absl::string_view prefix,
      absl::FunctionRef<bool(absl::string_view key, absl::string_view value)> visit) = 0;

  // Applies `write` and sets the checkpoint to `checkpoint`, all or nothing.
  // Not fsynced by itself (a view can always be rebuilt from the durable
  // log; a crash may lose the latest commits, never part of one).
  virtual absl::Status Commit(absl::string_view view, const ViewWrite& write,
                              uint64_t checkpoint) = 0;

  // The checkpoint of the last Commit, 0 if the view was never committed.
  virtual absl::StatusOr<uint64_t> Checkpoint(absl::string_view view) = 0;

  // Removes every key of `view` and its checkpoint.
  virtual absl::Status Drop(absl::string_view view) = 0;
};

// OK, or INVALID_ARGUMENT saying what is wrong with a view name.
absl::Status ValidateViewName(absl::string_view view);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_VIEW_STORE_H_
