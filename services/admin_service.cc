#include "services/admin_service.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/version.h"
#include "services/admission.h"
#include "services/grpc_status.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

v1::ViewState::State ToProto(projections::ViewStatus::State state) {
  switch (state) {
    case projections::ViewStatus::State::kCatchingUp:
      return v1::ViewState::STATE_CATCHING_UP;
    case projections::ViewStatus::State::kLive:
      return v1::ViewState::STATE_LIVE;
    case projections::ViewStatus::State::kFailed:
      return v1::ViewState::STATE_FAILED;
  }
  return v1::ViewState::STATE_UNSPECIFIED;
}

// Seconds since the first event a view does not reflect was recorded.
double LagSeconds(eventstore::EventStore& log, uint64_t checkpoint, absl::Time now) {
  if (checkpoint >= log.CommittedPosition()) return 0;
  absl::StatusOr<eventstore::ReadBatch> next = log.ReadAll(checkpoint + 1, 1);
  if (!next.ok() || next->events.empty()) return 0;
  const auto& at = next->events[0].recorded_at();
  return absl::ToDoubleSeconds(
      now - (absl::FromUnixSeconds(at.seconds()) + absl::Nanoseconds(at.nanos())));
}

void ToProto(const eventstore::VerifyReport& report, v1::StorageVerification* out) {
  out->set_ok(report.ok());
  out->set_summary(report.Summary());
  out->set_events(report.events);
  out->set_last_position(report.last_position);
  out->set_lost_positions(report.lost_positions);
  out->set_streams(report.streams);
  out->set_audit_records(report.audit_records);
  out->set_audit_checkpoints(report.audit_checkpoints);
  out->set_fault_count(report.fault_count);
  for (const std::string& fault : report.faults) out->add_faults(fault);
}

}  // namespace

AdminServiceImpl::AdminServiceImpl(HubContext* hub) : hub_(hub) {}

