#include "tests/support/test_events.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace iomhub::testing {
namespace {

void SetNow(google::protobuf::Timestamp* ts) {
  const int64_t micros = absl::ToUnixMicros(absl::Now());
  ts->set_seconds(micros / 1000000);
  ts->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

}  // namespace

std::string NewPersonStream() { return absl::StrCat("person-", NewUuid()); }

v1::Event NewBareEvent() {
  v1::Event e = NewContactEvent();
  e.clear_contact_scheduled();
  return e;
}

v1::Event ReferredTo(absl::string_view team_id, absl::string_view reason) {
  v1::Event e = NewBareEvent();
  e.mutable_nominal_referred()->set_team_id(std::string(team_id));
  if (!reason.empty()) e.mutable_nominal_referred()->set_referral_reason(std::string(reason));
  return e;
}

v1::Event SelectedFor(absl::string_view team_id, v1::Cohort cohort, v1::Strand strand) {
  v1::Event e = NewBareEvent();
  e.mutable_cohort_selected()->set_cohort(cohort);
  e.mutable_cohort_selected()->set_strand(strand);
  e.mutable_cohort_selected()->set_team_id(std::string(team_id));
  return e;
}

v1::Event NewContactEvent(absl::string_view contact_id) {
  v1::Event event;
  event.set_event_id(NewUuid());
  SetNow(event.mutable_occurred_at());
  event.set_handling(v1::HANDLING_MARKING_OFFICIAL_SENSITIVE);
  event.set_correlation_id(NewUuid());
  v1::ContactScheduled* contact = event.mutable_contact_scheduled();
  contact->set_contact_id(std::string(contact_id));
  contact->set_mode(v1::CONTACT_MODE_HOME_VISIT);
  contact->set_duration_minutes(45);
  contact->set_lead_agency(v1::LEAD_AGENCY_POLICE);
  contact->set_source_system_ref("niche:OCC-2024-0001");
  // Tomorrow, an hour after the previous one: a person's appointments never
  // overlap (the hub refuses overlapping ones, DOMAIN.md rule 10).
  static std::atomic<int64_t> hours{0};
  SetNow(contact->mutable_scheduled_for());
  contact->mutable_scheduled_for()->set_seconds(contact->scheduled_for().seconds() + 86400 +
                                                3600 * hours.fetch_add(1));
  return event;
}

v1::Event NewArrestEvent(absl::string_view custody_ref) {
  v1::Event event;
  event.set_event_id(NewUuid());
  SetNow(event.mutable_occurred_at());
  event.mutable_arrest_recorded()->set_custody_ref(std::string(custody_ref));
  event.mutable_arrest_recorded()->set_station("Newport Central");
  return event;
}

void AddCallMetadata(grpc::ClientContext* context, const CallAs& as) {
  if (!as.dev_principal.empty()) context->AddMetadata("iomhub-dev-principal", as.dev_principal);
  if (!as.user_id.empty()) context->AddMetadata("iomhub-user-id", as.user_id);
  if (!as.role.empty()) context->AddMetadata("iomhub-role", as.role);
  if (!as.purpose.empty()) context->AddMetadata("iomhub-purpose", as.purpose);
}

std::unique_ptr<grpc::ClientContext> NewCallContext(const CallAs& as, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  AddCallMetadata(context.get(), as);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

std::string ClientContent(v1::Event event, bool ignore_producer) {
  event.clear_recorded_at();
  event.clear_position();
  event.clear_stream_version();
  if (ignore_producer) event.clear_producer();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    event.SerializeToCodedStream(&out);
  }
  return bytes;
}

}  // namespace iomhub::testing
