// CaseService.GetDecisionsBoard: a team's breach considerations, from the
// decisions_board view (which considerations a team has) joined with the
// case view (what each holds), filtered like a case view.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/timestamps.h"
#include "projections/case_view_projection.h"
#include "projections/decisions_board.h"
#include "projections/person_state.h"
#include "services/admission.h"
#include "services/case_service.h"
#include "services/audit_trail.h"

#include "common/status_macros.h"
#include "services/delivery_cursor.h"
#include "services/disclosed_state.h"
#include "services/grpc_status.h"
#include "services/unary_call.h"
#include "services/view_query.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

using Consideration = v1::PersonState::BreachConsideration;

// When the recipient receives every step of a decision whole and
// unconditionally, the case view's state stands for what it may know.
constexpr int kDecisionStepTypes[] = {
    v1::Event::kBreachConsiderationOpenedFieldNumber, v1::Event::kPositionRecordedFieldNumber,
    v1::Event::kDecisionEscalatedFieldNumber, v1::Event::kJointDecisionRecordedFieldNumber,
    v1::Event::kBreachConsiderationWithdrawnFieldNumber};

std::vector<std::string> WaitingFor(const Consideration& bc) {
  if (bc.has_escalation()) {
    return {bc.escalation().to_role() == "head_of_pdu" ? "the head of PDU's decision"
                                                       : "the inspector's decision"};
  }
  const v1::PersonState::Position* police = nullptr;
  const v1::PersonState::Position* probation = nullptr;
  for (const auto& p : bc.positions()) {
    if (p.by().agency() == v1::AGENCY_KIND_POLICE) police = &p;
    if (p.by().agency() == v1::AGENCY_KIND_PROBATION) probation = &p;
  }
  std::vector<std::string> out;
  if (police == nullptr) out.push_back("the police Sergeant's position");
  if (probation == nullptr) out.push_back("the Senior Probation Officer's position");
  if (!out.empty()) return out;
  if (police->position() != probation->position() ||
      police->alternative() != probation->alternative()) {
    return {"an escalation (the positions differ)"};
  }
  return {"the joint decision"};
}

absl::Time ClosedAt(const Consideration& bc) {
  return ToTime(bc.status() == Consideration::STATUS_DECIDED ? bc.decision().at()
                                                             : bc.withdrawn_at());
}

uint32_t Days(absl::Duration d) {
  return static_cast<uint32_t>(std::max<int64_t>(0, absl::ToInt64Hours(d) / 24));
}

}  // namespace

grpc::ServerUnaryReactor* CaseServiceImpl::GetDecisionsBoard(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* raw_request,
                                                             grpc::ByteBuffer* raw_response) {
  v1::GetDecisionsBoardRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kQueryCases, "GetDecisionsBoard");
  const v1::Team* team = nullptr;
  if (actor.ok()) {
    team = hub_->teams().FindTeam(request.team_id());
    if (team == nullptr) {
      actor = absl::NotFoundError(
          absl::StrCat("no IOM team \"", request.team_id(), "\" in the hub's teams file"));
    }
  }
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  auto cursor = std::make_shared<DeliveryCursor>(*actor, hub_->delivery());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunViewQuery(
      hub_->runner(), hub_->executor(), context, reactor,
      {projections::kDecisionsBoard, projections::kCaseView}, request.min_position(),
      [hub = hub_, request, team, cursor, raw_response,
       channel = ChannelOf(*context, "iomhub.v1.CaseService/GetDecisionsBoard")]() -> absl::Status {
        const uint64_t position =
            std::min((*hub->runner().Watermark(projections::kDecisionsBoard))->position(),
                     (*hub->runner().Watermark(projections::kCaseView))->position());
        absl::StatusOr<std::string> board =
            hub->runner().PhysicalView(projections::kDecisionsBoard);
        absl::StatusOr<std::string> case_view = hub->runner().PhysicalView(projections::kCaseView);
        if (!board.ok()) return board.status();
        if (!case_view.ok()) return case_view.status();
        absl::StatusOr<std::vector<projections::BoardEntry>> entries =
            projections::TeamBoard(hub->views(), *board, request.team_id());
        if (!entries.ok()) return entries.status();
        std::map<std::string, std::vector<projections::BoardEntry>> by_person;
        for (auto& e : *entries) {
          if (e.open || request.include_closed()) by_person[e.person_id].push_back(e);
        }
        const absl::Time as_of = AsOf(request.as_of(), hub->clock());
        const uint32_t overdue_days = hub->rules().ForArea(team->area_id()).breach_decision_days;
        const bool whole = cursor->plan().FirstNotWholeOnPeek(kDecisionStepTypes) == 0;
        v1::GetDecisionsBoardResponse response;
        *response.mutable_team() = *team;
        for (const auto& [person, items] : by_person) {
          absl::StatusOr<v1::PersonState> state =
              whole ? projections::ReadPersonState(hub->views(), *case_view, person)
                    : DisclosedState(*hub, *cursor, person, position);
          if (absl::IsNotFound(state.status())) continue;  // nothing of them reaches the caller
          if (!state.ok()) return state.status();
          for (const projections::BoardEntry& entry : items) {
            const Consideration* bc =
                projections::FindConsideration(*state, entry.consideration_id);
            if (bc == nullptr || !bc->has_opened_at()) continue;  // not disclosed to the caller
            const bool open = bc->status() == Consideration::STATUS_OPEN;
            if (!open && !request.include_closed()) continue;
            v1::BoardItem* item = open ? response.add_open() : response.add_closed();
            item->set_person_id(person);
            *item->mutable_consideration() = *bc;
            const absl::Time opened = ToTime(bc->opened_at());
            item->set_age_days(Days((open ? as_of : ClosedAt(*bc)) - opened));
            if (open) {
              for (std::string& w : WaitingFor(*bc)) item->add_waiting_for(std::move(w));
              item->set_overdue(as_of - opened >= absl::Hours(24 * overdue_days));
            }
          }
        }
        std::sort(response.mutable_open()->begin(), response.mutable_open()->end(),
                  [](const v1::BoardItem& a, const v1::BoardItem& b) {
                    return ToTime(a.consideration().opened_at()) <
                           ToTime(b.consideration().opened_at());
                  });
        std::sort(response.mutable_closed()->begin(), response.mutable_closed()->end(),
                  [](const v1::BoardItem& a, const v1::BoardItem& b) {
                    return ClosedAt(a.consideration()) > ClosedAt(b.consideration());
                  });
        response.set_view_position(position);
        // The people shown and the board, not every event looked at.
        cursor->disclosed().Clear();
        std::vector<std::string> shown;
        for (const auto* items : {&response.open(), &response.closed()}) {
          for (const v1::BoardItem& item : *items) {
            if (shown.empty() || shown.back() != item.person_id()) shown.push_back(item.person_id());
          }
        }
        std::sort(shown.begin(), shown.end());
        shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
        IOMHUB_RETURN_IF_ERROR(hub->audit().RecordConsultation(
            cursor->recipient(), channel, {projections::kDecisionsBoard}, shown));
        *raw_response = ToByteBuffer(response);
        return absl::OkStatus();
      });
  return reactor;
}

}  // namespace iomhub::services
