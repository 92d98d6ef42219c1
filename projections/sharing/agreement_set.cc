#include "projections/sharing/agreement_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "eventstore/event_types.h"
#include "common/sha256.h"
#include "iomhub/v1/envelope.pb.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/calendar.h"
#include "projections/text_locations.h"

namespace iomhub::projections::sharing {
namespace {

constexpr size_t kMaxIdSize = 100;

bool IsIdChar(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-'; }
bool IsPurposeChar(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_'; }
bool IsRuleChar(char c) { return absl::ascii_isupper(c) || absl::ascii_isdigit(c) || c == '_'; }

bool IsWord(absl::string_view text, bool (*allowed)(char)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), allowed);
}

bool IsAgency(int kind) {
  return v1::AgencyKind_IsValid(kind) && kind != v1::AGENCY_KIND_UNSPECIFIED;
}

// The enum value's name, or its number if it has none (text format accepts
// any number for a proto3 enum).
std::string AgencyName(int kind) {
  const std::string& name = v1::AgencyKind_Name(kind);
  return name.empty() ? absl::StrCat(kind) : name;
}

// The payload message of event type `name`, or nullptr if there is no such type.
const google::protobuf::Descriptor* PayloadOf(absl::string_view name) {
  const int field = eventstore::EventTypes::Get().FieldForName(name);
  return field == 0 ? nullptr : v1::Event::descriptor()->FindFieldByNumber(field)->message_type();
}

template <typename Container, typename Value>
bool Contains(const Container& container, const Value& value) {
  return std::find(container.begin(), container.end(), value) != container.end();
}

// A condition that narrows a data item, and the event types it can narrow.
struct Condition {
  std::string field;  // of v1::DataItem
  std::vector<std::string> types;
};

const std::vector<Condition>& Conditions() {
  static const auto* conditions = new std::vector<Condition>{
      {"only_contacts_led_by_recipient", {"ContactScheduled", "ContactOutcomeRecorded"}},
      {"only_services", {"ReferralSent", "ReferralOutcomeRecorded", "TreatmentEngagementChanged",
                         "AlertRaised", "AlertResolved"}},
      {"only_consents_for_recipient", {"ConsentRecorded", "ConsentWithdrawn"}},
      {"only_alert_rules", {"AlertRaised", "AlertResolved"}},
  };
  return *conditions;
}

bool IsSet(const google::protobuf::Message& message, const std::string& field) {
  const auto* descriptor = message.GetDescriptor()->FindFieldByName(field);
  const auto* reflection = message.GetReflection();
  return descriptor->is_repeated() ? reflection->FieldSize(message, descriptor) > 0
                                   : reflection->HasField(message, descriptor);
}

// Validates one parsed agreement on its own, appending "where: message"
// lines to `errors` and `warnings`.
class AgreementChecker {
 public:
  AgreementChecker(const v1::Agreement& agreement, const TextLocations& text,
                   const absl::flat_hash_set<std::string>& areas, absl::CivilDay today,
                   std::vector<std::string>* errors, std::vector<std::string>* warnings)
      : agreement_(agreement),
        text_(text),
        root_{text.Root(), absl::StrCat("agreement \"", agreement.id(), "\"")},
        areas_(areas),
        today_(today),
        errors_(errors),
        warnings_(warnings) {}

  void Check() {
    CheckHeader();
    CheckDates();
    CheckPartners();
    CheckDataItems();
    CheckConsent();
  }

 private:
  // A message being checked: where it is, and what problems call it.
  struct Subject {
    TextMessage at;
    std::string name;
  };

  Subject Nested(absl::string_view field, int index, std::string name) const {
    return {text_.Nested(root_.at, field, index), std::move(name)};
  }

  // A problem with `field` (element `index` if repeated) of `subject`, or
  // with the subject itself.
  void Error(const Subject& subject, absl::string_view field, int index,
             absl::string_view message) {
    errors_->push_back(
        absl::StrCat(text_.Where(subject.at, field, index), ": ", subject.name, ": ", message));
  }
  void Error(const Subject& subject, absl::string_view field, absl::string_view message) {
    Error(subject, field, -1, message);
  }
  void Error(const Subject& subject, absl::string_view message) {
    errors_->push_back(absl::StrCat(subject.at.where, ": ", subject.name, ": ", message));
  }
  // A warning about `field` of the agreement ("": the agreement itself).
  void Warn(absl::string_view field, absl::string_view message) {
    warnings_->push_back(
        absl::StrCat(text_.Where(root_.at, field), ": ", root_.name, ": ", message));
  }

