#include "services/decision_service.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "common/timestamps.h"
#include "projections/decisions_board.h"
#include "projections/person_state.h"
#include "services/admission.h"
#include "services/append_judge.h"
#include "services/audit_trail.h"
#include "services/auth.h"
#include "services/grpc_status.h"
#include "services/unary_call.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

using Consideration = v1::PersonState::BreachConsideration;

bool IdChar(char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '/';
}

absl::Status CheckCommand(const v1::DecisionCommand& c) {
  if (!IsCanonicalUuid(c.person_id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("command.person_id \"", c.person_id(), "\" is not a UUID"));
  }
  if (c.consideration_id().empty() || c.consideration_id().size() > 100 ||
      !std::all_of(c.consideration_id().begin(), c.consideration_id().end(), IdChar)) {
    return absl::InvalidArgumentError(
        "command.consideration_id is required: 1 to 100 of A-Z a-z 0-9 - _ . : /");
  }
  if (!IsCanonicalUuid(c.command_id()) || IsNilUuid(c.command_id())) {
    return absl::InvalidArgumentError(
        "command.command_id is required: a UUID you choose, the same on a retry");
  }
  return absl::OkStatus();
}

// A version the caller pinned that the stream has moved past: ABORTED, so a
// client tells "re-read and retry" from "not allowed now".
absl::Status AsConflict(const absl::Status& status, bool pinned) {
  if (!pinned || !absl::IsFailedPrecondition(status) ||
      !absl::StrContains(status.message(), "expected version")) {
    return status;
  }
  return absl::AbortedError(absl::StrCat(status.message(),
                                         ": another step was recorded first; read the person's "
                                         "stream again and decide on what it holds"));
}

}  // namespace

DecisionServiceImpl::DecisionServiceImpl(HubContext* hub) : hub_(hub) {}

template <typename Request>
grpc::ServerUnaryReactor* DecisionServiceImpl::Handle(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* raw_request,
                                                      grpc::ByteBuffer* raw_response,
                                                      const char* method, Fill<Request> fill) {
  Request request;
  absl::StatusOr<v1::Actor> actor =
      OpenUnaryCall(*hub_, context, raw_request, &request, Operation::kDecide, method);
  if (actor.ok()) {
    if (absl::Status ok = CheckCommand(request.command()); !ok.ok()) {
      hub_->metrics().RecordRejected(method, ok.code());
      actor = ok;
    }
  }
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  const v1::DecisionCommand& command = request.command();
  v1::Event event;
  // The same command from the same system is the same event.
  event.set_event_id(
      NameBasedUuid(kIomhubNamespace, absl::StrCat("decision/", actor->system(), "/",
                                                   absl::AsciiStrToLower(command.command_id()))));
  // An unset (or zero) occurred_at is now: a client meant "now", not 1970.
  const bool given = command.has_occurred_at() &&
                     (command.occurred_at().seconds() != 0 || command.occurred_at().nanos() != 0);
  *event.mutable_occurred_at() = given ? command.occurred_at() : ToTimestamp(hub_->clock()->Now());
  *event.mutable_producer() = ProducerOf(*actor);
  event.set_handling(v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_PERSONAL);
  event.set_correlation_id(command.consideration_id());
  fill(request, *actor, event);
  // Who may produce what applies here as on EventService.Append.
  if (absl::Status allowed = hub_->sharing().producers()->Check(*actor, event); !allowed.ok()) {
    hub_->metrics().RecordRejected(method, absl::StatusCode::kPermissionDenied);
    return FinishUnaryCall(context, absl::PermissionDeniedError(allowed.message()));
  }
  const std::string stream = absl::StrCat("person-", absl::AsciiStrToLower(command.person_id()));
  const bool pinned = command.has_expected_version();
  const eventstore::Expected expected =
      pinned ? eventstore::Expected::Exact(command.expected_version())
             : eventstore::Expected::Any();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto finish = [this, reactor, raw_response, method, caller = *actor,
                 person = absl::AsciiStrToLower(command.person_id()),
                 channel = ChannelOf(*context, absl::StrCat("iomhub.v1.DecisionService/", method))](
                    absl::Status status, v1::DecisionResponse response) {
    if (!status.ok()) {
      hub_->metrics().RecordRejected(method, status.code());
      reactor->Finish(ToGrpcStatus(status));
      return;
    }
    // The answer shows the consideration as it stands: a consultation,
    // recorded (on the executor: it waits for an fsync) before it leaves.
    hub_->executor().Schedule(
        [this, reactor, raw_response, caller, person, channel, response = std::move(response)] {
          absl::Status recorded = hub_->audit().RecordConsultation(
              caller, channel, {projections::kDecisionsBoard}, {person});
          if (recorded.ok()) *raw_response = ToByteBuffer(response);
          reactor->Finish(ToGrpcStatus(recorded));
        });
  };
  // The answer to a command already recorded: its event, and the
  // consideration as it stands now.
  auto replay =
      [hub = hub_, stream, consideration = command.consideration_id(),
       type = event.payload_case()](uint64_t position) -> absl::StatusOr<v1::DecisionResponse> {
    absl::StatusOr<eventstore::ReadBatch> read = hub->log().ReadAll(position, 1);
    if (!read.ok()) return read.status();
    if (read->events.empty()) return absl::InternalError("a stored event could not be read back");
    const v1::Event& stored = read->events[0];
    if (stored.stream() != stream || stored.payload_case() != type) {
      return absl::AlreadyExistsError(
          absl::StrCat("command_id was already used for another command (position ", position,
                       "); choose a new command_id for a new command"));
    }
    v1::DecisionResponse response;
    response.set_position(stored.position());
    response.set_stream_version(stored.stream_version());
    response.set_idempotent_replay(true);
    absl::StatusOr<PersonCommands::Current> now = hub->commands().Read(stream);
    if (!now.ok()) return now.status();
    if (const Consideration* bc = projections::FindConsideration(now->state, consideration)) {
      *response.mutable_consideration() = *bc;
    }
    return response;
  };
  hub_->executor().Schedule([this, stream, expected, pinned, event, actor = *actor, finish,
                             replay]() mutable {
    absl::StatusOr<std::optional<uint64_t>> stored = hub_->log().PositionOfEvent(event.event_id());
    if (!stored.ok()) return finish(stored.status(), {});
    if (stored->has_value()) {
      absl::StatusOr<v1::DecisionResponse> r = replay(**stored);
      return finish(r.status(), r.value_or(v1::DecisionResponse()));
    }
    auto after = std::make_shared<Consideration>();
    const std::string event_id = event.event_id();
    const std::string consideration = event.correlation_id();
    hub_->commands().Append(
        stream, expected, {event},
        [this, actor, after, consideration](const PersonCommands::Current& current,
                                            std::vector<v1::Event>* events) -> absl::Status {
          // A decision after an escalation is the escalated manager's.
          v1::Event& e = (*events)[0];
          if (e.has_joint_decision_recorded()) {
            const Consideration* bc = projections::FindConsideration(current.state, consideration);
            e.mutable_joint_decision_recorded()->set_by_escalation(bc != nullptr &&
                                                                   bc->has_escalation());
          }
          v1::PersonState state;
          IOMHUB_RETURN_IF_ERROR(JudgeAppend(*hub_, actor, *events, current, &state));
          if (const Consideration* bc = projections::FindConsideration(state, consideration))
            *after = *bc;
          return absl::OkStatus();
        },
        [this, finish, replay, after, pinned,
         event_id](absl::StatusOr<eventstore::AppendResult> result) mutable {
          if (result.ok()) {
            v1::DecisionResponse response;
            response.set_position(result->last_position);
            response.set_stream_version(result->last_stream_version);
            response.set_idempotent_replay(result->idempotent_replay);
            *response.mutable_consideration() = *after;
            return finish(absl::OkStatus(), std::move(response));
          }
          // The same command racing itself (a client retrying before the
          // first answer): the first one's result, not a refusal.
          const absl::Status refused = AsConflict(result.status(), pinned);
          hub_->executor().Schedule([this, finish, replay, refused, event_id]() mutable {
            absl::StatusOr<std::optional<uint64_t>> now = hub_->log().PositionOfEvent(event_id);
            if (now.ok() && now->has_value()) {
              absl::StatusOr<v1::DecisionResponse> r = replay(**now);
              return finish(r.status(), r.value_or(v1::DecisionResponse()));
            }
            finish(refused, {});
          });
        });
  });
  return reactor;
}

