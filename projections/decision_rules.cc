#include "projections/decision_rules.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "projections/enum_words.h"
#include "projections/person_state.h"

namespace iomhub::projections {
namespace {

using v1::PersonState;
using Consideration = PersonState::BreachConsideration;

std::string PositionWord(v1::EnforcementPosition position) {
  return EnumWords(v1::EnforcementPosition_Name(position), "ENFORCEMENT_POSITION_");
}

bool Blank(absl::string_view text) { return absl::StripAsciiWhitespace(text).empty(); }

// The consideration `id` if it has been opened.
const Consideration* Find(const PersonState& state, const std::string& id) {
  const Consideration* bc = FindConsideration(state, id);
  return bc != nullptr && bc->has_opened_at() ? bc : nullptr;
}

std::string Caller(const v1::Actor& actor) {
  return absl::StrCat(AgencyName(actor.agency()), " ", RoleName(actor.role()));
}

// The IOM managers of each agency: a police Sergeant, a Senior Probation
// Officer.
bool IsManager(const v1::Actor& actor) {
  return (actor.agency() == v1::AGENCY_KIND_POLICE && actor.role() == v1::ROLE_SERGEANT) ||
         (actor.agency() == v1::AGENCY_KIND_PROBATION &&
          actor.role() == v1::ROLE_SENIOR_PROBATION_OFFICER);
}

// Those a disagreement is escalated to: a police Inspector, the head of the
// probation delivery unit.
bool IsEscalationManager(const v1::Actor& actor) {
  return (actor.agency() == v1::AGENCY_KIND_POLICE && actor.role() == v1::ROLE_INSPECTOR) ||
         (actor.agency() == v1::AGENCY_KIND_PROBATION && actor.role() == v1::ROLE_HEAD_OF_PDU);
}

absl::Status NeedManager(const v1::Actor& actor, absl::string_view what) {
  if (IsManager(actor)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only the police Sergeant or the Senior Probation Officer may ", what,
                   "; the caller is ", Caller(actor)));
}

absl::Status CheckArea(const v1::Actor& actor, absl::string_view person_area) {
  if (person_area.empty() || actor.area() == person_area) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "the caller acts for area \"", actor.area(), "\"; the person's IOM team is in \"",
      person_area, "\": a decision is for the managers of the person's own area"));
}

// The consideration `id`, open; FAILED_PRECONDITION otherwise.
absl::StatusOr<const Consideration*> OpenConsideration(const PersonState& state,
                                                       const std::string& id) {
  const Consideration* bc = Find(state, id);
  if (bc == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("no breach consideration \"", id, "\" is open for the person: open it first"));
  }
  if (bc->status() == Consideration::STATUS_DECIDED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "breach consideration \"", id, "\" was decided (", PositionWord(bc->decision().decision()),
        ") by ", AgencyName(bc->decision().by().agency()), " ", bc->decision().by().role(), " ",
        bc->decision().by().user_id(), ": nothing more can be recorded on it"));
  }
  if (bc->status() == Consideration::STATUS_WITHDRAWN) {
    return absl::FailedPreconditionError(absl::StrCat("breach consideration \"", id,
                                                      "\" was withdrawn (", bc->withdrawal_reason(),
                                                      "): nothing more can be recorded on it"));
  }
  return bc;
}

const PersonState::Position* PositionOf(const Consideration& bc, v1::AgencyKind agency) {
  for (const PersonState::Position& p : bc.positions()) {
    if (p.by().agency() == agency) return &p;
  }
  return nullptr;
}

// What a joint decision without escalation is still waiting for ("" none).
std::string Missing(const Consideration& bc) {
  std::vector<std::string> missing;
  if (PositionOf(bc, v1::AGENCY_KIND_POLICE) == nullptr) {
    missing.push_back("the police Sergeant's position");
  }
  if (PositionOf(bc, v1::AGENCY_KIND_PROBATION) == nullptr) {
    missing.push_back("the Senior Probation Officer's position");
  }
  return absl::StrJoin(missing, " and ");
}

absl::Status NeedText(absl::string_view text, absl::string_view field, absl::string_view why) {
  if (!Blank(text)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, " is required: ", why));
}