  void CheckHeader() {
    if (!IsWord(agreement_.id(), IsIdChar) || agreement_.id().size() > kMaxIdSize) {
      Error(root_, "id", "the id must be 1..100 characters of [a-z0-9-]");
    }
    if (agreement_.version() < 1) Error(root_, "version", "version must be 1 or more");
    if (!v1::AgreementStatus_IsValid(agreement_.status()) ||
        agreement_.status() == v1::AGREEMENT_STATUS_UNSPECIFIED) {
      Error(root_, "status", "status is required (AGREEMENT_STATUS_DRAFT, _ACTIVE, ...)");
    }
    if (!v1::AgreementKind_IsValid(agreement_.kind()) ||
        agreement_.kind() == v1::AGREEMENT_KIND_UNSPECIFIED) {
      Error(root_, "kind", "kind is required (AGREEMENT_KIND_INFORMATION_SHARING_PROTOCOL, ...)");
    }
    if (agreement_.title().empty()) Error(root_, "title", "title is required");
    if (agreement_.legal_gateway().empty()) {
      Error(root_, "legal_gateway", "legal_gateway is required: the law that allows it");
    }
    if (agreement_.purposes().empty()) Error(root_, "at least one purpose is required");
    for (int i = 0; i < agreement_.purposes_size(); ++i) {
      if (!IsWord(agreement_.purposes(i), IsPurposeChar)) {
        Error(root_, "purposes", i,
              absl::StrCat("purpose \"", agreement_.purposes(i), "\" must be [a-z0-9_]+"));
      }
    }
    if (agreement_.retention_days() == 0) {
      Error(root_, "retention_days", "retention_days must be more than 0");
    }
    if (agreement_.signatories().empty()) Warn("", "no signatories: nobody has signed it");
  }

  // The date in `field`, reporting one that is not a date; nullopt if unset.
  std::optional<absl::CivilDay> DateField(absl::string_view field, const std::string& value) {
    if (value.empty()) return std::nullopt;
    const auto day = ParseDate(value);
    if (!day) {
      Error(root_, field, absl::StrCat(field, " \"", value, "\" is not a date (YYYY-MM-DD)"));
    }
    return day;
  }

  void CheckDates() {
    if (agreement_.valid_from().empty()) Error(root_, "valid_from is required");
    const auto from = DateField("valid_from", agreement_.valid_from());
    const auto until = DateField("valid_until", agreement_.valid_until());
    const auto review = DateField("review_date", agreement_.review_date());
    if (from && until && *until < *from) {
      Error(root_, "valid_until",
            absl::StrCat("valid_until ", agreement_.valid_until(), " is before valid_from ",
                         agreement_.valid_from()));
    }
    if (review && *review < today_) {
      Warn("review_date", absl::StrCat("review date ", agreement_.review_date(), " has passed"));
    }
  }

  void CheckPartners() {
    if (agreement_.partners().empty()) Error(root_, "at least one partner is required");
    for (int i = 0; i < agreement_.partners_size(); ++i) {
      const v1::Partner& partner = agreement_.partners(i);
      const Subject subject = Nested(
          "partners", i, absl::StrCat(root_.name, ", partner ", AgencyName(partner.agency())));
      if (!IsAgency(partner.agency())) {
        Error(subject, "agency", "agency is required");
      } else if (!partners_.insert(partner.agency()).second) {
        Error(subject, "agency", "this agency kind is a partner twice");
      }
      if (!v1::LegalRegime_IsValid(partner.regime()) ||
          partner.regime() == v1::LEGAL_REGIME_UNSPECIFIED) {
        Error(subject, "regime", "regime is required");
      }
      CheckPartnerAreas(partner, subject);
      for (int j = 0; j < partner.identifiers_size(); ++j) {
        if (partner.identifiers(j) == v1::IDENTIFIER_KIND_NHS &&
            partner.agency() != v1::AGENCY_KIND_HEALTH) {
          Error(subject, "identifiers", j,
                "IDENTIFIER_KIND_NHS is for a health partner only: the NHS number never "
                "leaves health");
        }
      }
    }
  }

  void CheckPartnerAreas(const v1::Partner& partner, const Subject& subject) {
    if (partner.own_area_only() && partner.areas().empty()) {
      Error(subject, "own_area_only", "own_area_only needs the areas the partner acts for");
    }
    // A hub configured with no areas cannot check them.
    if (areas_.empty()) return;
    for (int j = 0; j < partner.areas_size(); ++j) {
      if (!areas_.contains(partner.areas(j))) {
        Error(subject, "areas", j,
              absl::StrCat("area \"", partner.areas(j),
                           "\" is not an area of the teams configuration"));
      }
    }
  }

