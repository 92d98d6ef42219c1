#include "clients/iomctl/decision_command.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/iomctl/query_flags.h"
#include "common/ids.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "iomhub/v1/decision_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

using Consideration = v1::PersonState::BreachConsideration;

std::string Status(const Consideration& bc) {
  return Short(Consideration::Status_descriptor(), bc.status(), "STATUS_");
}

std::string Position(const v1::PersonState::Position& p) {
  return absl::StrCat(Short(v1::EnforcementPosition_descriptor(), p.position(),
                            "ENFORCEMENT_POSITION_"),
                      p.alternative().empty() ? "" : absl::StrCat(" (", p.alternative(), ")"), " by ",
                      p.by().role(), " ", p.by().user_id());
}

std::string Describe(const Consideration& bc) {
  std::string police = "-", probation = "-";
  for (const auto& p : bc.positions()) {
    if (p.by().agency() == v1::AGENCY_KIND_POLICE) police = Position(p);
    if (p.by().agency() == v1::AGENCY_KIND_PROBATION) probation = Position(p);
  }
  std::string out = absl::StrCat(
      bc.consideration_id(), " (", Short(v1::BreachTrigger_descriptor(), bc.trigger(), "BREACH_TRIGGER_"),
      bc.order_ref().empty() ? "" : absl::StrCat(", order ", bc.order_ref()), "), opened ",
      Day(bc.opened_at()), ": ", Status(bc), "\n      police: ", police, "\n      probation: ",
      probation);
  if (bc.has_escalation()) {
    absl::StrAppend(&out, "\n      escalated to the ", bc.escalation().to_role(), " on ",
                    Day(bc.escalation().at()), ": ", bc.escalation().reason());
  }
  if (bc.status() == Consideration::STATUS_DECIDED) {
    absl::StrAppend(&out, "\n      decided: ",
                    Short(v1::EnforcementPosition_descriptor(), bc.decision().decision(),
                          "ENFORCEMENT_POSITION_"),
                    bc.decision().by_escalation() ? " (on escalation)" : " (jointly)", " by ",
                    bc.decision().by().role(), " ", bc.decision().by().user_id(), " on ",
                    Day(bc.decision().at()), ": ", bc.decision().rationale());
  }
  if (bc.status() == Consideration::STATUS_WITHDRAWN) {
    absl::StrAppend(&out, "\n      withdrawn on ", Day(bc.withdrawn_at()), ": ",
                    bc.withdrawal_reason());
  }
  return out;
}

absl::StatusOr<v1::EnforcementPosition> ParsePosition(absl::string_view flag, absl::string_view text) {
  return ParseEnumFlag<v1::EnforcementPosition>(flag, text, "ENFORCEMENT_POSITION_",
                                                v1::EnforcementPosition_Parse);
}

}  // namespace

std::string SummarizeDecision(const v1::DecisionResponse& response) {
  return absl::StrCat(response.idempotent_replay() ? "already recorded" : "recorded",
                      " at log position ", response.position(), " (stream version ",
                      response.stream_version(), ")\n  ", Describe(response.consideration()), "\n");
}

std::string SummarizeBoard(const v1::GetDecisionsBoardResponse& response) {
  std::string out = absl::StrCat(response.team().name(), " (", response.team().id(),
                                 "): decisions board, ", response.open_size(), " open, ",
                                 response.closed_size(), " closed shown\n");
  for (const v1::BoardItem& item : response.open()) {
    absl::StrAppend(&out, "  OPEN ", item.age_days(), " days", item.overdue() ? " OVERDUE" : "",
                    "  person ", item.person_id(), "  waiting for ",
                    absl::StrJoin(item.waiting_for(), ", "), "\n    ", Describe(item.consideration()),
                    "\n");
  }
  for (const v1::BoardItem& item : response.closed()) {
    absl::StrAppend(&out, "  ", absl::AsciiStrToUpper(Status(item.consideration())), "  person ",
                    item.person_id(), "\n    ", Describe(item.consideration()), "\n");
  }
  absl::StrAppend(&out, "(the views reflect the log to position ", response.view_position(), ")\n");
  return out;
}

