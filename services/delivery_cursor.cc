#include "services/delivery_cursor.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/event_peek.h"
#include "eventstore/record_codec.h"
#include "projections/case_view_projection.h"

namespace iomhub::services {
namespace {

using projections::sharing::Decision;
using projections::sharing::SharingFacts;

// A cache of people's facts is dropped whole past this many (a long read of
// a large log): reading a person's state again costs one point read.
constexpr size_t kMaxCachedPeople = 100000;

}  // namespace

// The policy's view of one offered event: parsed and facts fetched only on
// demand.
class DeliveryCursor::Input final : public projections::sharing::EventInput {
 public:
  Input(DeliveryCursor* cursor, uint64_t position, eventstore::EventPeek peek,
        absl::string_view bytes, v1::Event* parsed)
      : cursor_(cursor), position_(position), peek_(peek), bytes_(bytes), event_(parsed) {}

  uint64_t position() const override { return position_; }
  const eventstore::EventPeek& peek() const override { return peek_; }
  // Only the payload (a few dozen bytes), unless the whole event is parsed
  // already: most decisions that read the event read nothing else.
  absl::StatusOr<const v1::Event*> Payload() override {
    if (event_ != nullptr) return event_;
    if (payload_only_ != nullptr) return payload_only_.get();
    auto event = std::make_unique<v1::Event>();
    const google::protobuf::FieldDescriptor* field =
        v1::Event::descriptor()->FindFieldByNumber(peek_.payload_field);
    if (field == nullptr ||
        !event->GetReflection()
             ->MutableMessage(event.get(), field)
             ->ParseFromArray(peek_.payload.data(), static_cast<int>(peek_.payload.size()))) {
      return absl::DataLossError(absl::StrCat("the payload of the stored event at position ",
                                              position_, " does not parse"));
    }
    payload_only_ = std::move(event);
    return payload_only_.get();
  }
  // The whole event, parsed (once).
  absl::StatusOr<v1::Event*> Parsed() {
    if (event_ != nullptr) return event_;
    if (!own_.ParseFromArray(bytes_.data(), static_cast<int>(bytes_.size()))) {
      return absl::DataLossError(
          absl::StrCat("the stored event at position ", position_, " does not parse"));
    }
    event_ = &own_;
    return event_;
  }
  absl::StatusOr<const SharingFacts*> Facts() override {
    return cursor_->FactsFor(peek_.stream, position_);
  }
  // The parsed event, to trim (parsing it if no rule needed to).
  absl::StatusOr<v1::Event*> Mutable() {
    IOMHUB_RETURN_IF_ERROR(Parsed().status());
    return event_;
  }

