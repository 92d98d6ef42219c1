#include "clients/iomctl/audit_command.h"

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "clients/iomctl/query_flags.h"
#include "common/audit_chain.h"
#include "common/ed25519.h"
#include "iomhub/v1/audit_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(text);
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\"\""}}), "\"");
}

std::string Rfc3339(const google::protobuf::Timestamp& t) {
  return absl::FormatTime(absl::RFC3339_full,
                          absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos()),
                          absl::UTCTimeZone());
}

absl::Status TimeRange(const AuditOptions& options, v1::AuditTimeRange* range) {
  if (absl::Status s = ParseTimeFlag("since", options.since, range->mutable_from()); !s.ok()) {
    return s;
  }
  return ParseTimeFlag("until", options.until, range->mutable_until());
}

int Verify(const CommandEnv& env, const AuditOptions& options, v1::AuditService::Stub& stub) {
  v1::GetAuditInfoResponse info;
  int code = Unary(
      env,
      [&](grpc::ClientContext* c, v1::GetAuditInfoResponse* r) {
        return stub.GetAuditInfo(c, v1::GetAuditInfoRequest(), r);
      },
      &info);
  if (code != kExitOk) return code;
  std::string pem = info.public_key_pem();
  if (!options.public_key_file.empty()) {
    std::ifstream in(options.public_key_file);
    if (!in)
      return ReportUsageError(env,
                              absl::StrCat("cannot read --public_key=", options.public_key_file));
    std::stringstream text;
    text << in.rdbuf();
    pem = text.str();
  }
  absl::StatusOr<std::string> key = Ed25519PublicKeyFromPem(pem);
  if (!key.ok())
    return ReportUsageError(env, absl::StrCat("the public key: ", key.status().message()));
  if (options.public_key_file.empty()) {
    *env.err << "iomctl: checking signatures against the key the hub reports (id "
             << Ed25519KeyId(*key) << "); pin the published key with --public_key\n";
  } else if (Ed25519KeyId(*key) != info.key_id()) {
    *env.err << "iomctl: the hub now signs with another key (id " << info.key_id()
             << "); checking against --public_key (id " << Ed25519KeyId(*key) << ")\n";
  }
  AuditChainVerifier verifier(*key);
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewCallContext(env);
  if (!context.ok()) return ReportUsageError(env, context.status().message());
  std::unique_ptr<grpc::ClientReader<v1::ReadChainResponse>> reader =
      stub.ReadChain(context->get(), v1::ReadChainRequest());
  v1::ReadChainResponse page;
  while (reader->Read(&page)) {
    for (const v1::AuditCheckpoint& c : page.checkpoints()) {
      verifier.AddCheckpoint({c.sequence(), c.hash(), c.time().seconds(), c.signature()});
    }
    for (const v1::AuditEntry& e : page.entries())
      verifier.AddEntry(e.sequence(), e.record(), e.hash());
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return ReportRpcError(env, status);
  verifier.Finish();
  if (!verifier.ok()) {
    *env.out << "{\"ok\":false,\"firstBadSequence\":\"" << *verifier.first_bad()
             << "\",\"problem\":\"" << absl::CEscape(verifier.problem()) << "\"}\n";
    *env.err << "iomctl: the audit chain is broken at sequence " << *verifier.first_bad() << ": "
             << verifier.problem() << "\n";
    return kExitRpcError;
  }
  *env.out << "{\"ok\":true,\"records\":\"" << verifier.entries() << "\",\"firstSequence\":\""
           << verifier.first_sequence() << "\",\"lastSequence\":\"" << verifier.last_sequence()
           << "\",\"checkpointsMatched\":\"" << verifier.checkpoints_checked() << "\",\"keyId\":\""
           << Ed25519KeyId(*key) << "\"}\n";
  *env.err << "iomctl: the audit chain is intact: " << verifier.entries() << " records ("
           << verifier.first_sequence() << ".." << verifier.last_sequence() << "), "
           << verifier.checkpoints_checked() << " signed checkpoints matched\n";
  return kExitOk;
}

int Sar(const CommandEnv& env, const AuditOptions& options, v1::AuditService::Stub& stub) {
  if (options.person_id.empty()) return ReportUsageError(env, "audit sar needs --person=ID");
  if (!options.format.empty() && options.format != "json" && options.format != "csv") {
    return ReportUsageError(env, absl::StrCat("--format=", options.format, ": want json or csv"));
  }
  v1::SubjectAccessReportRequest request;
  request.set_person_id(options.person_id);
  if (absl::Status s = TimeRange(options, request.mutable_time()); !s.ok()) {
    return ReportUsageError(env, s.message());
  }
  v1::SubjectAccessReportResponse report;
  const int code = Unary(
      env,
      [&](grpc::ClientContext* c, v1::SubjectAccessReportResponse* r) {
        return stub.SubjectAccessReport(c, request, r);
      },
      &report);
  if (code != kExitOk) return code;
  if (options.format == "csv") {
    *env.out << SubjectAccessCsv(report);
    return kExitOk;
  }
  OutputTally output(env);
  output.Print(report);
  return output.ExitCode(kExitOk);
}

int Query(const CommandEnv& env, const AuditOptions& options, v1::AuditService::Stub& stub) {
  v1::QueryAuditRequest request;
  request.set_person_id(options.person_id);
  request.set_system(options.system);
  request.set_user_id(options.user_id);
  request.set_agreement(options.agreement);
  request.set_limit(static_cast<uint32_t>(options.limit));
  absl::StatusOr<v1::AgencyKind> agency =
      ParseEnumFlag<v1::AgencyKind>("agency", options.agency, "AGENCY_KIND_", v1::AgencyKind_Parse);
  if (!agency.ok()) return ReportUsageError(env, agency.status().message());
  request.set_agency(*agency);
  absl::StatusOr<v1::AuditOperation> operation = ParseEnumFlag<v1::AuditOperation>(
      "operation", options.operation, "AUDIT_OPERATION_", v1::AuditOperation_Parse);
  if (!operation.ok()) return ReportUsageError(env, operation.status().message());
  request.set_operation(*operation);
  if (absl::Status s = TimeRange(options, request.mutable_time()); !s.ok()) {
    return ReportUsageError(env, s.message());
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewCallContext(env);
  if (!context.ok()) return ReportUsageError(env, context.status().message());
  std::unique_ptr<grpc::ClientReader<v1::QueryAuditResponse>> reader =
      stub.QueryAudit(context->get(), request);
  OutputTally output(env);
  v1::QueryAuditResponse page;
  while (reader->Read(&page)) {
    for (const v1::AuditEntryView& entry : page.entries()) output.Print(entry);
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return ReportRpcError(env, status);
  return output.ExitCode(kExitOk);
}

}  // namespace

std::string SubjectAccessCsv(const v1::SubjectAccessReportResponse& report) {
  std::string out =
      "sequence,time,operation,recipient_agency,recipient_organisation,recipient_system,"
      "recipient_user,recipient_role,purpose,agreement,legal_gateway,method,positions,"
      "event_types,views\r\n";
  for (const v1::DisclosureRow& row : report.rows()) {
    const std::vector<std::string> fields = {
        absl::StrCat(row.sequence()),
        Rfc3339(row.time()),
        Short(v1::AuditOperation_descriptor(), row.operation(), "AUDIT_OPERATION_"),
        Short(v1::AgencyKind_descriptor(), row.recipient_agency(), "AGENCY_KIND_"),
        row.recipient_organisation(),
        row.recipient_system(),
        row.recipient_user(),
        Short(v1::Role_descriptor(), row.recipient_role(), "ROLE_"),
        row.purpose(),
        row.agreement(),
        row.legal_gateway(),
        row.method(),
        absl::StrJoin(row.positions(), " "),
        absl::StrJoin(row.event_types(), " "),
        absl::StrJoin(row.views(), " ")};
    std::vector<std::string> escaped;
    for (const std::string& f : fields) escaped.push_back(CsvField(f));
    absl::StrAppend(&out, absl::StrJoin(escaped, ","), "\r\n");
  }
  return out;
}

int RunAudit(const CommandEnv& env, const AuditOptions& options) {
  auto stub = v1::AuditService::NewStub(env.channel);
  if (options.action == "verify") return Verify(env, options, *stub);
  if (options.action == "sar") return Sar(env, options, *stub);
  if (options.action == "query") return Query(env, options, *stub);
  if (options.action == "summary") {
    if (options.agreement.empty())
      return ReportUsageError(env, "audit summary needs --agreement=ID");
    v1::DisclosureSummaryRequest request;
    request.set_agreement(options.agreement);
    if (absl::Status s = TimeRange(options, request.mutable_time()); !s.ok()) {
      return ReportUsageError(env, s.message());
    }
    v1::DisclosureSummaryResponse summary;
    const int code = Unary(
        env,
        [&](grpc::ClientContext* c, v1::DisclosureSummaryResponse* r) {
          return stub->DisclosureSummary(c, request, r);
        },
        &summary);
    if (code != kExitOk) return code;
    OutputTally output(env);
    output.Print(summary);
    return output.ExitCode(kExitOk);
  }
  if (options.action == "key") {
    v1::GetAuditInfoResponse info;
    const int code = Unary(
        env,
        [&](grpc::ClientContext* c, v1::GetAuditInfoResponse* r) {
          return stub->GetAuditInfo(c, v1::GetAuditInfoRequest(), r);
        },
        &info);
    if (code != kExitOk) return code;
    *env.out << info.public_key_pem();
    *env.err << "iomctl: key id " << info.key_id() << "; chain " << info.first_sequence() << ".."
             << info.head_sequence() << "; retention " << info.retention_days() << " days\n";
    return kExitOk;
  }
  return ReportUsageError(
      env, absl::StrCat("audit ", options.action.empty() ? "needs an action" : options.action,
                        ": want audit verify | sar | query | summary | key"));
}

}  // namespace iomhub::iomctl
