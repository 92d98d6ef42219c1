// Helpers the query commands share: parsing enum and time flags, short
// names for enum values, printing a response as JSON or as a summary.
#ifndef IOMHUB_CLIENTS_IOMCTL_QUERY_FLAGS_H_
#define IOMHUB_CLIENTS_IOMCTL_QUERY_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "clients/iomctl/command_env.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"

namespace iomhub::iomctl {

// Parses "<prefix><NAME>" enum values from lower-case flag text.
template <typename Enum, typename ParseFn>
absl::StatusOr<Enum> ParseEnumFlag(absl::string_view flag, absl::string_view text,
                                   absl::string_view prefix, ParseFn parse) {
  Enum value{};
  if (text.empty()) return value;
  if (!parse(absl::StrCat(prefix, absl::AsciiStrToUpper(text)), &value)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, "=", text, ": unknown value"));
  }
  return value;
}

// --flag=TEXT as a timestamp (RFC 3339); empty leaves `out` unset.
inline absl::Status ParseTimeFlag(absl::string_view flag, absl::string_view text,
                                  google::protobuf::Timestamp* out) {
  if (text.empty()) return absl::OkStatus();
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", text, ": want RFC 3339, e.g. 2026-12-01T09:00:00Z (", error, ")"));
  }
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return absl::OkStatus();
}

inline absl::Status ParseAsOf(absl::string_view text, google::protobuf::Timestamp* out) {
  return ParseTimeFlag("as_of", text, out);
}

// "COHORT_FIXED" → "fixed": an enum value name without its prefix.
inline std::string Short(const google::protobuf::EnumDescriptor* descriptor, int value,
                  absl::string_view prefix) {
  const auto* named = descriptor->FindValueByNumber(value);
  if (named == nullptr) return absl::StrCat(value);
  std::string text(absl::StripPrefix(named->name(), prefix));
  absl::AsciiStrToLower(&text);
  absl::StrReplaceAll({{"_", " "}}, &text);
  return text;
}

inline std::string Day(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(t.seconds()), absl::UTCTimeZone());
}

// Prints `response` as a JSON line, or through `summarize` for people.
template <typename Response>
int PrintResponse(const CommandEnv& env, const Response& response, bool summary,
                  std::string (*summarize)(const Response&)) {
  if (summary) {
    *env.out << summarize(response);
    return kExitOk;
  }
  OutputTally output(env);
  output.Print(response);
  return output.ExitCode(kExitOk);
}

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_QUERY_FLAGS_H_
