// The configuration text parsers an operator's files go through: sharing
// agreements (projections/sharing/agreement_set.h) and the producer table
// (producer_table.h). Any text: an error naming where, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "projections/sharing/agreement_set.h"
#include "projections/sharing/producer_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<iomhub::projections::sharing::AgreementFile> files;
  files.push_back({.name = "fuzz.textproto", .text = text});
  (void)iomhub::projections::sharing::ParseAgreements(std::move(files), {},
                                                      absl::CivilDay(2026, 12, 6));
  (void)iomhub::projections::sharing::ParseProducerTable("fuzz.textproto", text);
  return 0;
}
