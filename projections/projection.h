// Projection: a read model fed from the log, one event at a time. The
// ProjectionRunner reads the log from the projection's checkpoint, gives it
// each event it wants, and commits the view's changes together with the new
// checkpoint in one batch, so after any crash the view resumes exactly where
// its state says it is (exactly-once effects). A rebuild feeds the same
// events from position 1 into a fresh copy; Apply must therefore be a pure
// function of the events and the view's own state — no clock, no other
// view, no randomness — so the rebuilt copy is byte-identical.
//
// Thread safety: Apply and Wants are const and may run on two threads at
// once (the live worker and a rebuild, each with its own ViewTxn): an
// instance holds no mutable state of its own.
#ifndef IOMHUB_PROJECTIONS_PROJECTION_H_
#define IOMHUB_PROJECTIONS_PROJECTION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "eventstore/event_peek.h"
#include "iomhub/v1/envelope.pb.h"
#include "projections/view_txn.h"

namespace iomhub::projections {

class Projection {
 public:
  virtual ~Projection() = default;

  // The view's name ("case_view"): stable, 1..50 characters of [a-z0-9_].
  virtual absl::string_view name() const = 0;

  // Whether the event needs Apply, decided from the stored record's stream
  // and payload type without parsing it. Default: person streams only.
  virtual bool Wants(const eventstore::EventPeek& event) const;

  // True when the view is a set of independent parts, one per stream: what
  // an event does depends only on earlier events of its own stream. A
  // rebuild may then fold the streams in any grouping (each stream still in
  // its own order), which lets it fold each person once instead of once per
  // batch. Default: false.
  virtual bool PartitionedByStream() const { return false; }

  // Folds `event` into the view through `txn`. A non-OK status stops the
  // projection at this event, visibly (it is never skipped): only for an
  // event the projection cannot make sense of, never for data quality.
  virtual absl::Status Apply(const v1::Event& event, ViewTxn& txn) const = 0;
};

// True for "person-<uuid>" streams.
bool IsPersonStream(absl::string_view stream);

// The uuid of a "person-<uuid>" stream, as a view into `stream`; empty for
// any other stream (no copy: delivery paths call it per event).
absl::string_view PersonIdIn(absl::string_view stream);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_PROJECTION_H_