absl::Status CheckPosition(v1::EnforcementPosition position, absl::string_view alternative,
                           absl::string_view field) {
  if (position == v1::ENFORCEMENT_POSITION_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is required: breach, recall, warn, no further action or alternative"));
  }
  if (position == v1::ENFORCEMENT_POSITION_ALTERNATIVE && Blank(alternative)) {
    return absl::InvalidArgumentError(
        "alternative is required with ENFORCEMENT_POSITION_ALTERNATIVE: name it (e.g. "
        "\"structured activity\")");
  }
  return absl::OkStatus();
}

absl::Status JudgeOpen(const PersonState& state, const v1::BreachConsiderationOpened& p,
                       const v1::Actor& actor) {
  if (Blank(p.consideration_id())) {
    return absl::InvalidArgumentError("consideration_id is required");
  }
  if (p.trigger() == v1::BREACH_TRIGGER_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "trigger is required: missed contacts, new offence, arrest, intelligence or the "
        "failures-to-comply limit");
  }
  if (actor.agency() != v1::AGENCY_KIND_POLICE && actor.agency() != v1::AGENCY_KIND_PROBATION) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a breach consideration is opened by police or probation; the caller is ", Caller(actor)));
  }
  if (Find(state, p.consideration_id()) != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "breach consideration \"", p.consideration_id(), "\" is already open for the person"));
  }
  return absl::OkStatus();
}

absl::Status JudgePosition(const PersonState& state, const v1::PositionRecorded& p,
                           const v1::Actor& actor) {
  if (absl::Status s = NeedManager(actor, "record a position"); !s.ok()) return s;
  if (absl::Status s = CheckPosition(p.position(), p.alternative(), "position"); !s.ok()) return s;
  if (absl::Status s = NeedText(p.rationale(), "rationale", "say why"); !s.ok()) return s;
  absl::StatusOr<const Consideration*> bc = OpenConsideration(state, p.consideration_id());
  if (!bc.ok()) return bc.status();
  if ((*bc)->has_escalation()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "breach consideration \"", p.consideration_id(), "\" was escalated to the ",
        (*bc)->escalation().to_role(), ": the decision is theirs, positions are closed"));
  }
  return absl::OkStatus();
}

absl::Status JudgeEscalation(const PersonState& state, const v1::DecisionEscalated& p,
                             const v1::Actor& actor) {
  if (absl::Status s = NeedManager(actor, "escalate a breach consideration"); !s.ok()) return s;
  if (p.escalated_to_role() != "inspector" && p.escalated_to_role() != "head_of_pdu") {
    return absl::InvalidArgumentError(absl::StrCat(
        "escalated_to_role must be \"inspector\" (police) or \"head_of_pdu\" (probation), not \"",
        p.escalated_to_role(), "\""));
  }
  if (absl::Status s = NeedText(p.reason(), "reason", "say what the disagreement is"); !s.ok()) {
    return s;
  }
  absl::StatusOr<const Consideration*> bc = OpenConsideration(state, p.consideration_id());
  if (!bc.ok()) return bc.status();
  if ((*bc)->has_escalation()) {
    return absl::FailedPreconditionError(
        absl::StrCat("breach consideration \"", p.consideration_id(),
                     "\" is already escalated to the ", (*bc)->escalation().to_role()));
  }
  if (const std::string missing = Missing(**bc); !missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("escalation settles a disagreement, and breach consideration \"",
                     p.consideration_id(), "\" is still waiting for ", missing));
  }
  const auto* police = PositionOf(**bc, v1::AGENCY_KIND_POLICE);
  const auto* probation = PositionOf(**bc, v1::AGENCY_KIND_PROBATION);
  if (police->position() == probation->position() &&
      police->alternative() == probation->alternative()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the police and probation positions agree (", PositionWord(police->position()),
                     "): record the joint decision instead of escalating"));
  }
  return absl::OkStatus();
}

