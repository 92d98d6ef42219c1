#include "clients/iomctl/case_command.h"

#include "clients/iomctl/query_flags.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "iomhub/v1/case_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

std::string WeekLine(const v1::CaseView::ContactWeek& week) {
  return absl::StrCat("week ", week.week_label(), ": ", week.contacts_offered(),
                      " contacts offered, ", week.contacts_kept(), " kept, plan ",
                      week.plan_minimum(), week.plan_defaulted() ? " (default)" : "",
                      week.below_plan() ? "  BELOW PLAN" : "");
}

}  // namespace

std::string SummarizeCase(const v1::GetCaseResponse& response) {
  const v1::CaseView& view = response.case_view();
  const v1::PersonState& state = view.state();
  std::string out = absl::StrCat("person ", state.person_id());
  absl::StrAppend(&out, "  team ",
                  response.has_team() ? absl::StrCat(response.team().name(), " (", state.team_id(), ")")
                                      : state.team_id());
  const auto& cohort = state.cohort();
  absl::StrAppend(&out, "\n", Short(v1::Cohort_descriptor(), cohort.cohort(), "COHORT_"), " / ",
                  Short(v1::Strand_descriptor(), cohort.strand(), "STRAND_"),
                  cohort.on_iom() ? absl::StrCat(", on IOM since ", Day(cohort.selected_at()))
                                  : absl::StrCat(", deselected ", Day(cohort.deselected_at())));
  std::vector<std::string> ids;
  for (const auto& id : state.identifiers()) {
    ids.push_back(absl::StrCat(Short(v1::IdentifierKind_descriptor(), id.kind(), "IDENTIFIER_KIND_"), " ",
                               id.value()));
  }
  absl::StrAppend(&out, "\nidentifiers: ", ids.empty() ? "-" : absl::StrJoin(ids, ", "));
  absl::StrAppend(&out, "\n", WeekLine(view.this_week()));
  absl::StrAppend(&out, "\nopen: ", view.open_breach_considerations(), " breach considerations, ",
                  view.active_warnings(), " active warnings, ", view.open_referral_count(),
                  " referrals (", view.overdue_referrals(), " overdue), ", view.open_alerts(),
                  " alerts");
  absl::StrAppend(
      &out, "\naccommodation: ",
      state.has_accommodation()
          ? absl::StrCat(Short(v1::AccommodationStatus_descriptor(), state.accommodation().status(),
                               "ACCOMMODATION_STATUS_"),
                         " since ", Day(state.accommodation().since()))
          : "-",
      "  employment: ",
      state.has_employment()
          ? Short(v1::EmploymentStatus_descriptor(), state.employment().status(), "EMPLOYMENT_STATUS_")
          : "-",
      "  next review: ", Day(state.contact_plan().next_review_due()));
  absl::StrAppend(&out, "\n(as of ", Day(view.as_of()), "; the views reflect the log to position ",
                  view.view_position(), ")\n");
  return out;
}

std::string SummarizeCohort(const v1::ListCohortResponse& response) {
  std::string out = absl::StrCat(response.team().name(), " (", response.team().id(), "), ",
                                 response.area().name(), ": ", response.members_size(),
                                 " people, ", response.below_plan(), " below plan in ",
                                 response.week(), ", ", response.with_open_enforcement(),
                                 " with open enforcement\n");
  for (const v1::CohortMember& m : response.members()) {
    absl::StrAppend(&out, "  ", m.person_id(), "  ", Short(v1::Cohort_descriptor(), m.cohort(), "COHORT_"),
                    "/", Short(v1::Strand_descriptor(), m.strand(), "STRAND_"), "  ",
                    m.this_week().contacts_offered(), "/", m.this_week().plan_minimum(),
                    " offered, ", m.this_week().contacts_kept(), " kept",
                    m.this_week().below_plan() ? " BELOW PLAN" : "",
                    m.open_breach_considerations() > 0 ? "  breach open" : "",
                    m.overdue_referrals() > 0 ? "  referral overdue" : "",
                    m.open_alert_rules().empty()
                        ? ""
                        : absl::StrCat("  alerts: ", absl::StrJoin(m.open_alert_rules(), ", ")),
                    "\n");
  }
  absl::StrAppend(&out, "(the views reflect the log to position ", response.view_position(), ")\n");
  return out;
}

absl::StatusOr<v1::IdentifierRef> ParseIdentifier(absl::string_view text) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--identifier=", text, ": want kind:value, e.g. pnc:01/123456X, crn:X123456, noms:A1234BC, "
        "niche:N-77"));
  }
  std::string kind = absl::AsciiStrToUpper(text.substr(0, colon));
  if (kind == "NICHE") kind = "NICHE_NOMINAL";
  v1::IdentifierKind parsed;
  if (!v1::IdentifierKind_Parse(absl::StrCat("IDENTIFIER_KIND_", kind), &parsed)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--identifier=", text, ": unknown kind (pnc, niche, crn, noms)"));
  }
  v1::IdentifierRef ref;
  ref.set_kind(parsed);
  ref.set_value(std::string(text.substr(colon + 1)));
  return ref;
}

