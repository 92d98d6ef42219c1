// DeliveryCursor: the ONE path from the log to a recipient (DESIGN.md
// "Growing the next floor"). ReadStream, ReadAll, Subscribe and the case
// queries each hold one for their caller and offer it every event they
// would send; it asks the sharing policy and answers skip, forward the
// stored bytes unchanged (the raw fast path: nothing to trim, nothing to
// parse), or send these trimmed bytes instead.
//
// Person conditions read the person's SharingFacts from the case view. The
// decision for the event at position P waits until the case view reflects
// P (kWaitForFacts: offer it again once facts_watermark() has reached it),
// so a consent withdrawn at P stops P+1 however close behind it comes.
// Facts are cached per person while they still reflect the event offered.
//
// The plan (what the recipient may receive) is compiled once and again
// whenever the agreements are reloaded or the day changes (Refresh).
//
// Every event it lets through (forwarded, trimmed) is noted in disclosed(),
// for the audit record the caller writes before sending (audit_trail.h).
//
// Not thread-safe: one cursor per call, used by one thread at a time.
#ifndef IOMHUB_SERVICES_DELIVERY_CURSOR_H_
#define IOMHUB_SERVICES_DELIVERY_CURSOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "eventstore/commit_watermark.h"
#include "eventstore/event_peek.h"
#include "eventstore/view_store.h"
#include "iomhub/v1/actor.pb.h"
#include "projections/projection_runner.h"
#include "projections/sharing/policy.h"
#include "services/disclosure_ledger.h"
#include "services/sharing_config.h"
#include "services/wire_batch.h"

namespace iomhub::services {

// What a cursor needs; none owned, all outlive it.
struct DeliveryDeps {
  const SharingConfig* sharing = nullptr;
  projections::ProjectionRunner* runner = nullptr;  // the case view: person facts
  eventstore::ViewStore* views = nullptr;
  Clock* clock = nullptr;
};

class DeliveryCursor {
 public:
  enum class Verdict {
    kSkip,          // not for this recipient
    kForward,       // send as stored
    kTrimmed,       // send the trimmed event instead
    kWaitForFacts,  // the case view has not reached the event yet
  };

  DeliveryCursor(v1::Actor recipient, DeliveryDeps deps);

  // Picks up reloaded agreements and a new day. Call before each batch.
  void Refresh();

  // The stored event `bytes` at `position`, and what PeekEvent read of it
  // (the caller peeks once, for its own filters too). kTrimmed: `*trimmed`
  // holds the serialized event to send instead.
  absl::StatusOr<Verdict> Offer(uint64_t position, absl::string_view bytes,
                                const eventstore::EventPeek& peek, std::string* trimmed);
  // Offer, then adds what is delivered (the stored bytes, or the trimmed
  // event) to `batch`: true if it added it. kWaitForFacts sets
  // `*blocked_at` to `position` and adds nothing. `scratch` holds trimmed
  // bytes (reuse it across calls).
  absl::StatusOr<bool> OfferInto(uint64_t position, absl::string_view bytes,
                                 const eventstore::EventPeek& peek, WireBatch* batch,
                                 uint64_t* blocked_at, std::string* scratch);
  // A parsed event; kTrimmed: `*event` was trimmed in place.
  absl::StatusOr<Verdict> Offer(v1::Event* event);

  // The case view's checkpoint, which kWaitForFacts waits on.
  eventstore::CommitWatermark& facts_watermark() { return *facts_watermark_; }
  // Blocks until the case view reflects `position` or `deadline`:
  // UNAVAILABLE naming the view if it has stopped (failed) or the deadline
  // passed. For finite reads on the ReadExecutor.
  absl::Status WaitForFacts(uint64_t position, absl::Time deadline);
  // UNAVAILABLE naming the view if it has stopped, else OK.
  absl::Status FactsViewHealthy() const;

  const v1::Actor& recipient() const { return recipient_; }
  // What was let through since the ledger was last taken or cleared.
  DisclosureLedger& disclosed() { return disclosed_; }
  const projections::sharing::RecipientPlan& plan() const { return *plan_; }
  const projections::sharing::Policy& policy() const { return *policy_; }

  // The decision with its explanation, for SharingService.Explain.
  absl::StatusOr<projections::sharing::Decision> Explain(uint64_t position, absl::string_view bytes,
                                                         std::vector<std::string>* why);

  // The person's facts reflecting at least `position` (nullptr: not a
  // person's stream). REQUIRES: facts_watermark() >= position.
  absl::StatusOr<const projections::sharing::SharingFacts*> FactsFor(absl::string_view stream,
                                                                     uint64_t position);

 private:
  class Input;
  absl::StatusOr<Verdict> Decide(Input& input);

  const v1::Actor recipient_;
  const DeliveryDeps deps_;
  eventstore::CommitWatermark* facts_watermark_;
  uint64_t generation_ = 0;
  std::shared_ptr<const projections::sharing::Policy> policy_;
  std::shared_ptr<const projections::sharing::RecipientPlan> plan_;
  absl::flat_hash_map<std::string, projections::sharing::SharingFacts> facts_;
  DisclosureLedger disclosed_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_DELIVERY_CURSOR_H_
