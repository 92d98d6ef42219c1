#include "clients/profile.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace iomhub::clients {
namespace {

constexpr const char* kKeys[] = {"hub",      "ca",   "cert", "key",     "server_name",
                                 "insecure", "user", "role", "purpose", "as_principal"};

bool Known(absl::string_view key) {
  for (const char* k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

}  // namespace

std::string ProfileEnvVar(absl::string_view key) {
  if (key == "user") return "IOMHUB_USER";
  if (key == "as_principal") return "IOMHUB_DEV_PRINCIPAL";
  return absl::StrCat("IOMHUB_", absl::AsciiStrToUpper(key));
}

std::string ProfilePath(absl::string_view name) {
  std::string dir;
  if (const char* explicit_dir = std::getenv("IOMCTL_PROFILE_DIR")) {
    dir = explicit_dir;
  } else if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    dir = absl::StrCat(xdg, "/iomctl");
  } else {
    const char* home = std::getenv("HOME");
    dir = absl::StrCat(home != nullptr ? home : ".", "/.config/iomctl");
  }
  return absl::StrCat(dir, "/", name, ".profile");
}

absl::StatusOr<std::map<std::string, std::string>> ParseProfile(absl::string_view text,
                                                                absl::string_view path) {
  std::map<std::string, std::string> out;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t equals = line.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": want `key = value`, got \"", line, "\""));
    }
    const std::string key(absl::StripAsciiWhitespace(line.substr(0, equals)));
    if (!Known(key)) {
      std::vector<std::string> keys(std::begin(kKeys), std::end(kKeys));
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": unknown key \"", key,
                                                     "\" (want one of ", absl::StrJoin(keys, ", "),
                                                     ")"));
    }
    out[key] = std::string(absl::StripAsciiWhitespace(line.substr(equals + 1)));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> LoadProfile(absl::string_view name) {
  const std::string path = ProfilePath(name);
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("no profile \"", name, "\": cannot read ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseProfile(text.str(), path);
}

}  // namespace iomhub::clients