int RunDecide(const CommandEnv& env, const DecideOptions& o) {
  if (o.person_id.empty() || o.consideration_id.empty()) {
    return ReportUsageError(env, "decide needs --person=UUID and --consideration=ID");
  }
  v1::DecisionCommand command;
  command.set_person_id(o.person_id);
  command.set_consideration_id(o.consideration_id);
  command.set_command_id(o.command_id.empty() ? NewUuid() : o.command_id);
  if (o.command_id.empty()) {
    *env.err << "iomctl: command id " << command.command_id()
             << " (retry with --command_id=" << command.command_id() << ")\n";
  }
  if (!o.occurred_at.empty()) {
    if (absl::Status s = ParseAsOf(o.occurred_at, command.mutable_occurred_at()); !s.ok()) {
      return ReportUsageError(env, s.message());
    }
  }
  if (o.expected_version.has_value()) command.set_expected_version(*o.expected_version);
  auto stub = v1::DecisionService::NewStub(env.channel);
  v1::DecisionResponse response;
  auto call = [&](auto method, const auto& request) {
    return Unary(
        env,
        [&](grpc::ClientContext* c, v1::DecisionResponse* r) {
          return (stub.get()->*method)(c, request, r);
        },
        &response);
  };
  int code = kExitOk;
  if (o.step == "open") {
    v1::OpenConsiderationRequest request;
    *request.mutable_command() = command;
    absl::StatusOr<v1::BreachTrigger> trigger = ParseEnumFlag<v1::BreachTrigger>(
        "trigger", o.trigger, "BREACH_TRIGGER_", v1::BreachTrigger_Parse);
    if (!trigger.ok()) return ReportUsageError(env, trigger.status().message());
    request.set_trigger(*trigger);
    request.set_order_ref(o.order_ref);
    request.set_summary(o.summary_text);
    for (uint64_t p : o.evidence) request.add_evidence_positions(p);
    code = call(&v1::DecisionService::Stub::OpenConsideration, request);
  } else if (o.step == "position") {
    v1::RecordPositionRequest request;
    *request.mutable_command() = command;
    absl::StatusOr<v1::EnforcementPosition> position = ParsePosition("action", o.position);
    if (!position.ok()) return ReportUsageError(env, position.status().message());
    request.set_position(*position);
    request.set_alternative(o.alternative);
    request.set_rationale(o.rationale);
    code = call(&v1::DecisionService::Stub::RecordPosition, request);
  } else if (o.step == "escalate") {
    v1::EscalateRequest request;
    *request.mutable_command() = command;
    request.set_to_role(o.to_role);
    request.set_reason(o.reason);
    code = call(&v1::DecisionService::Stub::Escalate, request);
  } else if (o.step == "record") {
    v1::RecordDecisionRequest request;
    *request.mutable_command() = command;
    absl::StatusOr<v1::EnforcementPosition> decision = ParsePosition("action", o.position);
    if (!decision.ok()) return ReportUsageError(env, decision.status().message());
    request.set_decision(*decision);
    request.set_alternative(o.alternative);
    request.set_rationale(o.rationale);
    request.set_manager_override_reason(o.override_reason);
    code = call(&v1::DecisionService::Stub::RecordDecision, request);
  } else if (o.step == "withdraw") {
    v1::WithdrawRequest request;
    *request.mutable_command() = command;
    request.set_reason(o.reason);
    code = call(&v1::DecisionService::Stub::Withdraw, request);
  } else {
    return ReportUsageError(env, absl::StrCat("decide needs a step: open, position, escalate, "
                                              "record or withdraw (got \"", o.step, "\")"));
  }
  if (code != kExitOk) return code;
  return PrintResponse(env, response, o.summary, &SummarizeDecision);
}

int RunBoard(const CommandEnv& env, const BoardOptions& o) {
  if (o.team_id.empty()) return ReportUsageError(env, "--team is required");
  v1::GetDecisionsBoardRequest request;
  request.set_team_id(o.team_id);
  request.set_include_closed(o.include_closed);
  request.set_min_position(o.min_position);
  if (absl::Status s = ParseAsOf(o.as_of, request.mutable_as_of()); !s.ok()) {
    return ReportUsageError(env, s.message());
  }
  auto stub = v1::CaseService::NewStub(env.channel);
  v1::GetDecisionsBoardResponse response;
  const int code = Unary(
      env,
      [&](grpc::ClientContext* c, v1::GetDecisionsBoardResponse* r) {
        return stub->GetDecisionsBoard(c, request, r);
      },
      &response);
  if (code != kExitOk) return code;
  return PrintResponse(env, response, o.summary, &SummarizeBoard);
}

}  // namespace iomhub::iomctl
