#include "services/audit_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "services/admission.h"
#include "services/audit_queries.h"
#include "services/grpc_status.h"
#include "services/read_reactor.h"

namespace iomhub::services {
namespace {

constexpr char kService[] = "iomhub.v1.AuditService/";
constexpr uint32_t kDefaultPage = 100;
constexpr size_t kChainPage = 1000;
// A message stays well under gRPC's 4 MiB default limit.
constexpr size_t kPageBytes = 1 << 20;

absl::Status Disabled() {
  return absl::FailedPreconditionError(
      "this hub runs with audit.unsafe_disable: it keeps no audit log");
}

std::string Describe(const v1::QueryAuditRequest& q) {
  std::vector<std::string> parts;
  if (!q.person_id().empty()) parts.push_back(absl::StrCat("person=", q.person_id()));
  if (q.agency() != v1::AGENCY_KIND_UNSPECIFIED)
    parts.push_back(absl::StrCat("agency=", v1::AgencyKind_Name(q.agency())));
  if (!q.system().empty()) parts.push_back(absl::StrCat("system=", q.system()));
  if (!q.user_id().empty()) parts.push_back(absl::StrCat("user=", q.user_id()));
  if (!q.agreement().empty()) parts.push_back(absl::StrCat("agreement=", q.agreement()));
  if (q.operation() != v1::AUDIT_OPERATION_UNSPECIFIED)
    parts.push_back(absl::StrCat("operation=", OperationLabel(q.operation())));
  if (q.has_time()) parts.push_back("time range");
  return absl::StrCat("audit query: ", parts.empty() ? "everything" : absl::StrJoin(parts, ", "));
}

}  // namespace

AuditServiceImpl::AuditServiceImpl(HubContext* hub) : hub_(hub) {}

absl::StatusOr<v1::Actor> AuditServiceImpl::Admit(grpc::CallbackServerContext* context,
                                                  const char* method) {
  absl::StatusOr<v1::Actor> actor = AdmitCaller(hub_->auth(), *context, Operation::kReadAudit);
  if (actor.ok() && !hub_->audit().enabled()) actor = Disabled();
  if (!actor.ok()) hub_->metrics().RecordRejected(method, actor.status().code());
  return actor;
}

absl::Status AuditServiceImpl::RecordRead(const v1::Actor& auditor, const v1::AuditChannel& channel,
                                          const std::string& person, std::string note) {
  v1::AuditRecord record = NewAuditRecord(v1::AUDIT_OPERATION_CONSULT, auditor, channel);
  record.set_note(std::move(note));
  if (!person.empty()) {
    v1::AuditSubject* subject = record.add_subjects();
    subject->set_person_id(person);
    subject->add_views("audit_log");
  }
  return hub_->audit().Record(std::move(record));
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetAuditInfo(grpc::CallbackServerContext* context,
                                                         const v1::GetAuditInfoRequest*,
                                                         v1::GetAuditInfoResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<v1::Actor> auditor = Admit(context, "GetAuditInfo");
  if (!auditor.ok()) {
    reactor->Finish(ToGrpcStatus(auditor.status()));
    return reactor;
  }
  eventstore::AuditLog& log = *hub_->audit().log();
  absl::StatusOr<uint64_t> first = log.FirstSequence();
  if (!first.ok()) {
    reactor->Finish(ToGrpcStatus(first.status()));
    return reactor;
  }
  response->set_first_sequence(*first);
  response->set_head_sequence(log.HeadSequence());
  response->set_head_hash(log.HeadHash());
  response->set_public_key_pem(log.signing_key().PublicKeyPem());
  response->set_key_id(log.signing_key().KeyId());
  response->set_retention_days(hub_->audit().retention_days());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<v1::QueryAuditResponse>* AuditServiceImpl::QueryAudit(
    grpc::CallbackServerContext* context, const v1::QueryAuditRequest* request) {
  using Reactor = grpc::ServerWriteReactor<v1::QueryAuditResponse>;
  absl::StatusOr<v1::Actor> auditor = Admit(context, "QueryAudit");
  if (auditor.ok()) {
    absl::Status valid = CheckAuditQuery(*request);
    if (!valid.ok()) {
      hub_->metrics().RecordRejected("QueryAudit", valid.code());
      auditor = valid;
    }
  }
  if (!auditor.ok()) return RefusedReactor<Reactor>(auditor.status());
  struct Cursor {
    v1::QueryAuditRequest request;
    v1::Actor auditor;
    v1::AuditChannel channel;
    uint64_t after;
    uint64_t sent = 0;
    bool recorded = false;
  };
  Cursor cursor{*request, *auditor, ChannelOf(*context, absl::StrCat(kService, "QueryAudit")),
                request->after_sequence()};
  auto* reactor = new ReadReactor<v1::QueryAuditResponse>(
      &hub_->executor(),
      [this, c = std::move(cursor)](v1::QueryAuditResponse* out,
                                    bool* end) mutable -> absl::StatusOr<bool> {
        if (!c.recorded) {
          IOMHUB_RETURN_IF_ERROR(
              RecordRead(c.auditor, c.channel, c.request.person_id(), Describe(c.request)));
          c.recorded = true;
        }
        const uint32_t page = c.request.page_size() > 0 ? c.request.page_size() : kDefaultPage;
        const uint64_t limit = c.request.limit();
        bool more = false;
        size_t bytes = 0;
        IOMHUB_RETURN_IF_ERROR(services::QueryAudit(
            *hub_->audit().log(), c.request, c.after, [&](uint64_t sequence, v1::AuditRecord r) {
              if (static_cast<uint32_t>(out->entries_size()) == page || bytes >= kPageBytes ||
                  (limit > 0 && c.sent == limit)) {
                more = limit == 0 || c.sent < limit;
                return false;
              }
              v1::AuditEntryView* entry = out->add_entries();
              entry->set_sequence(sequence);
              *entry->mutable_record() = std::move(r);
              c.after = sequence;
              ++c.sent;
              bytes += entry->ByteSizeLong();
              return true;
            }));
        out->set_last_sequence(c.after);
        *end = !more;
        return out->entries_size() > 0;
      });
  reactor->Start();
  return reactor;
}

template <typename Response, typename Compute, typename Describe>
grpc::ServerUnaryReactor* AuditServiceImpl::AnswerRead(grpc::CallbackServerContext* context,
                                                       const char* method, Response* response,
                                                       Compute compute, Describe describe) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<v1::Actor> auditor = Admit(context, method);
  if (!auditor.ok()) {
    reactor->Finish(ToGrpcStatus(auditor.status()));
    return reactor;
  }
  hub_->executor().Schedule([this, reactor, response, auditor = *auditor,
                             channel = ChannelOf(*context, absl::StrCat(kService, method)),
                             compute = std::move(compute), describe = std::move(describe)] {
    absl::StatusOr<Response> answer = compute();
    absl::Status status = answer.status();
    if (status.ok()) {
      const auto [person, note] = describe(*answer);
      status = RecordRead(auditor, channel, person, note);
    }
    if (status.ok()) *response = *std::move(answer);
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerUnaryReactor* AuditServiceImpl::SubjectAccessReport(
    grpc::CallbackServerContext* context, const v1::SubjectAccessReportRequest* request,
    v1::SubjectAccessReportResponse* response) {
  return AnswerRead(
      context, "SubjectAccessReport", response,
      [this, request] { return services::SubjectAccessReport(*hub_->audit().log(), *request); },
      [request](const v1::SubjectAccessReportResponse& report) {
        return std::make_pair(request->person_id(),
                              absl::StrCat("subject access report: ", report.rows_size(), " rows"));
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::DisclosureSummary(
    grpc::CallbackServerContext* context, const v1::DisclosureSummaryRequest* request,
    v1::DisclosureSummaryResponse* response) {
  return AnswerRead(
      context, "DisclosureSummary", response,
      [this, request] { return services::DisclosureSummary(*hub_->audit().log(), *request); },
      // Counts only: no person is named, so the record names none.
      [request](const v1::DisclosureSummaryResponse&) {
        return std::make_pair(std::string(),
                              absl::StrCat("disclosure summary for ", request->agreement()));
      });
}

grpc::ServerWriteReactor<v1::ReadChainResponse>* AuditServiceImpl::ReadChain(
    grpc::CallbackServerContext* context, const v1::ReadChainRequest* request) {
  using Reactor = grpc::ServerWriteReactor<v1::ReadChainResponse>;
  absl::StatusOr<v1::Actor> auditor = Admit(context, "ReadChain");
  if (!auditor.ok()) return RefusedReactor<Reactor>(auditor.status());
  struct Cursor {
    v1::Actor auditor;
    v1::AuditChannel channel;
    uint64_t after = 0;
    bool started = false;
    // Read before `head`: every checkpoint then names a committed record,
    // so one past the last stored record means the tail was cut.
    std::vector<v1::AuditCheckpoint> checkpoints;
    size_t next_checkpoint = 0;
    uint64_t head = 0;
  };
  Cursor cursor;
  cursor.auditor = *auditor;
  cursor.channel = ChannelOf(*context, absl::StrCat(kService, "ReadChain"));
  cursor.after = request->after_sequence();
  auto* reactor = new ReadReactor<v1::ReadChainResponse>(
      &hub_->executor(),
      [this, c = std::move(cursor)](v1::ReadChainResponse* out,
                                    bool* end) mutable -> absl::StatusOr<bool> {
        eventstore::AuditLog& log = *hub_->audit().log();
        if (!c.started) {
          // Recorded first, so the chain read includes its own record.
          IOMHUB_RETURN_IF_ERROR(
              RecordRead(c.auditor, c.channel, "", "read the chain to verify it"));
          IOMHUB_RETURN_IF_ERROR(
              log.ReadCheckpoints(0, UINT64_MAX, [&](const v1::AuditCheckpoint& cp) {
                c.checkpoints.push_back(cp);
                return true;
              }));
          c.head = log.HeadSequence();
          c.started = true;
        }
        uint64_t last = c.after;
        size_t bytes = 0;
        bool full = false;
        IOMHUB_RETURN_IF_ERROR(log.ReadEntries(c.after, kChainPage, [&](const v1::AuditEntry& e) {
          if (e.sequence() > c.head) return false;  // newer than this verification
          if (bytes >= kPageBytes) return !(full = true);
          *out->add_entries() = e;
          bytes += e.ByteSizeLong();
          last = e.sequence();
          return true;
        }));
        *end = !full && (out->entries_size() < static_cast<int>(kChainPage) || last >= c.head);
        // The checkpoints the entries sent so far reach (all of them at the end).
        while (c.next_checkpoint < c.checkpoints.size() &&
               (*end || c.checkpoints[c.next_checkpoint].sequence() <= last)) {
          *out->add_checkpoints() = std::move(c.checkpoints[c.next_checkpoint++]);
        }
        c.after = last;
        return out->entries_size() > 0 || out->checkpoints_size() > 0;
      });
  reactor->Start();
  return reactor;
}

}  // namespace iomhub::services
