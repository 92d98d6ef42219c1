// The police feed: a force records system's export as JSON lines, one
// message a line, in the format of docs/police-feed.md. Maps each message
// to the hub event it records (arrests, charges, warrants issued and
// executed, police-led IOM contacts and their outcomes, intelligence flags
// with reference and category only).
#ifndef IOMHUB_CLIENTS_ADAPTERS_POLICE_MAPPING_H_
#define IOMHUB_CLIENTS_ADAPTERS_POLICE_MAPPING_H_

#include "absl/strings/string_view.h"
#include "clients/adapters/feed_runner.h"

namespace iomhub::adapters {

inline constexpr char kPoliceSource[] = "police-feed";

Mapped MapPoliceMessage(absl::string_view json);

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_POLICE_MAPPING_H_
