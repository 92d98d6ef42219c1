// FHIR R4 Subscription notifications for health partners, following the
// Subscriptions R5 Backport IG (hl7.fhir.uv.subscriptions-backport, STU
// 1.1): a `history` Bundle whose first and only entry is a `Parameters`
// resource with the backport SubscriptionStatus profile, `id-only` — the
// focus is a reference, never content. The notification for an event is
// deterministic (ids and timestamp come from the subscription, the event
// number and the event), so a resend is byte-identical and a receiver can
// de-duplicate by `event-number`.
#ifndef IOMHUB_CLIENTS_ADAPTERS_FHIR_NOTIFICATION_H_
#define IOMHUB_CLIENTS_ADAPTERS_FHIR_NOTIFICATION_H_

#include <cstdint>
#include <string>

#include "iomhub/v1/envelope.pb.h"

namespace iomhub::adapters {

struct FhirSubscription {
  // The Subscription's URL, e.g. "https://iomhub.example/fhir/Subscription/aneurin-bevan".
  std::string subscription_url;
  // The topic canonical, e.g. "https://iomhub.example/fhir/SubscriptionTopic/iom-health".
  std::string topic;
  // Base of the focus references, e.g. "https://iomhub.example/fhir": the
  // focus is <base>/Basic/iomhub-event-<position>, the person
  // <base>/Patient/<hub person id>.
  std::string base_url;
};

// The id-only event-notification for `event`, the `event_number`th of the
// subscription (1-based; also events-since-subscription-start).
std::string IdOnlyNotification(const FhirSubscription& subscription, uint64_t event_number,
                               const v1::Event& event);

// The event type name of `event` ("ReferralSent").
std::string EventTypeName(const v1::Event& event);

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_FHIR_NOTIFICATION_H_
