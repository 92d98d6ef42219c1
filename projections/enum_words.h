// How messages, config files and call metadata name proto enum values, so
// every layer spells a role or an agency the same way. Pure; thread-safe.
#ifndef IOMHUB_PROJECTIONS_ENUM_WORDS_H_
#define IOMHUB_PROJECTIONS_ENUM_WORDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace iomhub::projections {

// "head_of_pdu" for ROLE_HEAD_OF_PDU: as the iomhub-role call metadata and
// config files spell it; "role 42" for a number the proto does not name.
std::string RoleName(int role);

// "police", "hub_admin" for AGENCY_KIND_POLICE, AGENCY_KIND_HUB_ADMIN;
// "agency 42" for a number the proto does not name.
std::string AgencyName(int agency);

// An enum value in a sentence: "unacceptable absence" for
// EnumWords("CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE", "CONTACT_OUTCOME_").
std::string EnumWords(absl::string_view name, absl::string_view prefix);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_ENUM_WORDS_H_