absl::Status JudgeDecision(const PersonState& state, const v1::JointDecisionRecorded& p,
                           const v1::Actor& actor) {
  if (!IsManager(actor) && !IsEscalationManager(actor)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a joint decision is recorded by the police Sergeant or the Senior Probation Officer, or "
        "after an escalation by the Inspector or head of PDU; the caller is ",
        Caller(actor)));
  }
  if (absl::Status s = CheckPosition(p.decision(), p.alternative(), "decision"); !s.ok()) return s;
  if (absl::Status s = NeedText(p.rationale(), "rationale", "say why"); !s.ok()) return s;
  absl::StatusOr<const Consideration*> bc = OpenConsideration(state, p.consideration_id());
  if (!bc.ok()) return bc.status();
  if ((*bc)->has_escalation()) {
    const std::string& to = (*bc)->escalation().to_role();
    const bool right = IsEscalationManager(actor) &&
                       ((to == "inspector" && actor.agency() == v1::AGENCY_KIND_POLICE) ||
                        (to == "head_of_pdu" && actor.agency() == v1::AGENCY_KIND_PROBATION));
    if (!right) {
      return absl::PermissionDeniedError(absl::StrCat(
          "breach consideration \"", p.consideration_id(), "\" was escalated to the ",
          to == "inspector" ? "police inspector" : "head of the probation delivery unit",
          ", whose decision is final; the caller is ", Caller(actor)));
    }
    if (!p.by_escalation()) {
      return absl::InvalidArgumentError(
          "by_escalation must be true: the consideration was escalated");
    }
    return absl::OkStatus();
  }
  if (absl::Status s = NeedManager(actor, "record the joint decision"); !s.ok()) return s;
  if (p.by_escalation()) {
    return absl::FailedPreconditionError(
        absl::StrCat("breach consideration \"", p.consideration_id(), "\" was not escalated"));
  }
  if (const std::string missing = Missing(**bc); !missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("a joint decision needs both positions; breach consideration \"",
                     p.consideration_id(), "\" is still waiting for ", missing));
  }
  const auto* police = PositionOf(**bc, v1::AGENCY_KIND_POLICE);
  const auto* probation = PositionOf(**bc, v1::AGENCY_KIND_PROBATION);
  if (police->position() != probation->position() ||
      police->alternative() != probation->alternative()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the positions differ (police: ", PositionWord(police->position()),
                     ", probation: ", PositionWord(probation->position()),
                     "): escalate to the Inspector or the head of the probation delivery unit"));
  }
  if (p.decision() != police->position() || p.alternative() != police->alternative()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the joint decision is what both positions agree: ", PositionWord(police->position()),
        police->alternative().empty() ? "" : absl::StrCat(" (", police->alternative(), ")"),
        ", not ", PositionWord(p.decision())));
  }
  return absl::OkStatus();
}

absl::Status JudgeWithdrawal(const PersonState& state, const v1::BreachConsiderationWithdrawn& p,
                             const v1::Actor& actor) {
  if (!IsManager(actor) && !IsEscalationManager(actor)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only a police Sergeant or Inspector, or a Senior Probation Officer or head of PDU, may "
        "withdraw a breach consideration; the caller is ",
        Caller(actor)));
  }
  if (absl::Status s = NeedText(p.reason(), "reason", "say why it is withdrawn"); !s.ok()) {
    return s;
  }
  return OpenConsideration(state, p.consideration_id()).status();
}

}  // namespace

bool IsDecisionStep(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kBreachConsiderationOpened:
    case v1::Event::kPositionRecorded:
    case v1::Event::kDecisionEscalated:
    case v1::Event::kJointDecisionRecorded:
    case v1::Event::kBreachConsiderationWithdrawn:
      return true;
    default:
      return false;
  }
}

absl::Status JudgeDecisionStep(const PersonState& state, const v1::Event& event,
                               const v1::Actor& actor, absl::string_view person_area) {
  if (!IsDecisionStep(event)) return absl::OkStatus();
  // Who first: a caller from another area learns nothing of the case.
  if (absl::Status s = CheckArea(actor, person_area); !s.ok()) return s;
  absl::Status judged;
  switch (event.payload_case()) {
    case v1::Event::kBreachConsiderationOpened:
      judged = JudgeOpen(state, event.breach_consideration_opened(), actor);
      break;
    case v1::Event::kPositionRecorded:
      judged = JudgePosition(state, event.position_recorded(), actor);
      break;
    case v1::Event::kDecisionEscalated:
      judged = JudgeEscalation(state, event.decision_escalated(), actor);
      break;
    case v1::Event::kJointDecisionRecorded:
      judged = JudgeDecision(state, event.joint_decision_recorded(), actor);
      break;
    case v1::Event::kBreachConsiderationWithdrawn:
      judged = JudgeWithdrawal(state, event.breach_consideration_withdrawn(), actor);
      break;
    default:
      return absl::OkStatus();
  }
  return judged;
}

}  // namespace iomhub::projections