int RunCase(const CommandEnv& env, const CaseOptions& options) {
  v1::GetCaseRequest request;
  if (!options.person_id.empty() == !options.identifier.empty()) {
    return ReportUsageError(env, "give one of --person=<uuid> or --identifier=kind:value");
  }
  if (!options.person_id.empty()) {
    request.set_person_id(options.person_id);
  } else {
    absl::StatusOr<v1::IdentifierRef> id = ParseIdentifier(options.identifier);
    if (!id.ok()) return ReportUsageError(env, id.status().message());
    *request.mutable_identifier() = *id;
  }
  request.set_min_position(options.min_position);
  if (absl::Status s = ParseAsOf(options.as_of, request.mutable_as_of()); !s.ok()) {
    return ReportUsageError(env, s.message());
  }
  auto stub = v1::CaseService::NewStub(env.channel);
  v1::GetCaseResponse response;
  const int code = Unary(
      env, [&](grpc::ClientContext* c, v1::GetCaseResponse* r) { return stub->GetCase(c, request, r); },
      &response);
  if (code != kExitOk) return code;
  return PrintResponse(env, response, options.summary, &SummarizeCase);
}

int RunCohort(const CommandEnv& env, const CohortOptions& options) {
  if (options.team_id.empty()) return ReportUsageError(env, "--team is required");
  v1::ListCohortRequest request;
  request.set_team_id(options.team_id);
  absl::StatusOr<v1::Cohort> cohort =
      ParseEnumFlag<v1::Cohort>("cohort", options.cohort, "COHORT_", v1::Cohort_Parse);
  if (!cohort.ok()) return ReportUsageError(env, cohort.status().message());
  absl::StatusOr<v1::Strand> strand =
      ParseEnumFlag<v1::Strand>("strand", options.strand, "STRAND_", v1::Strand_Parse);
  if (!strand.ok()) return ReportUsageError(env, strand.status().message());
  request.set_cohort(*cohort);
  request.set_strand(*strand);
  request.set_include_deselected(options.include_deselected);
  request.set_min_position(options.min_position);
  if (absl::Status s = ParseAsOf(options.as_of, request.mutable_as_of()); !s.ok()) {
    return ReportUsageError(env, s.message());
  }
  auto stub = v1::CaseService::NewStub(env.channel);
  v1::ListCohortResponse response;
  const int code = Unary(env,
                         [&](grpc::ClientContext* c, v1::ListCohortResponse* r) {
                           return stub->ListCohort(c, request, r);
                         },
                         &response);
  if (code != kExitOk) return code;
  return PrintResponse(env, response, options.summary, &SummarizeCohort);
}

int RunFind(const CommandEnv& env, const FindOptions& options) {
  absl::StatusOr<v1::IdentifierRef> id = ParseIdentifier(options.identifier);
  if (!id.ok()) return ReportUsageError(env, id.status().message());
  v1::FindPersonRequest request;
  *request.mutable_identifier() = *id;
  request.set_min_position(options.min_position);
  auto stub = v1::CaseService::NewStub(env.channel);
  v1::FindPersonResponse response;
  const int code = Unary(env,
                         [&](grpc::ClientContext* c, v1::FindPersonResponse* r) {
                           return stub->FindPerson(c, request, r);
                         },
                         &response);
  if (code != kExitOk) return code;
  OutputTally output(env);
  output.Print(response);
  return output.ExitCode(kExitOk);
}

int RunViews(const CommandEnv& env, const ViewsOptions& options) {
  v1::ListViewsRequest request;
  request.set_with_digests(options.digests);
  auto stub = v1::AdminService::NewStub(env.channel);
  v1::ListViewsResponse response;
  const int code = Unary(env,
                         [&](grpc::ClientContext* c, v1::ListViewsResponse* r) {
                           return stub->ListViews(c, request, r);
                         },
                         &response);
  if (code != kExitOk) return code;
  OutputTally output(env);
  for (const v1::ViewState& view : response.views()) output.Print(view);
  return output.ExitCode(kExitOk);
}

int RunRebuild(const CommandEnv& env, const RebuildOptions& options) {
  if (options.view.empty()) return ReportUsageError(env, "--view is required (see iomctl views)");
  auto stub = v1::AdminService::NewStub(env.channel);
  v1::RebuildViewRequest request;
  request.set_view(options.view);
  v1::RebuildViewResponse response;
  int code = Unary(env,
                   [&](grpc::ClientContext* c, v1::RebuildViewResponse* r) {
                     return stub->RebuildView(c, request, r);
                   },
                   &response);
  if (code != kExitOk) return code;
  OutputTally output(env);
  if (!options.wait) {
    output.Print(response);
    return output.ExitCode(kExitOk);
  }
  while (true) {
    v1::ListViewsResponse views;
    code = Unary(env,
                 [&](grpc::ClientContext* c, v1::ListViewsResponse* r) {
                   return stub->ListViews(c, v1::ListViewsRequest(), r);
                 },
                 &views);
    if (code != kExitOk) return code;
    for (const v1::ViewState& view : views.views()) {
      if (view.name() != options.view || view.rebuilding()) continue;
      output.Print(view);
      if (view.generation() != response.generation()) {
        *env.err << "iomctl: the rebuild did not complete: " << view.last_rebuild() << std::endl;
        return kExitRpcError;
      }
      return output.ExitCode(kExitOk);
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

}  // namespace iomhub::iomctl
