// The auditor's questions over the audit log (audit_service.proto): a
// filtered query, a subject access report and a disclosure summary for an
// agreement review. Pure reads of eventstore::AuditLog; AuditServiceImpl
// serves them and records each read (audit reads are audited too).
// Thread-safe as the log is.
#ifndef IOMHUB_SERVICES_AUDIT_QUERIES_H_
#define IOMHUB_SERVICES_AUDIT_QUERIES_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eventstore/audit_log.h"
#include "iomhub/v1/audit_service.pb.h"

namespace iomhub::services {

// INVALID_ARGUMENT naming the field, or OK.
absl::Status CheckAuditQuery(const v1::QueryAuditRequest& request);

// Records matching every filter of `request`, after `after_sequence`, in
// sequence order, until `visit` returns false.
absl::Status QueryAudit(eventstore::AuditLog& log, const v1::QueryAuditRequest& request,
                        uint64_t after_sequence,
                        absl::FunctionRef<bool(uint64_t sequence, v1::AuditRecord record)> visit);

// Every record naming the person: one row per (record, agreement).
absl::StatusOr<v1::SubjectAccessReportResponse> SubjectAccessReport(
    eventstore::AuditLog& log, const v1::SubjectAccessReportRequest& request);

// Disclosures and consultations under one agreement ("id" or "id@version").
absl::StatusOr<v1::DisclosureSummaryResponse> DisclosureSummary(
    eventstore::AuditLog& log, const v1::DisclosureSummaryRequest& request);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_AUDIT_QUERIES_H_