grpc::ServerUnaryReactor* AdminServiceImpl::ListViews(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* raw_request,
                                                      grpc::ByteBuffer* raw_response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::ListViewsRequest request;
  absl::Status allowed = AdmitCaller(hub_->auth(), *context, Operation::kReadViewStatus).status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &request);
  if (!allowed.ok()) {
    hub_->metrics().RecordRejected("ListViews", allowed.code());
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  hub_->executor().Schedule([hub = hub_, request, reactor, raw_response] {
    v1::ListViewsResponse response;
    const uint64_t head = hub->log().CommittedPosition();
    const absl::Time now = absl::Now();
    for (const projections::ViewStatus& status : hub->runner().Statuses()) {
      v1::ViewState* view = response.add_views();
      view->set_name(status.name);
      view->set_state(ToProto(status.state));
      view->set_checkpoint(status.checkpoint);
      view->set_head_position(head);
      view->set_lag_events(head > status.checkpoint ? head - status.checkpoint : 0);
      view->set_lag_seconds(LagSeconds(hub->log(), status.checkpoint, now));
      view->set_generation(status.generation);
      view->set_failed_position(status.failed_position);
      view->set_failure(status.failure);
      view->set_rebuilding(status.rebuilding);
      view->set_rebuild_checkpoint(status.rebuild_checkpoint);
      view->set_last_rebuild(status.last_rebuild);
      if (request.with_digests()) {
        absl::StatusOr<std::string> digest = hub->runner().Digest(status.name);
        if (!digest.ok()) return reactor->Finish(ToGrpcStatus(digest.status()));
        view->set_digest(*digest);
      }
    }
    *raw_response = ToByteBuffer(response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::RebuildView(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* raw_request,
                                                        grpc::ByteBuffer* raw_response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::RebuildViewRequest request;
  absl::Status allowed = AdmitCaller(hub_->auth(), *context, Operation::kAdministerViews).status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &request);
  if (allowed.ok()) allowed = hub_->runner().Rebuild(request.view());
  if (!allowed.ok()) {
    hub_->metrics().RecordRejected("RebuildView", allowed.code());
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  absl::StatusOr<projections::ViewStatus> status = hub_->runner().Status(request.view());
  v1::RebuildViewResponse response;
  if (status.ok()) response.set_generation(status->generation + 1);
  *raw_response = ToByteBuffer(response);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

bool AdminServiceImpl::AdmitStorageCall(grpc::CallbackServerContext& context,
                                        const grpc::ByteBuffer& raw,
                                        google::protobuf::Message* request, const char* method,
                                        grpc::ServerUnaryReactor* reactor) {
  absl::Status allowed = AdmitCaller(hub_->auth(), context, Operation::kAdministerStorage).status();
  if (allowed.ok()) allowed = ParseByteBuffer(raw, request);
  if (allowed.ok() && hub_->maintenance() == nullptr) {
    allowed = absl::UnimplementedError("this hub's storage has no files to back up or verify");
  }
  if (allowed.ok()) return true;
  hub_->metrics().RecordRejected(method, allowed.code());
  reactor->Finish(ToGrpcStatus(allowed));
  return false;
}

grpc::ServerUnaryReactor* AdminServiceImpl::BackupStorage(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* raw_request,
                                                          grpc::ByteBuffer* raw_response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::BackupStorageRequest request;
  if (!AdmitStorageCall(*context, *raw_request, &request, "BackupStorage", reactor)) {
    return reactor;
  }
  storage_worker_.Schedule([hub = hub_, request, reactor, raw_response] {
    const absl::Time start = absl::Now();
    eventstore::BackupOptions options;
    options.verify = !request.skip_verify();
    options.verify_options.audit_public_key_raw = hub->AuditPublicKey();
    options.made_by = VersionLine("iomhubd");
    // The signing key goes with the backup when it lives in the data
    // directory (the default); a key kept elsewhere is the operator's to keep.
    const std::filesystem::path key = AuditSigningKeyPath(hub->config());
    std::error_code ec;
    const bool key_inside =
        !hub->AuditPublicKey().empty() && std::filesystem::exists(key, ec) &&
        std::filesystem::equivalent(key.parent_path(), hub->config().data_dir(), ec);
    if (key_inside) options.extra_files.push_back(key.string());
    absl::StatusOr<eventstore::BackupSummary> backup =
        hub->maintenance()->Backup(request.directory(), options);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (!backup.ok()) {
      hub->metrics().RecordStorageCheck(
          "backup", backup.status().code() == absl::StatusCode::kDataLoss ? "faults" : "failed",
          seconds);
      LogLine(
          absl::StrCat("backup to ", request.directory(), " failed: ", backup.status().message()));
      return reactor->Finish(ToGrpcStatus(backup.status()));
    }
    hub->metrics().RecordStorageCheck("backup", "ok", seconds);
    LogLine(absl::StrCat("backup written to ", backup->path, ": ",
                         backup->last_position == 0
                             ? std::string("no events")
                             : absl::StrCat("positions 1..", backup->last_position),
                         ", ", backup->files, " files (", backup->linked_files, " hard-linked), ",
                         backup->bytes, " bytes, in ", absl::StrFormat("%.2f", seconds), " s"));
    v1::BackupStorageResponse response;
    response.set_directory(backup->path);
    response.set_last_position(backup->last_position);
    response.set_files(backup->files);
    response.set_linked_files(backup->linked_files);
    response.set_bytes(backup->bytes);
    response.set_seconds(seconds);
    response.set_includes_signing_key(key_inside);
    if (backup->verified) ToProto(backup->verify_report, response.mutable_verification());
    *raw_response = ToByteBuffer(response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::VerifyStorage(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* raw_request,
                                                          grpc::ByteBuffer* raw_response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::VerifyStorageRequest request;
  if (!AdmitStorageCall(*context, *raw_request, &request, "VerifyStorage", reactor)) {
    return reactor;
  }
  storage_worker_.Schedule([hub = hub_, reactor, raw_response] {
    const absl::Time start = absl::Now();
    eventstore::VerifyOptions options;
    options.audit_public_key_raw = hub->AuditPublicKey();
    absl::StatusOr<eventstore::VerifyReport> report = hub->maintenance()->Verify(options);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (!report.ok()) {
      hub->metrics().RecordStorageCheck("verify", "failed", seconds);
      return reactor->Finish(ToGrpcStatus(report.status()));
    }
    hub->metrics().RecordStorageCheck("verify", report->ok() ? "ok" : "faults", seconds);
    LogLine(absl::StrCat("verify: ", report->Summary()));
    v1::VerifyStorageResponse response;
    ToProto(*report, response.mutable_verification());
    response.set_seconds(seconds);
    *raw_response = ToByteBuffer(response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace iomhub::services
