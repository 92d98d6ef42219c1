#include "clients/iomctl/sharing_command.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "iomhub/v1/sharing_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

// AGENCY_KIND_HOUSING → "housing".
std::string AgencyName(int agency) {
  std::string name(absl::StripPrefix(v1::AgencyKind_Name(agency), "AGENCY_KIND_"));
  absl::AsciiStrToLower(&name);
  return name;
}

std::string Agencies(const google::protobuf::RepeatedField<int>& agencies) {
  if (agencies.empty()) return "any agency";
  std::vector<std::string> names;
  for (int agency : agencies) names.push_back(AgencyName(agency));
  return absl::StrJoin(names, ", ");
}

// ROLE_HOUSING_OFFICER → "housing_officer" (as iomhub-role spells it).
std::string RoleName(v1::Role role) {
  std::string name(absl::StripPrefix(v1::Role_Name(role), "ROLE_"));
  absl::AsciiStrToLower(&name);
  return name;
}

std::string StatusName(v1::AgreementStatus status) {
  std::string name(absl::StripPrefix(v1::AgreementStatus_Name(status), "AGREEMENT_STATUS_"));
  absl::AsciiStrToLower(&name);
  return name;
}

}  // namespace

std::string SummarizeAgreements(const v1::ListAgreementsResponse& response) {
  std::string out = absl::StrCat(response.agreements_size(), " agreement(s) from ",
                                 response.agreements_dir(), "; reloads applied ",
                                 response.reloads_applied(), ", refused ",
                                 response.reloads_refused(), "\n");
  if (!response.last_reload_error().empty()) {
    absl::StrAppend(&out, "last refused reload: ", response.last_reload_error(), "\n");
  }
  for (const v1::LoadedAgreement& loaded : response.agreements()) {
    const v1::Agreement& a = loaded.agreement();
    absl::StrAppend(&out, loaded.in_force() ? "  in force  " : "  not now   ", a.id(), "@",
                    a.version(), " (", StatusName(a.status()), "): ", a.title(), "\n");
  }
  return out;
}

std::string SummarizeAgreement(const v1::LoadedAgreement& loaded) {
  const v1::Agreement& a = loaded.agreement();
  std::string out = absl::StrCat(a.id(), "@", a.version(), ": ", a.title(), "\n");
  absl::StrAppend(&out, "  status ", StatusName(a.status()),
                  loaded.in_force() ? ", in force" : ", not in force", "; valid ",
                  a.valid_from(), " to ", a.valid_until().empty() ? "open" : a.valid_until(),
                  "; review by ", a.review_date(), "\n");
  absl::StrAppend(&out, "  purposes: ", absl::StrJoin(a.purposes(), ", "), "\n");
  absl::StrAppend(&out, "  legal gateway: ", a.legal_gateway(), "\n");
  for (const v1::Partner& p : a.partners()) {
    absl::StrAppend(&out, "  partner ", AgencyName(p.agency()));
    if (!p.organisations().empty()) {
      absl::StrAppend(&out, " (", absl::StrJoin(p.organisations(), ", "), ")");
    }
    if (!p.areas().empty()) {
      absl::StrAppend(&out, " in ", absl::StrJoin(p.areas(), ", "),
                      p.own_area_only() ? " (own area only)" : "");
    }
    absl::StrAppend(&out, "\n");
  }
  for (const v1::DataItem& item : a.data_items()) {
    absl::StrAppend(&out, "  item \"", item.name(), "\": ", absl::StrJoin(item.event_types(), ", "),
                    " from ", Agencies(item.from()), " to ", Agencies(item.to()), ": ",
                    item.all_fields()       ? std::string("all fields")
                    : item.fields().empty() ? std::string("that it happened only")
                                            : absl::StrCat("fields ", absl::StrJoin(item.fields(), ", ")),
                    "\n");
  }
  for (const std::string& warning : loaded.warnings()) {
    absl::StrAppend(&out, "  warning: ", warning, "\n");
  }
  absl::StrAppend(&out, "  file ", loaded.file(), " sha256 ", loaded.file_sha256(), "\n");
  return out;
}

