// The sharing policy (DESIGN.md "Sharing and audit"): for a recipient and
// an event, deny — or deliver the whole event, or only some of its payload
// fields — under an agreement, data item, purpose and legal gateway.
//
// Default deny: an event is delivered only if a data item of an agreement
// in force lets the recipient's agency receive that event type from the
// producer's agency, the recipient is a partner of it (agency kind,
// organisation, area) calling for one of its purposes, and every condition
// holds:
//   - the item's own: contacts the recipient leads, referral services,
//     consents for the recipient, alert rules; for IdentifierLinked, an
//     identifier kind the recipient's partner entry lists;
//   - the person's, from their SharingFacts: on IOM now (unless the
//     agreement includes people off IOM; the deselection itself is
//     delivered), in an area the partner covers (its own, with
//     own_area_only), and consent in force when the agreement requires it
//     (the withdrawal itself reaches the agency the consent was for).
// A field not allowed is absent from what is sent (FieldMaskUtil), never
// blanked. Events on the "agreements" stream are hub records, not personal
// data: every recipient receives them whole.
//
// Person conditions use the person's state as it is NOW, and never older
// than the event: the facts given for the event at position P must reflect
// every event up to P (a consent withdrawn at P stops P+1). EventInput
// implementations guarantee that.
//
// Thread-safe: Policy and RecipientPlan are immutable.
#ifndef IOMHUB_PROJECTIONS_SHARING_POLICY_H_
#define IOMHUB_PROJECTIONS_SHARING_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "eventstore/event_peek.h"
#include "google/protobuf/field_mask.pb.h"
#include "iomhub/v1/actor.pb.h"
#include "iomhub/v1/envelope.pb.h"
#include "projections/sharing/agreement_set.h"
#include "projections/sharing/sharing_facts.h"
#include "projections/team_directory.h"

namespace iomhub::projections::sharing {

// The stream hub records (AgreementChanged) are appended to.
inline constexpr char kAgreementsStream[] = "agreements";

// One way an event type reaches a recipient: a data item of an agreement,
// compiled for that recipient. Internal to the policy; exposed for
// Decision's accessors.
struct Rule {
  const LoadedAgreement* agreement = nullptr;  // null for hub records
  const v1::Partner* partner = nullptr;        // the recipient's entry
  const v1::DataItem* item = nullptr;
  int payload_field = 0;
  bool whole = false;
  google::protobuf::FieldMask keep;  // !whole: the envelope and the kept payload fields
  std::vector<std::string> kept_fields;  // !whole: payload field names
  absl::flat_hash_set<int> from;          // producer agencies; empty: any
  bool needs_event = false;  // a condition reads the payload
  bool needs_facts = false;  // a condition reads the person's facts
};

struct Decision {
  bool delivered = false;
  // Delivered: the rule it travels under; it lives as long as the plan.
  const Rule* rule = nullptr;
  bool whole() const { return delivered && rule->whole; }
};

// What one recipient may receive, compiled from the agreements in force for
// it on one day. Keeps the agreement set alive.
class RecipientPlan {
 public:
  const v1::Actor& recipient() const { return recipient_; }
  absl::CivilDay day() const { return day_; }
  // The rules for one event type, best first (whole before trimmed, more
  // fields before fewer).
  absl::Span<const std::unique_ptr<Rule>> RulesFor(int payload_field) const;
  // True when events of this type from `producer_agency` are delivered whole
  // on what PeekEvent reads alone: the stored bytes can be forwarded
  // without parsing (the raw fast path).
  bool WholeOnPeek(const eventstore::EventPeek& peek) const {
    return WholeRuleOnPeek(peek) != nullptr;
  }
  // The rule WholeOnPeek forwards under, or null.
  const Rule* WholeRuleOnPeek(const eventstore::EventPeek& peek) const;
  // The first of `payload_fields` not delivered whole on peek alone (an
  // event of that type with no producer agency named); 0 if every one is:
  // then a view folded from every event of those types shows the recipient
  // nothing it would not receive.
  int FirstNotWholeOnPeek(absl::Span<const int> payload_fields) const;
  // Whether deciding an event of this type may read the person's facts.
  bool MayNeedFacts(int payload_field) const;
  // The identifier kinds the recipient may see (its partner entries in the
  // agreements that apply to it), for lookups by identifier.
  bool SeesIdentifier(v1::IdentifierKind kind) const { return identifiers_.contains(kind); }
  // Whether anything at all can reach the recipient.
  bool ReceivesAnything() const { return !rules_.empty(); }
  // Why each agreement the hub holds does or does not apply to the
  // recipient ("waspi-dda-iom-housing@2: not a partner: ..."), for Explain.
  const std::vector<std::string>& considered() const { return considered_; }

 private:
  friend class Policy;
  std::shared_ptr<const AgreementSet> agreements_;
  v1::Actor recipient_;
  absl::CivilDay day_;
  absl::flat_hash_map<int, std::vector<std::unique_ptr<Rule>>> rules_;
  absl::flat_hash_set<int> identifiers_;
  std::vector<std::string> considered_;
};

// The inputs of one decision, fetched only when a rule needs them.
class EventInput {
 public:
  virtual ~EventInput() = default;
  virtual uint64_t position() const = 0;
  virtual const eventstore::EventPeek& peek() const = 0;
  // The event with at least its payload parsed (once); the envelope may be
  // absent: conditions read only the payload.
  virtual absl::StatusOr<const v1::Event*> Payload() = 0;
  // The person's facts, reflecting at least position(); nullptr when the
  // stream is not a person's or the person has no state yet.
  virtual absl::StatusOr<const SharingFacts*> Facts() = 0;
};

class Policy {
 public:
  // `teams` is not owned and must outlive the policy and its plans.
  Policy(std::shared_ptr<const AgreementSet> agreements, const TeamDirectory* teams);

  const AgreementSet& agreements() const { return *agreements_; }
  std::shared_ptr<const AgreementSet> shared_agreements() const { return agreements_; }

  std::shared_ptr<const RecipientPlan> PlanFor(const v1::Actor& recipient,
                                               absl::CivilDay day) const;

  // Deny, or deliver under the first rule whose conditions hold. `now`
  // decides consent expiry. `why`, if given, gets one line per rule tried
  // and the outcome. Errors come from the input (e.g. DATA_LOSS, or the
  // facts not being available).
  absl::StatusOr<Decision> Decide(const RecipientPlan& plan, EventInput& input, absl::Time now,
                                  std::vector<std::string>* why = nullptr) const;

 private:
  // Empty if it holds, else why not.
  std::string EventConditions(const Rule& rule, const v1::Actor& recipient,
                              const v1::Event& event, const SharingFacts* facts) const;
  std::string PersonConditions(const Rule& rule, const v1::Actor& recipient,
                               const SharingFacts& facts, EventInput& input,
                               absl::Time now) const;

  std::shared_ptr<const AgreementSet> agreements_;
  const TeamDirectory* teams_;
};

// `event` as the recipient receives it under `decision` (REQUIRES:
// delivered): unchanged when whole, else only the envelope and the kept
// payload fields; the payload message stays set (possibly empty), so the
// event keeps its type.
void TrimForDelivery(const Decision& decision, v1::Event* event);

// The London civil day of `t` (agreements' dates are days in Wales).
absl::CivilDay LondonDay(absl::Time t);

}  // namespace iomhub::projections::sharing

#endif  // IOMHUB_PROJECTIONS_SHARING_POLICY_H_
