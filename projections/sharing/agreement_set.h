// AgreementSet: the sharing agreements the hub holds, as validated
// configuration (shared DOMAIN.md "Who may see what"). Each agreement is one
// iomhub.v1.Agreement in protobuf text, one file each, in the agreements
// folder; the hub loads the whole folder at start and on SIGHUP and keeps
// the previous set if the new one has any problem. The hub routes nothing
// that no agreement in force covers, so an empty set shares nothing.
//
// An AgreementSet is an immutable value: thread-safe, cheap to share behind
// a shared_ptr, copyable.
#ifndef IOMHUB_PROJECTIONS_SHARING_AGREEMENT_SET_H_
#define IOMHUB_PROJECTIONS_SHARING_AGREEMENT_SET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "iomhub/v1/agreement.pb.h"
#include "iomhub/v1/config.pb.h"

namespace iomhub::projections::sharing {

struct LoadedAgreement {
  v1::Agreement agreement;
  std::string file;                   // the path or name it was loaded from
  std::string file_sha256;            // lowercase hex SHA-256 of the file's bytes
  std::vector<std::string> warnings;  // "file:line:col: message"
};

class AgreementSet {
 public:
  AgreementSet() = default;  // holds nothing: nothing is in force
  // REQUIRES: `agreements` validated together (ParseAgreements).
  AgreementSet(std::vector<LoadedAgreement> agreements, std::string source);

  // Sorted by (id, version).
  const std::vector<LoadedAgreement>& agreements() const { return agreements_; }
  // The folder they were loaded from, or "".
  const std::string& source() const { return source_; }

  // Status ACTIVE and `day` within [valid_from, valid_until] (valid_until
  // empty: open-ended). False if a date does not parse.
  static bool InForce(const v1::Agreement& agreement, absl::CivilDay day);

  // The agreement `id` at `version`, nullptr if absent. Version 0: the
  // version in force on `day`, else the highest version. The pointer lives
  // as long as this set.
  const LoadedAgreement* Find(absl::string_view id, uint32_t version, absl::CivilDay day) const;

 private:
  std::vector<LoadedAgreement> agreements_;  // Invariant: sorted by (id, version)
  std::string source_;
};

struct AgreementFile {
  std::string name;  // labels locations; becomes LoadedAgreement::file
  std::string text;
};

// Parses and validates every file, and the files against each other: one
// (id, version) each, no two ACTIVE versions of an id in force on the same
// day. Each agreement needs an id of [a-z0-9-], a version, status, kind,
// title, legal gateway, purposes of [a-z0-9_], partners (each agency once,
// with its regime and areas of `teams`), valid dates and a retention; each
// data item names partners, known event types and fields of them, and only
// conditions that apply to its types. What the law forbids outright is
// refused: the NHS number for a non-health partner, IntelligenceFlagged to
// anyone but the police, any flow under an aggregates-only agreement.
// `teams` gives the area ids partners may name (none configured: any);
// `today` dates the review-date warning. `source` becomes source().
// INVALID_ARGUMENT: every problem of every file, one per line, each
// "name:line:column: message"; a file with a syntax error reports that and
// the others are still validated. Warnings (review date passed, no
// signatories) do not fail the load; they are in each LoadedAgreement.
absl::StatusOr<AgreementSet> ParseAgreements(std::vector<AgreementFile> files,
                                             const v1::TeamsConfig& teams, absl::CivilDay today,
                                             std::string source = "");

// Reads every regular file named *.textproto in `dir` (sorted by name;
// others ignored), then ParseAgreements with source `dir`.
// NOT_FOUND: `dir` is not a folder, or a file in it cannot be read.
// INVALID_ARGUMENT: it holds no agreement files, or as ParseAgreements.
absl::StatusOr<AgreementSet> LoadAgreements(const std::string& dir, const v1::TeamsConfig& teams,
                                            absl::CivilDay today);


}  // namespace iomhub::projections::sharing

#endif  // IOMHUB_PROJECTIONS_SHARING_AGREEMENT_SET_H_
