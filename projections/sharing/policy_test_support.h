// Test-only helpers for the sharing policy's tests: the shipped agreements
// and teams, recipients as the shipped principals name them, and an
// EventInput over one event and a person's facts.
#ifndef IOMHUB_PROJECTIONS_SHARING_POLICY_TEST_SUPPORT_H_
#define IOMHUB_PROJECTIONS_SHARING_POLICY_TEST_SUPPORT_H_

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "absl/time/civil_time.h"
#include "eventstore/event_peek.h"
#include "eventstore/record_codec.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "projections/sharing/agreement_set.h"
#include "projections/sharing/policy.h"

namespace iomhub::projections::sharing::testing {

inline constexpr char kPurpose[] = "iom_case_management";
// A day every shipped agreement is in force.
inline constexpr absl::CivilDay kToday(2027, 1, 15);
inline const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2027, 1, 15, 12, 0, 0),
                                               absl::UTCTimeZone());

inline std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(IOMHUB_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline v1::TeamsConfig ShippedTeams() {
  v1::TeamsConfig teams;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      ReadSourceFile("deploy/config/teams.textproto"), &teams));
  return teams;
}

inline AgreementSet ShippedAgreements() {
  absl::StatusOr<AgreementSet> set = LoadAgreements(
      std::string(IOMHUB_SOURCE_DIR) + "/deploy/config/agreements", ShippedTeams(), kToday);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *std::move(set) : AgreementSet();
}

inline v1::Actor Recipient(v1::AgencyKind agency, std::string organisation, std::string area,
                           std::string purpose = kPurpose) {
  v1::Actor actor;
  actor.set_agency(agency);
  actor.set_organisation(std::move(organisation));
  actor.set_area(std::move(area));
  actor.set_system("test-system");
  actor.set_user_id("user-1");
  actor.set_purpose(std::move(purpose));
  return actor;
}

// The Gwent partners (a person in the gwent-newport team is theirs).
inline v1::Actor Police() { return Recipient(v1::AGENCY_KIND_POLICE, "Gwent Police", "gwent"); }
inline v1::Actor Probation() {
  return Recipient(v1::AGENCY_KIND_PROBATION, "Probation Service Wales", "gwent");
}
inline v1::Actor Housing() {
  return Recipient(v1::AGENCY_KIND_HOUSING, "Newport City Council Housing", "gwent");
}
inline v1::Actor Health() {
  return Recipient(v1::AGENCY_KIND_HEALTH, "Aneurin Bevan University Health Board", "gwent");
}
inline v1::Actor Prison() { return Recipient(v1::AGENCY_KIND_PRISON, "HMP Cardiff", "south-wales"); }
inline v1::Actor Employment() { return Recipient(v1::AGENCY_KIND_EMPLOYMENT, "Working Wales", ""); }
inline v1::Actor HubAdmin() {
  return Recipient(v1::AGENCY_KIND_HUB_ADMIN, "iomhub operations", "", "operations");
}
inline v1::Actor Auditor() {
  return Recipient(v1::AGENCY_KIND_AUDITOR, "Data Protection Officer", "", "audit");
}

// One event (its stored bytes, as the log holds them) and the facts of its
// person; counts what the policy asked for.
class FakeInput : public EventInput {
 public:
  FakeInput(v1::Event event, std::optional<SharingFacts> facts)
      : event_(std::move(event)),
        bytes_(eventstore::SerializeDeterministic(event_)),
        facts_(std::move(facts)) {
    absl::StatusOr<eventstore::EventPeek> peek = eventstore::PeekEvent(bytes_);
    EXPECT_TRUE(peek.ok()) << peek.status();
    if (peek.ok()) peek_ = *peek;
  }
  uint64_t position() const override { return event_.position(); }
  const eventstore::EventPeek& peek() const override { return peek_; }
  absl::StatusOr<const v1::Event*> Payload() override {
    ++parses;
    return &event_;
  }
  absl::StatusOr<const SharingFacts*> Facts() override {
    ++facts_reads;
    return facts_.has_value() ? &*facts_ : nullptr;
  }
  const v1::Event& event() const { return event_; }

  int parses = 0;
  int facts_reads = 0;

 private:
  v1::Event event_;
  std::string bytes_;
  std::optional<SharingFacts> facts_;
  eventstore::EventPeek peek_;
};

}  // namespace iomhub::projections::sharing::testing

#endif  // IOMHUB_PROJECTIONS_SHARING_POLICY_TEST_SUPPORT_H_
