#include "clients/simulate/scenario.h"

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace iomhub::simulate {
namespace {

std::string DeterministicBytes(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

}  // namespace

bool IsDecisionStep(const Step& step) {
  if (step.events.size() != 1) return false;
  switch (step.events[0].payload_case()) {
    case v1::Event::kBreachConsiderationOpened:
    case v1::Event::kPositionRecorded:
    case v1::Event::kDecisionEscalated:
    case v1::Event::kJointDecisionRecorded:
    case v1::Event::kBreachConsiderationWithdrawn:
      return true;
    default:
      return false;
  }
}

std::string StreamOf(const PersonInfo& person) { return absl::StrCat("person-", person.person_id); }

std::string Digest(const Scenario& scenario) {
  Sha256 sha;
  sha.UpdateFramed(scenario.run_key);
  for (const Step& step : scenario.steps) {
    sha.UpdateFramed(absl::StrCat(absl::ToUnixNanos(step.at), "/", step.person, "/",
                                  step.sender.principal, "/", step.sender.role, "/",
                                  step.sender.user));
    for (const v1::Event& e : step.events) sha.UpdateFramed(DeterministicBytes(e));
  }
  return sha.FinishHex();
}

std::string EventTypeName(const v1::Event& event) {
  const google::protobuf::FieldDescriptor* field =
      v1::Event::descriptor()->FindFieldByNumber(static_cast<int>(event.payload_case()));
  return field != nullptr ? field->message_type()->name() : "(none)";
}

}  // namespace iomhub::simulate
