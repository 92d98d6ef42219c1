#include "services/case_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "eventstore/message_checks.h"
#include "projections/calendar.h"
#include "projections/case_view.h"
#include "projections/case_view_projection.h"
#include "projections/cohort_view.h"
#include "projections/identifier_index.h"
#include "eventstore/event_types.h"
#include "projections/person_state.h"
#include "services/admission.h"
#include "services/audit_trail.h"
#include "services/unary_call.h"
#include "services/delivery_cursor.h"
#include "services/disclosed_state.h"
#include "services/grpc_status.h"
#include "services/view_query.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

// A lookup by identifier: never the NHS number (not a join key), and only
// a kind the agreements in force let the caller see.
absl::Status CheckIdentifier(const DeliveryCursor& cursor, const v1::IdentifierRef& identifier) {
  if (identifier.kind() == v1::IDENTIFIER_KIND_NHS) {
    return absl::PermissionDeniedError(
        "the NHS number is never a join key: it stays in the health partition");
  }
  if (identifier.kind() == v1::IDENTIFIER_KIND_UNSPECIFIED || identifier.value().empty()) {
    return absl::InvalidArgumentError("identifier needs a kind and a value");
  }
  if (!cursor.plan().SeesIdentifier(identifier.kind())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "no agreement in force lets ", v1::AgencyKind_Name(cursor.recipient().agency()), " see ",
        v1::IdentifierKind_Name(identifier.kind()), " identifiers; look the person up by one of "
        "your own, or by hub person id"));
  }
  return absl::OkStatus();
}

bool HasIdentifier(const v1::PersonState& state, const v1::IdentifierRef& identifier) {
  for (const auto& id : state.identifiers()) {
    if (id.kind() == identifier.kind() && id.value() == identifier.value()) return true;
  }
  return false;
}

// The event types a cohort list's figures come from: a recipient receives
// cohort lists only if it receives all of them whole.
constexpr int kCohortListTypes[] = {
    v1::Event::kNominalReferredFieldNumber,     v1::Event::kCohortSelectedFieldNumber,
    v1::Event::kCohortChangedFieldNumber,       v1::Event::kNominalDeselectedFieldNumber,
    v1::Event::kTeamChangedFieldNumber,         v1::Event::kContactPlanSetFieldNumber,
    v1::Event::kReviewCompletedFieldNumber,     v1::Event::kContactScheduledFieldNumber,
    v1::Event::kContactOutcomeRecordedFieldNumber, v1::Event::kWarningIssuedFieldNumber,
    v1::Event::kBreachConsiderationOpenedFieldNumber, v1::Event::kPositionRecordedFieldNumber,
    v1::Event::kJointDecisionRecordedFieldNumber, v1::Event::kReferralSentFieldNumber,
    v1::Event::kReferralOutcomeRecordedFieldNumber, v1::Event::kAlertRaisedFieldNumber,
    v1::Event::kAlertResolvedFieldNumber};

absl::Status CheckCohortListAllowed(const DeliveryCursor& cursor) {
  if (const int field = cursor.plan().FirstNotWholeOnPeek(kCohortListTypes); field != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cohort lists show contact plans, contacts, enforcement, referrals and alerts of every "
        "person in a team; no agreement in force gives ",
        v1::AgencyKind_Name(cursor.recipient().agency()), " all of ",
        eventstore::EventTypes::Get().NameForField(field),
        " unconditionally. Ask for one person's case instead (GetCase)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResolvePerson(HubContext& hub, const v1::GetCaseRequest& request) {
  if (request.person_case() == v1::GetCaseRequest::kPersonId) {
    std::string id = absl::AsciiStrToLower(request.person_id());
    if (!IsCanonicalUuid(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("person_id \"", request.person_id(), "\" is not a UUID"));
    }
    return id;
  }
  absl::StatusOr<std::string> index = hub.runner().PhysicalView(projections::kIdentifierIndex);
  if (!index.ok()) return index.status();
  return projections::LookUpPerson(hub.views(), *index, request.identifier().kind(),
                                   request.identifier().value());
}

}  // namespace

CaseServiceImpl::CaseServiceImpl(HubContext* hub) : hub_(hub) {}

