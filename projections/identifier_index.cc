#include "projections/identifier_index.h"

#include "absl/strings/str_cat.h"
#include "projections/case_view_projection.h"

namespace iomhub::projections {
namespace {

constexpr absl::string_view kSep("\0", 1);
// Merges are followed at most this far (a loop would be a data error).
constexpr int kMaxMergeHops = 16;

std::string IdentifierKey(v1::IdentifierKind kind, absl::string_view value) {
  return absl::StrCat("i", kSep, v1::IdentifierKind_Name(kind), kSep, value);
}

std::string MergedKey(absl::string_view merged) { return absl::StrCat("r", kSep, merged); }

bool Indexable(v1::IdentifierKind kind) {
  return kind != v1::IDENTIFIER_KIND_UNSPECIFIED && kind != v1::IDENTIFIER_KIND_NHS;
}

}  // namespace

bool IdentifierIndexProjection::Wants(const eventstore::EventPeek& event) const {
  return IsPersonStream(event.stream) &&
         (event.payload_field == v1::Event::kIdentifierLinkedFieldNumber ||
          event.payload_field == v1::Event::kIdentitiesMergedFieldNumber);
}

absl::Status IdentifierIndexProjection::Apply(const v1::Event& event, ViewTxn& txn) const {
  const std::string person = PersonIdOf(event.stream());
  if (event.has_identifier_linked()) {
    const v1::IdentifierLinked& linked = event.identifier_linked();
    if (Indexable(linked.kind()) && !linked.value().empty()) {
      txn.Put(IdentifierKey(linked.kind(), linked.value()), person);
    }
  } else if (event.has_identities_merged()) {
    const std::string& merged = event.identities_merged().merged_person_id();
    if (!merged.empty() && merged != person) txn.Put(MergedKey(merged), person);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> LookUpPerson(eventstore::ViewStore& views, const std::string& view,
                                         v1::IdentifierKind kind, const std::string& value) {
  if (kind == v1::IDENTIFIER_KIND_NHS) {
    return absl::InvalidArgumentError(
        "the NHS number is never a join key: it stays in the health partition");
  }
  if (!Indexable(kind) || !v1::IdentifierKind_IsValid(kind)) {
    return absl::InvalidArgumentError("the identifier kind is missing or unknown");
  }
  absl::StatusOr<std::optional<std::string>> found = views.Get(view, IdentifierKey(kind, value));
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no person has ", v1::IdentifierKind_Name(kind), " ", value));
  }
  std::string person = **found;
  for (int hop = 0; hop < kMaxMergeHops; ++hop) {
    absl::StatusOr<std::optional<std::string>> into = views.Get(view, MergedKey(person));
    if (!into.ok()) return into.status();
    if (!into->has_value()) return person;
    person = **into;
  }
  return absl::DataLossError(absl::StrCat("identity merges starting at ", value, " form a loop"));
}

}  // namespace iomhub::projections
