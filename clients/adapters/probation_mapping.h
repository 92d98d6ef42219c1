// The probation feed: HMPPS domain events as published nationally (the
// JSON envelope: eventType, version, occurredAt, description, detailUrl,
// personReference.identifiers[{type: CRN|NOMS, value}],
// additionalInformation), raw or wrapped in an SNS notification (Type
// "Notification", MessageId, Message holding the event JSON,
// MessageAttributes.eventType). The mapping table is docs/probation-feed.md.
//
// Each event type is produced by one agency: probation's (probation-case.*,
// enforcement.*) or prison's (prison-offender-events.*). The adapter runs
// with one principal, so it takes the types of that agency and skips the
// others, saying which certificate would take them.
#ifndef IOMHUB_CLIENTS_ADAPTERS_PROBATION_MAPPING_H_
#define IOMHUB_CLIENTS_ADAPTERS_PROBATION_MAPPING_H_

#include "absl/strings/string_view.h"
#include "clients/adapters/feed_runner.h"

namespace iomhub::adapters {

inline constexpr char kHmppsSource[] = "hmpps-domain-events";

enum class HmppsAgency { kProbation, kPrison };

// Maps one message for an adapter running as `agency`. The source id is
// the SNS MessageId when wrapped, else a digest of the event text.
Mapped MapHmppsMessage(absl::string_view json, HmppsAgency agency);

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_PROBATION_MAPPING_H_