grpc::ServerUnaryReactor* CaseServiceImpl::GetCase(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* raw_request,
                                                   grpc::ByteBuffer* raw_response) {
  v1::GetCaseRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kQueryCases, "GetCase");
  if (actor.ok() && request.person_case() == v1::GetCaseRequest::PERSON_NOT_SET) {
    actor = absl::InvalidArgumentError("say whose case: person_id or identifier");
  }
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  auto cursor = std::make_shared<DeliveryCursor>(*actor, hub_->delivery());
  if (request.has_identifier()) {
    absl::Status allowed = CheckIdentifier(*cursor, request.identifier());
    if (!allowed.ok()) return FinishUnaryCall(context, allowed);
  }
  std::vector<std::string> views = {projections::kCaseView};
  if (request.has_identifier()) views.push_back(projections::kIdentifierIndex);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunViewQuery(
      hub_->runner(), hub_->executor(), context, reactor, std::move(views), request.min_position(),
      [hub = hub_, request, cursor, raw_response,
       channel = ChannelOf(*context, "iomhub.v1.CaseService/GetCase")]() -> absl::Status {
        const uint64_t position = (*hub->runner().Watermark(projections::kCaseView))->position();
        absl::StatusOr<std::string> person = ResolvePerson(*hub, request);
        if (!person.ok()) return person.status();
        absl::StatusOr<v1::PersonState> state = DisclosedState(*hub, *cursor, *person, position);
        if (!state.ok()) return state.status();
        // A lookup by identifier finds only people whose identifier the caller may see.
        if (request.has_identifier() && !HasIdentifier(*state, request.identifier())) {
          return NoCaseFor(*person);
        }
        absl::StatusOr<v1::CaseView> rendered =
            projections::RenderCaseView(*state, AsOf(request.as_of(), hub->clock()));
        if (!rendered.ok()) return rendered.status();
        rendered->set_view_position(position);
        v1::GetCaseResponse response;
        *response.mutable_case_view() = std::move(*rendered);
        if (const v1::Team* team = hub->teams().FindTeam(state->team_id())) {
          *response.mutable_team() = *team;
        }
        // The case view shows what the events folded into it say: the
        // record names them (positions), durably, before it leaves.
        IOMHUB_RETURN_IF_ERROR(hub->audit().RecordConsultation(
            cursor->recipient(), channel, {projections::kCaseView}, {*person}, cursor.get()));
        *raw_response = ToByteBuffer(response);
        return absl::OkStatus();
      });
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCohort(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* raw_request,
                                                      grpc::ByteBuffer* raw_response) {
  v1::ListCohortRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kQueryCases, "ListCohort");
  const v1::Team* team = nullptr;
  if (actor.ok()) {
    absl::Status allowed = CheckCohortListAllowed(DeliveryCursor(*actor, hub_->delivery()));
    if (!allowed.ok()) actor = allowed;
  }
  if (actor.ok()) {
    team = hub_->teams().FindTeam(request.team_id());
    if (team == nullptr) {
      actor = absl::NotFoundError(absl::StrCat("no IOM team \"", request.team_id(),
                                               "\" in the hub's teams file"));
    }
  }
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunViewQuery(
      hub_->runner(), hub_->executor(), context, reactor,
      {projections::kCohortView, projections::kCaseView}, request.min_position(),
      [hub = hub_, request, team, raw_response, actor = *actor,
       channel = ChannelOf(*context, "iomhub.v1.CaseService/ListCohort")]() -> absl::Status {
        const uint64_t position = std::min(
            (*hub->runner().Watermark(projections::kCohortView))->position(),
            (*hub->runner().Watermark(projections::kCaseView))->position());
        absl::StatusOr<std::string> cohort_view = hub->runner().PhysicalView(projections::kCohortView);
        absl::StatusOr<std::string> case_view = hub->runner().PhysicalView(projections::kCaseView);
        if (!cohort_view.ok()) return cohort_view.status();
        if (!case_view.ok()) return case_view.status();
        absl::StatusOr<std::vector<std::string>> members =
            projections::TeamMembers(hub->views(), *cohort_view, request.team_id());
        if (!members.ok()) return members.status();
        const absl::Time as_of = AsOf(request.as_of(), hub->clock());
        v1::ListCohortResponse response;
        *response.mutable_team() = *team;
        if (const v1::Area* area = hub->teams().FindArea(team->area_id())) {
          *response.mutable_area() = *area;
        }
        response.set_view_position(position);
        for (const std::string& person : *members) {
          absl::StatusOr<v1::PersonState> state =
              projections::ReadPersonState(hub->views(), *case_view, person);
          if (absl::IsNotFound(state.status())) continue;  // views at different positions
          if (!state.ok()) return state.status();
          const auto& cohort = state->cohort();
          if (!request.include_deselected() && !cohort.on_iom()) continue;
          if (request.cohort() != v1::COHORT_UNSPECIFIED && cohort.cohort() != request.cohort()) {
            continue;
          }
          if (request.strand() != v1::STRAND_UNSPECIFIED && cohort.strand() != request.strand()) {
            continue;
          }
          absl::StatusOr<v1::CaseView> view = projections::RenderCaseView(*state, as_of);
          if (!view.ok()) return view.status();
          v1::CohortMember* member = response.add_members();
          member->set_person_id(person);
          member->set_cohort(cohort.cohort());
          member->set_strand(cohort.strand());
          member->set_on_iom(cohort.on_iom());
          *member->mutable_selected_at() = cohort.selected_at();
          *member->mutable_this_week() = view->this_week();
          member->set_open_breach_considerations(view->open_breach_considerations());
          member->set_active_warnings(view->active_warnings());
          member->set_open_alerts(view->open_alerts());
          member->set_open_referrals(view->open_referral_count());
          member->set_overdue_referrals(view->overdue_referrals());
          std::vector<const v1::PersonState::Alert*> open;
          for (const auto& alert : state->alerts()) {
            if (alert.has_raised_at() && !alert.has_resolved_at()) open.push_back(&alert);
          }
          std::stable_sort(open.begin(), open.end(), [](const auto* a, const auto* b) {
            return a->severity() > b->severity();
          });
          for (const auto* alert : open) member->add_open_alert_rules(alert->rule());
          if (state->contact_plan().has_next_review_due()) {
            *member->mutable_next_review_due() = state->contact_plan().next_review_due();
          }
          response.set_week(view->this_week().week_label());
          if (view->this_week().below_plan()) response.set_below_plan(response.below_plan() + 1);
          if (view->open_breach_considerations() > 0) {
            response.set_with_open_enforcement(response.with_open_enforcement() + 1);
          }
        }
        if (response.week().empty()) {
          absl::StatusOr<projections::IsoWeek> week = projections::WeekOf(as_of);
          if (week.ok()) response.set_week(projections::WeekLabel(*week));
        }
        std::vector<std::string> shown;
        for (const v1::CohortMember& m : response.members()) shown.push_back(m.person_id());
        IOMHUB_RETURN_IF_ERROR(hub->audit().RecordConsultation(
            actor, channel, {projections::kCohortView}, shown));
        *raw_response = ToByteBuffer(response);
        return absl::OkStatus();
      });
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::FindPerson(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* raw_request,
                                                      grpc::ByteBuffer* raw_response) {
  v1::FindPersonRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kQueryCases, "FindPerson");
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  auto cursor = std::make_shared<DeliveryCursor>(*actor, hub_->delivery());
  absl::Status allowed = CheckIdentifier(*cursor, request.identifier());
  if (!allowed.ok()) return FinishUnaryCall(context, allowed);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunViewQuery(hub_->runner(), hub_->executor(), context, reactor,
               {projections::kIdentifierIndex, projections::kCaseView}, request.min_position(),
               [hub = hub_, request, cursor, raw_response,
                channel = ChannelOf(*context, "iomhub.v1.CaseService/FindPerson")]()
                   -> absl::Status {
                 const uint64_t position = std::min(
                     (*hub->runner().Watermark(projections::kIdentifierIndex))->position(),
                     (*hub->runner().Watermark(projections::kCaseView))->position());
                 absl::StatusOr<std::string> index =
                     hub->runner().PhysicalView(projections::kIdentifierIndex);
                 if (!index.ok()) return index.status();
                 absl::StatusOr<std::string> person = projections::LookUpPerson(
                     hub->views(), *index, request.identifier().kind(), request.identifier().value());
                 if (!person.ok()) return person.status();
                 // Found only if the identifier itself reaches the caller.
                 absl::StatusOr<v1::PersonState> state =
                     DisclosedState(*hub, *cursor, *person, position);
                 if (!state.ok() || !HasIdentifier(*state, request.identifier())) {
                   return absl::NotFoundError(absl::StrCat(
                       "no person with ", v1::IdentifierKind_Name(request.identifier().kind()),
                       " ", request.identifier().value(), " that you may see"));
                 }
                 // Only the hub person id is shown, not the events looked at.
                 cursor->disclosed().Clear();
                 IOMHUB_RETURN_IF_ERROR(hub->audit().RecordConsultation(
                     cursor->recipient(), channel, {projections::kIdentifierIndex}, {*person}));
                 v1::FindPersonResponse response;
                 response.set_person_id(*person);
                 response.set_view_position(position);
                 *raw_response = ToByteBuffer(response);
                 return absl::OkStatus();
               });
  return reactor;
}

}  // namespace iomhub::services
