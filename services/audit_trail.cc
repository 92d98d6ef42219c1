#include "services/audit_trail.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/timestamps.h"
#include "projections/enum_words.h"

namespace iomhub::services {
namespace {

size_t RefsIn(const v1::AuditRecord& record) {
  size_t refs = 0;
  for (const v1::AuditSubject& s : record.subjects()) refs += s.positions_size() + s.views_size();
  return refs;
}

}  // namespace

v1::AuditRecord NewAuditRecord(v1::AuditOperation operation, const v1::Actor& actor,
                               const v1::AuditChannel& channel) {
  v1::AuditRecord record;
  record.set_operation(operation);
  *record.mutable_actor() = actor;
  record.add_recipients(absl::StrCat(projections::AgencyName(actor.agency()), ":", actor.system()));
  record.set_justification(actor.purpose());
  *record.mutable_channel() = channel;
  return record;
}

std::string OperationLabel(v1::AuditOperation operation) {
  std::string name = v1::AuditOperation_Name(operation);
  constexpr absl::string_view kPrefix = "AUDIT_OPERATION_";
  if (absl::StartsWith(name, kPrefix)) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

v1::AuditChannel ChannelOf(const grpc::CallbackServerContext& context, absl::string_view method) {
  v1::AuditChannel channel;
  channel.set_method(std::string(method));
  channel.set_peer(context.peer());
  return channel;
}

AuditTrail::AuditTrail(eventstore::AuditLog* log, HubMetrics* metrics, Clock* clock,
                       uint32_t retention_days)
    : log_(log), metrics_(metrics), clock_(clock), retention_days_(retention_days) {}

AuditTrail::~AuditTrail() { Stop(); }

absl::Status AuditTicket::Wait() {
  done_.WaitForNotification();
  return status_;
}

std::shared_ptr<AuditTicket> AuditTicket::Done(absl::Status status) {
  auto ticket = std::make_shared<AuditTicket>();
  ticket->Complete(std::move(status));
  return ticket;
}

void AuditTicket::Complete(absl::Status status) {
  status_ = std::move(status);
  done_.Notify();
}

std::shared_ptr<AuditTicket> AuditTrail::RecordAsync(v1::AuditRecord record,
                                                     std::optional<eventstore::AuditMeta> meta) {
  if (log_ == nullptr) return AuditTicket::Done();
  auto ticket = std::make_shared<AuditTicket>();
  std::string operation = OperationLabel(record.operation());
  const size_t refs = RefsIn(record);
  log_->AppendAsync(
      std::move(record),
      [ticket, metrics = metrics_, operation = std::move(operation), refs,
       start = absl::Now()](absl::StatusOr<uint64_t> sequence) {
        metrics->RecordAudit(operation, sequence.ok(), refs,
                             absl::ToDoubleSeconds(absl::Now() - start));
        if (sequence.ok()) return ticket->Complete(absl::OkStatus());
        LogLine(absl::StrCat("audit: a ", operation, " record could not be written, so nothing ",
                             "was sent: ", sequence.status().ToString()));
        ticket->Complete(absl::UnavailableError(absl::StrCat(
            "the hub could not record this disclosure in its audit log, so it sent nothing: ",
            sequence.status().message(), "; retry later")));
      },
      std::move(meta));
  return ticket;
}

absl::Status AuditTrail::Record(v1::AuditRecord record, std::optional<eventstore::AuditMeta> meta) {
  return RecordAsync(std::move(record), std::move(meta))->Wait();
}

std::shared_ptr<AuditTicket> AuditTrail::RecordDeliveryAsync(DeliveryCursor& cursor,
                                                             const v1::AuditChannel& channel) {
  if (log_ == nullptr) {
    cursor.disclosed().Clear();
    return AuditTicket::Done();
  }
  if (cursor.disclosed().empty()) return AuditTicket::Done();
  v1::AuditRecord record =
      NewAuditRecord(v1::AUDIT_OPERATION_DISCLOSE, cursor.recipient(), channel);
  cursor.disclosed().TakeInto(&record);
  return RecordAsync(std::move(record));
}

absl::Status AuditTrail::RecordDelivery(DeliveryCursor& cursor, const v1::AuditChannel& channel) {
  return RecordDeliveryAsync(cursor, channel)->Wait();
}

absl::Status AuditTrail::RecordConsultation(const v1::Actor& actor, const v1::AuditChannel& channel,
                                            const std::vector<std::string>& views,
                                            const std::vector<std::string>& people,
                                            DeliveryCursor* cursor) {
  if (log_ == nullptr) {
    if (cursor != nullptr) cursor->disclosed().Clear();
    return absl::OkStatus();
  }
  if (people.empty() && (cursor == nullptr || cursor->disclosed().empty())) {
    return absl::OkStatus();  // nothing personal shown
  }
  v1::AuditRecord record = NewAuditRecord(v1::AUDIT_OPERATION_CONSULT, actor, channel);
  if (cursor != nullptr) cursor->disclosed().TakeInto(&record, views);
  absl::flat_hash_set<std::string> named;
  for (const v1::AuditSubject& s : record.subjects()) named.insert(s.person_id());
  for (const std::string& person : people) {
    if (!named.insert(person).second) continue;
    v1::AuditSubject* subject = record.add_subjects();
    subject->set_person_id(person);
    for (const std::string& view : views) subject->add_views(view);
  }
  return Record(std::move(record));
}

absl::StatusOr<uint64_t> AuditTrail::EnforceRetention() {
  if (log_ == nullptr) return 0;
  const absl::Time cutoff = clock_->Now() - absl::Hours(24) * retention_days_;
  absl::StatusOr<eventstore::AuditErased> erased = log_->EraseBefore(cutoff);
  if (!erased.ok()) return erased.status();
  if (erased->count == 0) return 0;
  metrics_->RecordAuditErased(erased->count);
  v1::AuditRecord record;
  record.set_operation(v1::AUDIT_OPERATION_ERASE);
  record.mutable_actor()->set_system("iomhub");
  record.set_justification("audit retention");
  record.set_note(
      absl::StrCat("retention (", retention_days_, " days): erased audit records ", erased->first,
                   "..", erased->last, " (", erased->count, " records) committed before ",
                   absl::FormatTime(absl::RFC3339_sec, cutoff, absl::UTCTimeZone()),
                   "; a signed checkpoint at ", erased->last, " anchors the chain that remains"));
  LogLine(absl::StrCat("audit: ", record.note()));
  absl::Status recorded = Record(std::move(record));
  if (!recorded.ok()) return recorded;
  return erased->count;
}

void AuditTrail::StartRetention() {
  if (log_ == nullptr || retention_.joinable()) return;
  retention_ = std::thread([this] {
    do {
      absl::StatusOr<uint64_t> erased = EnforceRetention();
      if (!erased.ok())
        LogLine(absl::StrCat("audit: retention failed: ", erased.status().ToString()));
    } while (!stop_.WaitForNotificationWithTimeout(absl::Hours(24)));
  });
}

void AuditTrail::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (retention_.joinable()) retention_.join();
}

}  // namespace iomhub::services
