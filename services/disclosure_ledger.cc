#include "services/disclosure_ledger.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "eventstore/event_types.h"
#include "projections/projection.h"

namespace iomhub::services {
std::string AgreementLabel(const projections::sharing::Rule* rule) {
  if (rule == nullptr || rule->agreement == nullptr) return "";
  const v1::Agreement& agreement = rule->agreement->agreement;
  return absl::StrCat(agreement.id(), "@", agreement.version());
}

void AddRef(v1::AuditSubject* subject, uint64_t position, absl::string_view type) {
  int index = 0;
  while (index < subject->event_types_size() && subject->event_types(index) != type) ++index;
  if (index == subject->event_types_size()) subject->add_event_types(std::string(type));
  subject->add_positions(position);
  subject->add_type_of(static_cast<uint32_t>(index));
}

void DisclosureLedger::Note(uint64_t position, absl::string_view stream, int payload_field,
                            const projections::sharing::Rule* rule, bool trimmed) {
  const absl::string_view person = projections::PersonIdIn(stream);
  if (person.empty()) return;
  auto it = person_index_.find(person);
  if (it == person_index_.end()) {
    it = person_index_.emplace(std::string(person), static_cast<uint32_t>(people_.size())).first;
    people_.emplace_back(person);
  }
  notes_.push_back(Note_{position, it->second, payload_field, rule, trimmed});
}

void DisclosureLedger::Clear() {
  notes_.clear();
  person_index_.clear();
  people_.clear();
}

void DisclosureLedger::TakeInto(v1::AuditRecord* record, const std::vector<std::string>& views) {
  const eventstore::EventTypes& types = eventstore::EventTypes::Get();
  // (person, agreement) → its subject in `record`.
  absl::flat_hash_map<std::pair<uint32_t, const v1::Agreement*>, v1::AuditSubject*> subjects;
  for (const Note_& note : notes_) {
    const v1::Agreement* agreement = note.rule != nullptr && note.rule->agreement != nullptr
                                         ? &note.rule->agreement->agreement
                                         : nullptr;
    v1::AuditSubject*& subject = subjects[{note.person, agreement}];
    if (subject == nullptr) {
      subject = record->add_subjects();
      subject->set_person_id(people_[note.person]);
      if (agreement != nullptr) {
        subject->set_agreement(AgreementLabel(note.rule));
        subject->set_legal_gateway(agreement->legal_gateway());
      }
      for (const std::string& view : views) subject->add_views(view);
    }
    AddRef(subject, note.position, types.NameForField(note.payload_field));
    if (note.trimmed) subject->set_trimmed(true);
  }
  Clear();
}

}  // namespace iomhub::services