  void CheckDataItems() {
    if (agreement_.aggregates_only()) {
      if (!agreement_.data_items().empty()) {
        Error(root_, "data_items", 0,
              "aggregates_only: no event flows under it, so it has no data items");
      }
      return;
    }
    if (agreement_.data_items().empty()) {
      Error(root_, "at least one data item is required (or aggregates_only)");
    }
    absl::flat_hash_set<std::string> names;
    for (int i = 0; i < agreement_.data_items_size(); ++i) {
      const v1::DataItem& item = agreement_.data_items(i);
      const Subject subject =
          Nested("data_items", i,
                 absl::StrCat(root_.name, ", data item ",
                              item.name().empty() ? absl::StrCat("#", i + 1)
                                                  : absl::StrCat("\"", item.name(), "\"")));
      if (item.name().empty()) {
        Error(subject, "name is required");
      } else if (!names.insert(item.name()).second) {
        Error(subject, "name", "another data item has this name");
      }
      if (item.to().empty()) Error(subject, "`to` is required: who receives it");
      CheckPartnerList(subject, "to", item.to());
      CheckPartnerList(subject, "from", item.from());
      CheckEventTypes(subject, item);
      CheckFields(subject, item);
      CheckConditions(subject, item);
      CheckIntelligence(subject, item);
    }
  }

  void CheckPartnerList(const Subject& subject, absl::string_view field,
                        const google::protobuf::RepeatedField<int>& agencies) {
    for (int j = 0; j < agencies.size(); ++j) {
      if (!partners_.contains(agencies[j])) {
        Error(subject, field, j,
              absl::StrCat(AgencyName(agencies[j]), " in `", field,
                           "` is not a partner of the agreement"));
      }
    }
  }

  void CheckEventTypes(const Subject& subject, const v1::DataItem& item) {
    if (item.event_types().empty()) Error(subject, "event_types is required");
    for (int j = 0; j < item.event_types_size(); ++j) {
      const std::string& type = item.event_types(j);
      if (type == "AgreementChanged") {
        Error(subject, "event_types", j,
              "AgreementChanged is a hub record, never shared under an agreement");
      } else if (PayloadOf(type) == nullptr) {
        Error(subject, "event_types", j, absl::StrCat("unknown event type \"", type, "\""));
      }
    }
  }

  void CheckFields(const Subject& subject, const v1::DataItem& item) {
    if (item.all_fields() && !item.fields().empty()) {
      Error(subject, "fields", "all_fields and fields exclude each other");
    }
    absl::flat_hash_set<std::string> seen;
    for (int j = 0; j < item.fields_size(); ++j) {
      const std::string& field = item.fields(j);
      if (!seen.insert(field).second) {
        Error(subject, "fields", j, absl::StrCat("field \"", field, "\" is listed twice"));
        continue;
      }
      for (const std::string& type : item.event_types()) {
        const auto* payload = PayloadOf(type);
        if (payload != nullptr && payload->FindFieldByName(field) == nullptr) {
          Error(subject, "fields", j,
                absl::StrCat("field \"", field, "\" is not a field of ", type));
        }
      }
    }
  }

  // A condition is refused on a type it cannot narrow, rather than ignored
  // there: ignored, it would let the whole event through.
  void CheckConditions(const Subject& subject, const v1::DataItem& item) {
    for (const Condition& condition : Conditions()) {
      if (!IsSet(item, condition.field)) continue;
      std::vector<std::string> others;
      for (const std::string& type : item.event_types()) {
        if (!Contains(condition.types, type)) others.push_back(type);
      }
      if (!others.empty()) {
        Error(
            subject, condition.field,
            absl::StrCat(condition.field, " applies only to ", absl::StrJoin(condition.types, ", "),
                         ", not to ", absl::StrJoin(others, ", ")));
      }
    }
    for (int j = 0; j < item.only_alert_rules_size(); ++j) {
      if (!IsWord(item.only_alert_rules(j), IsRuleChar)) {
        Error(subject, "only_alert_rules", j,
              absl::StrCat("alert rule \"", item.only_alert_rules(j), "\" must be [A-Z0-9_]+"));
      } else if (const v1::RuleDescription* rule = alert_rules::FindRule(item.only_alert_rules(j));
                 rule == nullptr || rule->kind() == v1::RULE_KIND_COMMAND) {
        Error(subject, "only_alert_rules", j,
              absl::StrCat("no alert rule \"", item.only_alert_rules(j),
                           "\" (docs/alerts.md lists them)"));
      }
    }
  }

