#include "services/collection_recorder.h"

#include <map>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "eventstore/event_types.h"
#include "projections/alert_rules/command_rules.h"
#include "projections/projection.h"
#include "services/auth.h"
#include "services/disclosure_ledger.h"

namespace iomhub::services {
namespace {

constexpr size_t kBatchEvents = 2000;

bool IsAlteration(const v1::Event& event) {
  return event.payload_case() == v1::Event::kAgreementChanged ||
         !projections::alert_rules::OverrideReasonOf(event).empty();
}

v1::Actor ActorOf(const v1::Producer& producer) {
  v1::Actor actor;
  actor.set_agency(producer.agency());
  actor.set_organisation(producer.organisation());
  actor.set_area(producer.area());
  actor.set_system(producer.system());
  actor.set_user_id(producer.user_id());
  // The producer's role as the caller asserted it (unknown: left unset).
  absl::StatusOr<v1::Role> role = RoleFromName(producer.role());
  if (role.ok()) actor.set_role(*role);
  actor.set_purpose(producer.purpose());
  return actor;
}

}  // namespace

CollectionRecorder::CollectionRecorder(eventstore::EventStore* log, AuditTrail* audit)
    : log_(log), audit_(audit) {}

CollectionRecorder::~CollectionRecorder() { Stop(); }

void CollectionRecorder::Start() {
  if (!audit_->enabled() || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void CollectionRecorder::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<uint64_t> CollectionRecorder::Checkpoint() {
  IOMHUB_ASSIGN_OR_RETURN(std::optional<std::string> value, audit_->log()->GetMeta(kCheckpoint));
  uint64_t position = 0;
  if (value.has_value() && !absl::SimpleAtoi(*value, &position)) {
    return absl::DataLossError(
        absl::StrCat("the audit log's ", kCheckpoint, " \"", *value, "\" is not a position"));
  }
  return position;
}

absl::StatusOr<uint64_t> CollectionRecorder::CatchUp() {
  if (!audit_->enabled()) return 0;
  absl::MutexLock lock(&mu_);
  IOMHUB_ASSIGN_OR_RETURN(uint64_t done, Checkpoint());
  const uint64_t head = log_->CommittedPosition();
  while (done < head) {
    IOMHUB_ASSIGN_OR_RETURN(eventstore::ReadBatch batch, log_->ReadAll(done + 1, kBatchEvents));
    if (batch.events.empty()) break;
    // One record per (operation, producer) in this run of events.
    using Key = std::tuple<int, std::string, std::string, std::string, std::string>;
    std::map<Key, v1::AuditRecord> records;
    const eventstore::EventTypes& types = eventstore::EventTypes::Get();
    for (const v1::Event& event : batch.events) {
      const v1::Producer& p = event.producer();
      const v1::AuditOperation operation =
          IsAlteration(event) ? v1::AUDIT_OPERATION_ALTER : v1::AUDIT_OPERATION_COLLECT;
      v1::AuditRecord& record =
          records[{operation, p.system(), p.user_id(), p.role(), p.purpose()}];
      if (record.operation() == v1::AUDIT_OPERATION_UNSPECIFIED) {
        record.set_operation(operation);
        *record.mutable_actor() = ActorOf(p);
        record.set_justification(p.purpose());
        record.mutable_channel()->set_method("iomhub.v1.EventService/Append");
      }
      absl::string_view person = projections::PersonIdIn(event.stream());
      v1::AuditSubject* subject = nullptr;
      if (!record.subjects().empty() &&
          record.subjects(record.subjects_size() - 1).person_id() == person) {
        subject = record.mutable_subjects(record.subjects_size() - 1);
      } else {
        subject = record.add_subjects();
        subject->set_person_id(std::string(person));  // "" for hub records
      }
      AddRef(subject, event.position(), types.NameForField(static_cast<int>(event.payload_case())));
      done = event.position();
    }
    // The checkpoint travels with the last record of the run.
    size_t left = records.size();
    for (auto& [key, record] : records) {
      std::optional<eventstore::AuditMeta> meta;
      if (--left == 0) meta = eventstore::AuditMeta{kCheckpoint, absl::StrCat(done)};
      IOMHUB_RETURN_IF_ERROR(audit_->Record(std::move(record), std::move(meta)));
    }
    if (batch.end) break;
  }
  return done;
}

void CollectionRecorder::Run() {
  uint64_t reached = 0;
  while (!stopping_) {
    absl::StatusOr<uint64_t> done = CatchUp();
    if (!done.ok()) {
      LogLine(absl::StrCat("audit: recording collection failed (retrying): ",
                           done.status().ToString()));
      absl::SleepFor(absl::Seconds(1));
      continue;
    }
    reached = *done;
    log_->watermark().WaitFor(reached + 1, absl::Now() + absl::Milliseconds(200));
  }
  // What was committed before the stop is recorded too.
  absl::StatusOr<uint64_t> done = CatchUp();
  if (!done.ok()) LogLine(absl::StrCat("audit: recording collection: ", done.status().ToString()));
}

}  // namespace iomhub::services
