// Test-only helpers that build valid events for the eventstore tests.
#ifndef IOMHUB_EVENTSTORE_TEST_EVENTS_H_
#define IOMHUB_EVENTSTORE_TEST_EVENTS_H_

#include <cstdio>
#include <string>

#include "common/ids.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore::testing {

// A canonical person stream id that is the same for the same `n`.
inline std::string PersonStream(int n) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "person-00000000-0000-4000-8000-%012d", n);
  return buf;
}

// A valid ContactScheduled event with a fresh id. `contact_id` lets tests
// make events that differ only in content.
inline v1::Event ContactEvent(const std::string& contact_id = "contact-1") {
  v1::Event event;
  event.set_event_id(NewUuid());
  event.mutable_occurred_at()->set_seconds(1700000000);
  event.mutable_occurred_at()->set_nanos(123);
  event.mutable_producer()->set_agency(v1::AGENCY_KIND_POLICE);
  event.mutable_producer()->set_system("gwent-niche");
  auto* payload = event.mutable_contact_scheduled();
  payload->set_contact_id(contact_id);
  payload->set_mode(v1::CONTACT_MODE_HOME_VISIT);
  payload->set_duration_minutes(30);
  return event;
}

// A valid AlertRaised event with a fresh id (a second type, for filters).
inline v1::Event AlertEvent(const std::string& rule = "CONTACTS_BELOW_PLAN") {
  v1::Event event;
  event.set_event_id(NewUuid());
  event.mutable_occurred_at()->set_seconds(1700000100);
  event.mutable_alert_raised()->set_rule(rule);
  return event;
}

}  // namespace iomhub::eventstore::testing

#endif  // IOMHUB_EVENTSTORE_TEST_EVENTS_H_
