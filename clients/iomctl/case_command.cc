#include "clients/iomctl/case_command.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "iomhub/v1/case_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

// Parses "<prefix><NAME>" enum values from lower-case flag text.
template <typename Enum, typename ParseFn>
absl::StatusOr<Enum> ParseEnumFlag(absl::string_view flag, absl::string_view text,
                                   absl::string_view prefix, ParseFn parse) {
  Enum value{};
  if (text.empty()) return value;
  if (!parse(absl::StrCat(prefix, absl::AsciiStrToUpper(text)), &value)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, "=", text, ": unknown value"));
  }
  return value;
}

absl::Status ParseAsOf(absl::string_view text, google::protobuf::Timestamp* out) {
  if (text.empty()) return absl::OkStatus();
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--as_of=", text, ": want RFC 3339, e.g. 2026-12-01T09:00:00Z (", error, ")"));
  }
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return absl::OkStatus();
}

// Calls `call` with a fresh context; prints `response` or the error.
template <typename Response, typename Call>
int Unary(const CommandEnv& env, Call call, Response* response) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewCallContext(env);
  if (!context.ok()) return ReportUsageError(env, context.status().message());
  const grpc::Status status = call(context->get(), response);
  if (!status.ok()) return ReportRpcError(env, status);
  return kExitOk;
}

}  // namespace

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
  OutputTally output(env);
  output.Print(response);
  return output.ExitCode(kExitOk);
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
  OutputTally output(env);
  output.Print(response);
  return output.ExitCode(kExitOk);
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
