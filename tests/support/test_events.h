// Valid events, person stream ids and call metadata for cross-layer tests.
// Test-only; all functions are thread-safe.
#ifndef IOMHUB_TESTS_SUPPORT_TEST_EVENTS_H_
#define IOMHUB_TESTS_SUPPORT_TEST_EVENTS_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::testing {

// "person-<fresh uuid>".
std::string NewPersonStream();

// A valid ContactScheduled event: fresh random event_id, occurred_at now,
// no stream (the append names it). `contact_id` lets tests make events that
// differ only in content.
v1::Event NewContactEvent(absl::string_view contact_id = "contact-1");

// A valid ArrestRecorded event (a second police event type, for type
// filters).
v1::Event NewArrestEvent(absl::string_view custody_ref = "CUS-1");

// An event with a fresh event_id and occurred_at now but no payload yet:
// tests set the one they need.
v1::Event NewBareEvent();

// A NominalReferred to IOM team `team_id`.
v1::Event ReferredTo(absl::string_view team_id, absl::string_view reason = "");

// A CohortSelected onto `team_id`'s IOM, in `cohort` and `strand`.
v1::Event SelectedFor(absl::string_view team_id, v1::Cohort cohort = v1::COHORT_FIXED,
                      v1::Strand strand = v1::STRAND_NEIGHBOURHOOD_CRIME);

// The user, role and purpose a partner system asserts in call metadata.
struct CallAs {
  std::string user_id = "pc-4521";
  std::string role = "sergeant";
  std::string purpose = "iom_case_management";
  // Insecure (plaintext) hubs only: the principal id to act as, sent as
  // iomhub-dev-principal (a mTLS hub ignores it). Empty: the built-in
  // development hub admin. Default: the Gwent Police system.
  std::string dev_principal = "gwent-police-niche";
};

// Adds iomhub-user-id, iomhub-role and iomhub-purpose (empty values are
// left out, so tests can omit one).
void AddCallMetadata(grpc::ClientContext* context, const CallAs& as = {});

// A context with the call metadata and a deadline `timeout` from now.
std::unique_ptr<grpc::ClientContext> NewCallContext(const CallAs& as = {},
                                                    absl::Duration timeout = absl::Seconds(30));

// The part of `event` a client chose, as deterministic bytes: the hub-set
// fields (recorded_at, position, stream_version, and the producer when
// `ignore_producer`) cleared. Equal bytes mean the hub stored what was sent.
std::string ClientContent(v1::Event event, bool ignore_producer = true);

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_SUPPORT_TEST_EVENTS_H_