  // Intelligence reaches the police only, as reference and category. Those
  // are IntelligenceFlagged's only fields, so CheckFields keeps `fields` to
  // them.
  void CheckIntelligence(const Subject& subject, const v1::DataItem& item) {
    if (!Contains(item.event_types(), "IntelligenceFlagged")) return;
    if (item.to_size() != 1 || item.to(0) != v1::AGENCY_KIND_POLICE) {
      Error(subject, "to",
            "IntelligenceFlagged may go to AGENCY_KIND_POLICE only: `to` must be exactly that");
    }
  }

  void CheckConsent() {
    const Subject consent = Nested("consent", -1, root_.name);
    const auto& required_for = agreement_.consent().required_for();
    for (int j = 0; j < required_for.size(); ++j) {
      if (!partners_.contains(required_for[j])) {
        Error(consent, "required_for", j,
              absl::StrCat("consent is required for ", AgencyName(required_for[j]),
                           ", which is not a partner"));
      }
    }
  }

  const v1::Agreement& agreement_;
  const TextLocations& text_;
  const Subject root_;
  const absl::flat_hash_set<std::string>& areas_;
  const absl::CivilDay today_;
  absl::flat_hash_set<int> partners_;  // the partners' agency kinds, once CheckPartners ran
  std::vector<std::string>* errors_;
  std::vector<std::string>* warnings_;
};

struct ParsedFile {
  LoadedAgreement loaded;
  TextLocations text;
};

// The days both agreements are in force, if any: [first, last], last
// nullopt for open-ended.
struct Overlap {
  absl::CivilDay first;
  std::optional<absl::CivilDay> last;
};

std::optional<Overlap> OverlapOf(const v1::Agreement& a, const v1::Agreement& b) {
  if (a.status() != v1::AGREEMENT_STATUS_ACTIVE || b.status() != v1::AGREEMENT_STATUS_ACTIVE) {
    return std::nullopt;
  }
  const auto a_from = ParseDate(a.valid_from());
  const auto b_from = ParseDate(b.valid_from());
  if (!a_from || !b_from) return std::nullopt;  // already reported
  Overlap overlap{std::max(*a_from, *b_from), std::nullopt};
  for (const std::string* until : {&a.valid_until(), &b.valid_until()}) {
    if (until->empty()) continue;
    const auto day = ParseDate(*until);
    if (!day) return std::nullopt;  // already reported
    overlap.last = overlap.last ? std::min(*overlap.last, *day) : *day;
  }
  if (overlap.last && *overlap.last < overlap.first) return std::nullopt;
  return overlap;
}

// One (id, version) each; no two ACTIVE versions of an id in force at once,
// or which governs a flow would depend on load order. Each problem is
// reported at the later file (duplicates) or the higher version (overlaps).
void CheckAcrossFiles(const std::vector<ParsedFile>& files, std::vector<std::string>* errors) {
  for (size_t j = 0; j < files.size(); ++j) {
    const v1::Agreement& later = files[j].loaded.agreement;
    for (size_t i = 0; i < j; ++i) {
      const v1::Agreement& earlier = files[i].loaded.agreement;
      if (earlier.id() != later.id()) continue;
      if (earlier.version() == later.version()) {
        errors->push_back(absl::StrCat(files[j].text.Where(files[j].text.Root(), "version"),
                                       ": agreement \"", later.id(), "\" version ", later.version(),
                                       " is also in ", files[i].loaded.file));
        break;
      }
      const auto overlap = OverlapOf(earlier, later);
      if (!overlap) continue;
      const ParsedFile& higher = earlier.version() > later.version() ? files[i] : files[j];
      errors->push_back(
          absl::StrCat(higher.text.Where(higher.text.Root(), "valid_from"),
                       ": overlapping versions ", std::min(earlier.version(), later.version()),
                       " and ", std::max(earlier.version(), later.version()), " of ", later.id(),
                       ": both active from ", absl::FormatCivilTime(overlap->first),
                       overlap->last ? absl::StrCat(" to ", absl::FormatCivilTime(*overlap->last))
                                     : std::string(" onwards")));
    }
  }
}

std::string Sha256Hex(absl::string_view bytes) {
  Sha256 sha256;
  sha256.Update(bytes);
  return sha256.FinishHex();
}

absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read the file"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Orders agreements by (id, version), and finds an id among them.
struct ByIdVersion {
  bool operator()(const LoadedAgreement& a, const LoadedAgreement& b) const {
    return std::pair<absl::string_view, uint32_t>(a.agreement.id(), a.agreement.version()) <
           std::pair<absl::string_view, uint32_t>(b.agreement.id(), b.agreement.version());
  }
  bool operator()(const LoadedAgreement& a, absl::string_view id) const {
    return a.agreement.id() < id;
  }
  bool operator()(absl::string_view id, const LoadedAgreement& a) const {
    return id < a.agreement.id();
  }
};

}  // namespace

AgreementSet::AgreementSet(std::vector<LoadedAgreement> agreements, std::string source)
    : agreements_(std::move(agreements)), source_(std::move(source)) {
  std::sort(agreements_.begin(), agreements_.end(), ByIdVersion{});
}

bool AgreementSet::InForce(const v1::Agreement& agreement, absl::CivilDay day) {
  if (agreement.status() != v1::AGREEMENT_STATUS_ACTIVE) return false;
  const auto from = ParseDate(agreement.valid_from());
  if (!from || day < *from) return false;
  if (agreement.valid_until().empty()) return true;
  const auto until = ParseDate(agreement.valid_until());
  return until && day <= *until;
}

const LoadedAgreement* AgreementSet::Find(absl::string_view id, uint32_t version,
                                          absl::CivilDay day) const {
  const auto [first, last] =
      std::equal_range(agreements_.begin(), agreements_.end(), id, ByIdVersion{});
  if (first == last) return nullptr;
  if (version != 0) {
    const auto it = std::find_if(first, last, [version](const LoadedAgreement& a) {
      return a.agreement.version() == version;
    });
    return it == last ? nullptr : &*it;
  }
  // Validation leaves at most one version in force; searching from the
  // highest keeps an unvalidated set deterministic too.
  for (auto it = last; it != first;) {
    --it;
    if (InForce(it->agreement, day)) return &*it;
  }
  return &*(last - 1);
}

absl::StatusOr<AgreementSet> ParseAgreements(std::vector<AgreementFile> files,
                                             const v1::TeamsConfig& teams, absl::CivilDay today,
                                             std::string source) {
  absl::flat_hash_set<std::string> areas;
  for (const v1::Area& area : teams.area()) areas.insert(area.id());
  std::vector<std::string> errors;
  std::vector<ParsedFile> parsed;
  for (AgreementFile& file : files) {
    LoadedAgreement loaded;
    absl::StatusOr<TextLocations> text =
        TextLocations::Parse(file.name, file.text, &loaded.agreement);
    if (!text.ok()) {
      errors.emplace_back(text.status().message());
      continue;  // the other files are still checked: one run shows every problem
    }
    AgreementChecker(loaded.agreement, *text, areas, today, &errors, &loaded.warnings).Check();
    loaded.file = std::move(file.name);
    loaded.file_sha256 = Sha256Hex(file.text);
    parsed.push_back({std::move(loaded), *std::move(text)});
  }
  CheckAcrossFiles(parsed, &errors);
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  std::vector<LoadedAgreement> agreements;
  for (ParsedFile& file : parsed) agreements.push_back(std::move(file.loaded));
  return AgreementSet(std::move(agreements), std::move(source));
}

absl::StatusOr<AgreementSet> LoadAgreements(const std::string& dir, const v1::TeamsConfig& teams,
                                            absl::CivilDay today) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::NotFoundError(absl::StrCat(dir, ": no such folder"));
  }
  std::vector<std::filesystem::path> paths;
  std::filesystem::directory_iterator it(dir, error);
  for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    std::error_code ignored;  // an entry that vanished or cannot be examined is no agreement
    if (it->is_regular_file(ignored) && it->path().extension() == ".textproto") {
      paths.push_back(it->path());
    }
  }
  if (error) return absl::NotFoundError(absl::StrCat(dir, ": ", error.message()));
  if (paths.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(dir, ": no agreement files (*.textproto)"));
  }
  std::sort(paths.begin(), paths.end());
  std::vector<AgreementFile> files;
  for (const auto& path : paths) {
    IOMHUB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    files.push_back({path.string(), std::move(text)});
  }
  return ParseAgreements(std::move(files), teams, today, dir);
}

}  // namespace iomhub::projections::sharing