grpc::ServerUnaryReactor* DecisionServiceImpl::OpenConsideration(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::OpenConsiderationRequest>(
      context, request, response, "OpenConsideration",
      [](const v1::OpenConsiderationRequest& r, const v1::Actor&, v1::Event& e) {
        v1::BreachConsiderationOpened* p = e.mutable_breach_consideration_opened();
        p->set_consideration_id(r.command().consideration_id());
        p->set_trigger(r.trigger());
        p->set_order_ref(r.order_ref());
        p->set_summary(r.summary());
        *p->mutable_evidence_positions() = r.evidence_positions();
      });
}

grpc::ServerUnaryReactor* DecisionServiceImpl::RecordPosition(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return Handle<v1::RecordPositionRequest>(
      context, request, response, "RecordPosition",
      [](const v1::RecordPositionRequest& r, const v1::Actor&, v1::Event& e) {
        v1::PositionRecorded* p = e.mutable_position_recorded();
        p->set_consideration_id(r.command().consideration_id());
        p->set_position(r.position());
        p->set_alternative(r.alternative());
        p->set_rationale(r.rationale());
      });
}

grpc::ServerUnaryReactor* DecisionServiceImpl::Escalate(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return Handle<v1::EscalateRequest>(
      context, request, response, "Escalate",
      [](const v1::EscalateRequest& r, const v1::Actor& actor, v1::Event& e) {
        v1::DecisionEscalated* p = e.mutable_decision_escalated();
        p->set_consideration_id(r.command().consideration_id());
        std::string to = r.to_role();
        if (to.empty())
          to = actor.agency() == v1::AGENCY_KIND_PROBATION ? "head_of_pdu" : "inspector";
        p->set_escalated_to_role(to);
        p->set_reason(r.reason());
      });
}

grpc::ServerUnaryReactor* DecisionServiceImpl::RecordDecision(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return Handle<v1::RecordDecisionRequest>(
      context, request, response, "RecordDecision",
      [](const v1::RecordDecisionRequest& r, const v1::Actor&, v1::Event& e) {
        v1::JointDecisionRecorded* p = e.mutable_joint_decision_recorded();
        p->set_consideration_id(r.command().consideration_id());
        p->set_decision(r.decision());
        p->set_alternative(r.alternative());
        p->set_rationale(r.rationale());
        p->set_manager_override_reason(r.manager_override_reason());
      });
}

grpc::ServerUnaryReactor* DecisionServiceImpl::Withdraw(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return Handle<v1::WithdrawRequest>(
      context, request, response, "Withdraw",
      [](const v1::WithdrawRequest& r, const v1::Actor&, v1::Event& e) {
        v1::BreachConsiderationWithdrawn* p = e.mutable_breach_consideration_withdrawn();
        p->set_consideration_id(r.command().consideration_id());
        p->set_reason(r.reason());
      });
}

}  // namespace iomhub::services
