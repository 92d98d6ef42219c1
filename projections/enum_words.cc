#include "projections/enum_words.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "iomhub/v1/actor.pb.h"
#include "iomhub/v1/agency.pb.h"

namespace iomhub::projections {
namespace {

// The lower-case name of an enum value without its prefix, or `what` and
// the number if the value has no name.
std::string Token(const std::string& name, absl::string_view prefix, absl::string_view what,
                  int number) {
  if (name.empty()) return absl::StrCat(what, " ", number);
  return absl::AsciiStrToLower(absl::StripPrefix(name, prefix));
}

}  // namespace

std::string RoleName(int role) { return Token(v1::Role_Name(role), "ROLE_", "role", role); }

std::string AgencyName(int agency) {
  return Token(v1::AgencyKind_Name(agency), "AGENCY_KIND_", "agency", agency);
}

std::string EnumWords(absl::string_view name, absl::string_view prefix) {
  std::string words = absl::AsciiStrToLower(absl::StripPrefix(name, prefix));
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

}  // namespace iomhub::projections