 private:
  DeliveryCursor* const cursor_;
  const uint64_t position_;
  const eventstore::EventPeek peek_;
  const absl::string_view bytes_;
  v1::Event* event_;
  v1::Event own_;
  std::unique_ptr<v1::Event> payload_only_;
};

DeliveryCursor::DeliveryCursor(v1::Actor recipient, DeliveryDeps deps)
    : recipient_(std::move(recipient)),
      deps_(deps),
      facts_watermark_(*deps.runner->Watermark(projections::kCaseView)) {
  Refresh();
}

void DeliveryCursor::Refresh() {
  const uint64_t generation = deps_.sharing->generation();
  const absl::CivilDay today = projections::sharing::LondonDay(deps_.clock->Now());
  if (plan_ != nullptr && generation == generation_ && plan_->day() == today) return;
  generation_ = generation;
  policy_ = deps_.sharing->policy();
  plan_ = policy_->PlanFor(recipient_, today);
}

absl::StatusOr<DeliveryCursor::Verdict> DeliveryCursor::Offer(uint64_t position,
                                                              absl::string_view bytes,
                                                              const eventstore::EventPeek& peek,
                                                              std::string* trimmed) {
  if (plan_->RulesFor(peek.payload_field).empty()) return Verdict::kSkip;
  if (const projections::sharing::Rule* rule = plan_->WholeRuleOnPeek(peek)) {
    disclosed_.Note(position, peek.stream, peek.payload_field, rule, /*trimmed=*/false);
    return Verdict::kForward;
  }
  Input input(this, position, peek, bytes, nullptr);
  IOMHUB_ASSIGN_OR_RETURN(Verdict verdict, Decide(input));
  if (verdict == Verdict::kTrimmed) {
    IOMHUB_ASSIGN_OR_RETURN(v1::Event * event, input.Mutable());
    *trimmed = eventstore::SerializeDeterministic(*event);
  }
  return verdict;
}

absl::StatusOr<bool> DeliveryCursor::OfferInto(uint64_t position, absl::string_view bytes,
                                               const eventstore::EventPeek& peek, WireBatch* batch,
                                               uint64_t* blocked_at, std::string* scratch) {
  IOMHUB_ASSIGN_OR_RETURN(Verdict verdict, Offer(position, bytes, peek, scratch));
  switch (verdict) {
    case Verdict::kSkip:
      return false;
    case Verdict::kForward:
      batch->AddEvent(bytes);
      return true;
    case Verdict::kTrimmed:
      batch->AddEvent(*scratch);
      return true;
    case Verdict::kWaitForFacts:
      *blocked_at = position;
      return false;
  }
  return false;
}

absl::StatusOr<DeliveryCursor::Verdict> DeliveryCursor::Offer(v1::Event* event) {
  eventstore::EventPeek peek;
  peek.stream = event->stream();
  peek.payload_field = static_cast<int>(event->payload_case());
  peek.producer_agency = event->producer().agency();
  if (plan_->RulesFor(peek.payload_field).empty()) return Verdict::kSkip;
  if (const projections::sharing::Rule* rule = plan_->WholeRuleOnPeek(peek)) {
    disclosed_.Note(event->position(), peek.stream, peek.payload_field, rule, /*trimmed=*/false);
    return Verdict::kForward;
  }
  Input input(this, event->position(), peek, {}, event);
  return Decide(input);
}

absl::StatusOr<DeliveryCursor::Verdict> DeliveryCursor::Decide(Input& input) {
  if (plan_->MayNeedFacts(input.peek().payload_field) &&
      facts_watermark_->position() < input.position()) {
    return Verdict::kWaitForFacts;
  }
  IOMHUB_ASSIGN_OR_RETURN(Decision decision, policy_->Decide(*plan_, input, deps_.clock->Now()));
  if (!decision.delivered) return Verdict::kSkip;
  disclosed_.Note(input.position(), input.peek().stream, input.peek().payload_field, decision.rule,
                  /*trimmed=*/!decision.whole());
  if (decision.whole()) return Verdict::kForward;
  IOMHUB_ASSIGN_OR_RETURN(v1::Event * event, input.Mutable());
  projections::sharing::TrimForDelivery(decision, event);  // in place for a parsed offer
  return Verdict::kTrimmed;
}

absl::StatusOr<Decision> DeliveryCursor::Explain(uint64_t position, absl::string_view bytes,
                                                 std::vector<std::string>* why) {
  IOMHUB_ASSIGN_OR_RETURN(eventstore::EventPeek peek, eventstore::PeekEvent(bytes));
  Input input(this, position, peek, bytes, nullptr);
  if (plan_->MayNeedFacts(peek.payload_field)) {
    IOMHUB_RETURN_IF_ERROR(WaitForFacts(position, absl::Now() + absl::Seconds(10)));
  }
  return policy_->Decide(*plan_, input, deps_.clock->Now(), why);
}

absl::StatusOr<const SharingFacts*> DeliveryCursor::FactsFor(absl::string_view stream,
                                                             uint64_t position) {
  if (!projections::IsPersonStream(stream)) return nullptr;
  const std::string person(projections::PersonIdIn(stream));
  auto it = facts_.find(person);
  if (it != facts_.end() && it->second.reflects_position >= position) return &it->second;
  // The checkpoint first, then the state: the state reflects at least it.
  const uint64_t checkpoint = facts_watermark_->position();
  if (checkpoint < position) {
    return absl::InternalError(absl::StrCat("the case view is at ", checkpoint,
                                            ", behind the event at ", position,
                                            " (a bug: the cursor waits for it)"));
  }
  IOMHUB_ASSIGN_OR_RETURN(std::string view, deps_.runner->PhysicalView(projections::kCaseView));
  absl::StatusOr<v1::PersonState> state = projections::ReadPersonState(*deps_.views, view, person);
  if (!state.ok() && !absl::IsNotFound(state.status())) return state.status();
  if (facts_.size() >= kMaxCachedPeople) facts_.clear();
  SharingFacts& facts = facts_[person];
  // Not in the view: no event of the person folded yet, so nothing holds.
  facts =
      projections::sharing::DeriveSharingFacts(state.ok() ? *state : v1::PersonState(), checkpoint);
  return &facts;
}

absl::Status DeliveryCursor::FactsViewHealthy() const {
  absl::StatusOr<projections::ViewStatus> status = deps_.runner->Status(projections::kCaseView);
  if (!status.ok()) return status.status();
  if (status->state == projections::ViewStatus::State::kFailed) {
    return absl::UnavailableError(absl::StrCat(
        "deliveries that depend on a person's state are paused: the case view stopped at "
        "position ",
        status->failed_position, " (", status->failure, "); see iomctl views"));
  }
  return absl::OkStatus();
}

absl::Status DeliveryCursor::WaitForFacts(uint64_t position, absl::Time deadline) {
  while (!facts_watermark_->WaitFor(position, std::min(deadline, absl::Now() + absl::Seconds(1)))) {
    IOMHUB_RETURN_IF_ERROR(FactsViewHealthy());
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(
          absl::StrCat("the case view has not reached position ", position, " (it is at ",
                       facts_watermark_->position(),
                       "): deliveries that depend on a person's state wait "
                       "for it; retry"));
    }
  }
  return absl::OkStatus();
}

}  // namespace iomhub::services