std::string SummarizeExplain(const v1::ExplainResponse& r) {
  // The hub leaves out what the caller may not learn (the stream for a hub
  // admin; type and stream of an event a partner does not receive).
  std::string what;
  if (!r.event_type().empty()) {
    what = absl::StrCat(" (", r.event_type(), r.stream().empty() ? "" : " on ", r.stream(), ")");
  }
  std::string out = absl::StrCat("position ", r.position(), what, " for ", r.recipient().system(), " as ",
                                 RoleName(r.recipient().role()), " for ", r.recipient().purpose(), ": ");
  if (!r.delivered()) {
    absl::StrAppend(&out, "NOT delivered\n");
  } else {
    absl::StrAppend(&out, "delivered ",
                    r.whole() ? std::string("whole")
                              : absl::StrCat("with only ", r.fields().empty()
                                                               ? std::string("its envelope")
                                                               : absl::StrJoin(r.fields(), ", ")),
                    " under ", r.agreement_id().empty() ? "" : absl::StrCat(r.agreement_id(), "@", r.agreement_version()),
                    r.data_item().empty() ? "" : absl::StrCat(" (\"", r.data_item(), "\")"), "\n");
    if (!r.legal_gateway().empty()) absl::StrAppend(&out, "  legal gateway: ", r.legal_gateway(), "\n");
  }
  absl::StrAppend(&out, "  why: ", r.reason(), "\n");
  for (const std::string& line : r.considered()) absl::StrAppend(&out, "  - ", line, "\n");
  return out;
}

int RunAgreements(const CommandEnv& env, const AgreementsOptions& options) {
  auto stub = v1::SharingService::NewStub(env.channel);
  OutputTally output(env);
  if (options.id.empty()) {
    v1::ListAgreementsRequest request;
    request.set_in_force_only(options.in_force_only);
    v1::ListAgreementsResponse response;
    const int code = Unary(env,
                           [&](grpc::ClientContext* c, v1::ListAgreementsResponse* r) {
                             return stub->ListAgreements(c, request, r);
                           },
                           &response);
    if (code != kExitOk) return code;
    if (options.summary) {
      *env.out << SummarizeAgreements(response) << std::flush;
      return kExitOk;
    }
    for (const v1::LoadedAgreement& loaded : response.agreements()) output.Print(loaded);
    return output.ExitCode(kExitOk);
  }
  v1::GetAgreementRequest request;
  const std::vector<std::string> parts = absl::StrSplit(options.id, absl::MaxSplits('@', 1));
  request.set_id(parts[0]);
  if (parts.size() == 2) {
    uint32_t version = 0;
    if (!absl::SimpleAtoi(parts[1], &version) || version == 0) {
      return ReportUsageError(env, absl::StrCat("\"", options.id,
                                                "\": want ID or ID@VERSION (a version >= 1)"));
    }
    request.set_version(version);
  }
  v1::GetAgreementResponse response;
  const int code = Unary(env,
                         [&](grpc::ClientContext* c, v1::GetAgreementResponse* r) {
                           return stub->GetAgreement(c, request, r);
                         },
                         &response);
  if (code != kExitOk) return code;
  if (options.summary) {
    *env.out << SummarizeAgreement(response.agreement()) << std::flush;
    return kExitOk;
  }
  output.Print(response.agreement());
  return output.ExitCode(kExitOk);
}

int RunExplain(const CommandEnv& env, const ExplainOptions& options) {
  if (options.position == 0) {
    return ReportUsageError(env, "--position is required (the log position of the event)");
  }
  v1::ExplainRequest request;
  request.set_system(options.system);
  request.set_role(options.role);
  request.set_purpose(options.purpose);
  request.set_position(options.position);
  auto stub = v1::SharingService::NewStub(env.channel);
  v1::ExplainResponse response;
  const int code = Unary(env,
                         [&](grpc::ClientContext* c, v1::ExplainResponse* r) {
                           return stub->Explain(c, request, r);
                         },
                         &response);
  if (code != kExitOk) return code;
  if (options.summary) {
    *env.out << SummarizeExplain(response) << std::flush;
    return kExitOk;
  }
  OutputTally output(env);
  output.Print(response);
  return output.ExitCode(kExitOk);
}

}  // namespace iomhub::iomctl
