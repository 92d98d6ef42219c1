#include "services/audit_queries.h"

#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "common/timestamps.h"

namespace iomhub::services {
namespace {

// How many records are fetched at once by sequence.
constexpr size_t kFetch = 1024;

bool HasTime(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

// The sequences [first, last] a time range covers.
absl::StatusOr<std::pair<uint64_t, uint64_t>> SequenceRange(eventstore::AuditLog& log,
                                                            const v1::AuditTimeRange& time) {
  uint64_t first = 1;
  uint64_t last = log.HeadSequence();
  if (HasTime(time.from())) {
    IOMHUB_ASSIGN_OR_RETURN(first, log.FirstSequenceAtOrAfter(ToTime(time.from())));
  }
  if (HasTime(time.until())) {
    IOMHUB_ASSIGN_OR_RETURN(const uint64_t end, log.FirstSequenceAtOrAfter(ToTime(time.until())));
    last = std::min(last, end - 1);
  }
  return std::make_pair(first, last);
}

bool AgreementMatches(absl::string_view wanted, absl::string_view label) {
  if (wanted.empty()) return true;
  if (absl::StrContains(wanted, '@')) return wanted == label;
  return absl::StartsWith(label, absl::StrCat(wanted, "@"));
}

bool Matches(const v1::QueryAuditRequest& q, const v1::AuditRecord& r) {
  if (q.agency() != v1::AGENCY_KIND_UNSPECIFIED && r.actor().agency() != q.agency()) return false;
  if (!q.system().empty() && r.actor().system() != q.system()) return false;
  if (!q.user_id().empty() && r.actor().user_id() != q.user_id()) return false;
  if (q.operation() != v1::AUDIT_OPERATION_UNSPECIFIED && r.operation() != q.operation()) {
    return false;
  }
  if (q.person_id().empty() && q.agreement().empty()) return true;
  for (const v1::AuditSubject& s : r.subjects()) {
    if (!q.person_id().empty() && s.person_id() != q.person_id()) continue;
    if (!AgreementMatches(q.agreement(), s.agreement())) continue;
    return true;
  }
  return false;
}

// Visits the records with these sequences, fetched kFetch at a time.
absl::Status VisitSequences(eventstore::AuditLog& log, const std::vector<uint64_t>& sequences,
                            absl::FunctionRef<bool(uint64_t, v1::AuditRecord)> visit) {
  for (size_t i = 0; i < sequences.size(); i += kFetch) {
    std::vector<uint64_t> chunk(sequences.begin() + i,
                                sequences.begin() + std::min(sequences.size(), i + kFetch));
    IOMHUB_ASSIGN_OR_RETURN(std::vector<v1::AuditEntry> entries, log.GetEntries(chunk));
    for (const v1::AuditEntry& entry : entries) {
      v1::AuditRecord record;
      if (!record.ParseFromString(entry.record())) {
        return absl::DataLossError(absl::StrCat("audit record ", entry.sequence(),
                                                " does not parse (run iomctl audit verify)"));
      }
      if (!visit(entry.sequence(), std::move(record))) return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPerson(const std::string& person) {
  if (!IsCanonicalUuid(person)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "person_id \"", person, "\" is not a UUID (lower case, as the hub writes it)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAuditQuery(const v1::QueryAuditRequest& request) {
  if (!request.person_id().empty()) IOMHUB_RETURN_IF_ERROR(CheckPerson(request.person_id()));
  if (request.page_size() > 1000) {
    return absl::InvalidArgumentError("page_size: at most 1000 records per message");
  }
  return absl::OkStatus();
}

absl::Status QueryAudit(eventstore::AuditLog& log, const v1::QueryAuditRequest& request,
                        uint64_t after_sequence,
                        absl::FunctionRef<bool(uint64_t, v1::AuditRecord)> visit) {
  IOMHUB_ASSIGN_OR_RETURN(auto range, SequenceRange(log, request.time()));
  const uint64_t first = std::max(range.first, after_sequence + 1);
  const uint64_t last = range.second;
  if (first > last) return absl::OkStatus();
  bool go_on = true;
  auto filtered = [&](uint64_t sequence, v1::AuditRecord record) {
    if (sequence > last) return go_on = false;
    if (!Matches(request, record)) return true;
    return go_on = visit(sequence, std::move(record));
  };
  if (!request.person_id().empty()) {
    // The subject index: only the person's records are read.
    std::vector<uint64_t> sequences;
    IOMHUB_RETURN_IF_ERROR(log.SequencesFor(request.person_id(), first - 1, [&](uint64_t s) {
      if (s > last) return false;
      sequences.push_back(s);
      return true;
    }));
    return VisitSequences(log, sequences, filtered);
  }
  uint64_t after = first - 1;
  while (go_on && after < last) {
    uint64_t reached = after;
    absl::Status status;
    IOMHUB_RETURN_IF_ERROR(log.ReadEntries(after, kFetch, [&](const v1::AuditEntry& entry) {
      reached = entry.sequence();
      v1::AuditRecord record;
      if (!record.ParseFromString(entry.record())) {
        status = absl::DataLossError(absl::StrCat("audit record ", entry.sequence(),
                                                  " does not parse (run iomctl audit verify)"));
        return false;
      }
      return filtered(entry.sequence(), std::move(record));
    }));
    IOMHUB_RETURN_IF_ERROR(status);
    if (reached == after) break;  // nothing more stored
    after = reached;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SubjectAccessReportResponse> SubjectAccessReport(
    eventstore::AuditLog& log, const v1::SubjectAccessReportRequest& request) {
  IOMHUB_RETURN_IF_ERROR(CheckPerson(request.person_id()));
  v1::QueryAuditRequest query;
  query.set_person_id(request.person_id());
  *query.mutable_time() = request.time();
  v1::SubjectAccessReportResponse report;
  report.set_person_id(request.person_id());
  IOMHUB_RETURN_IF_ERROR(QueryAudit(log, query, 0, [&](uint64_t sequence, v1::AuditRecord record) {
    report.set_records_read(report.records_read() + 1);
    for (const v1::AuditSubject& subject : record.subjects()) {
      if (subject.person_id() != request.person_id()) continue;
      v1::DisclosureRow* row = report.add_rows();
      row->set_sequence(sequence);
      *row->mutable_time() = record.time();
      row->set_operation(record.operation());
      const v1::Actor& actor = record.actor();
      row->set_recipient_agency(actor.agency());
      row->set_recipient_organisation(actor.organisation());
      row->set_recipient_system(actor.system());
      row->set_recipient_user(actor.user_id());
      row->set_recipient_role(actor.role());
      row->set_purpose(record.justification());
      row->set_agreement(subject.agreement());
      row->set_legal_gateway(subject.legal_gateway());
      row->set_method(record.channel().method());
      *row->mutable_positions() = subject.positions();
      *row->mutable_event_types() = subject.event_types();
      *row->mutable_type_of() = subject.type_of();
      *row->mutable_views() = subject.views();
    }
    return true;
  }));
  return report;
}

absl::StatusOr<v1::DisclosureSummaryResponse> DisclosureSummary(
    eventstore::AuditLog& log, const v1::DisclosureSummaryRequest& request) {
  if (request.agreement().empty()) {
    return absl::InvalidArgumentError("agreement: say which (\"id\" or \"id@version\")");
  }
  v1::QueryAuditRequest query;
  query.set_agreement(request.agreement());
  *query.mutable_time() = request.time();
  v1::DisclosureSummaryResponse summary;
  summary.set_agreement(request.agreement());
  std::map<std::string, std::pair<uint64_t, uint64_t>> recipients, types, purposes;
  absl::flat_hash_set<std::string> people;
  IOMHUB_RETURN_IF_ERROR(QueryAudit(log, query, 0, [&](uint64_t, v1::AuditRecord record) {
    if (record.operation() != v1::AUDIT_OPERATION_DISCLOSE &&
        record.operation() != v1::AUDIT_OPERATION_CONSULT) {
      return true;
    }
    const std::string recipient =
        record.recipients().empty() ? record.actor().system() : record.recipients(0);
    uint64_t events = 0;
    absl::flat_hash_set<std::string> record_types;
    for (const v1::AuditSubject& s : record.subjects()) {
      if (!AgreementMatches(request.agreement(), s.agreement())) continue;
      people.insert(s.person_id());
      events += s.positions_size();
      for (uint32_t index : s.type_of()) {
        if (index >= static_cast<uint32_t>(s.event_types_size())) continue;
        ++types[s.event_types(index)].second;
        record_types.insert(s.event_types(index));
      }
    }
    for (const std::string& type : record_types) ++types[type].first;
    summary.set_records(summary.records() + 1);
    summary.set_events(summary.events() + events);
    ++recipients[recipient].first;
    recipients[recipient].second += events;
    ++purposes[record.justification()].first;
    purposes[record.justification()].second += events;
    return true;
  }));
  auto fill = [](const auto& counts, auto* out) {
    for (const auto& [key, c] : counts) {
      v1::DisclosureCount* count = out->Add();
      count->set_key(key);
      count->set_records(c.first);
      count->set_events(c.second);
    }
  };
  fill(recipients, summary.mutable_by_recipient());
  fill(types, summary.mutable_by_event_type());
  fill(purposes, summary.mutable_by_purpose());
  summary.set_people(people.size());
  return summary;
}

}  // namespace iomhub::services
