// The JSON clients take from people and partners: `iomctl append` input
// (clients/iomctl/append_input.h), and the partner feeds' messages (the
// feed reader, the HMPPS and police mappings in clients/adapters/). Any
// text: an error with its location or a skip/reject, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "clients/adapters/feed_reader.h"
#include "clients/adapters/police_mapping.h"
#include "clients/adapters/probation_mapping.h"
#include "clients/iomctl/append_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)iomhub::iomctl::ParseAppendInput(text, "fuzz.json");
  for (const iomhub::adapters::FeedMessage& m : iomhub::adapters::SplitFeed("fuzz.jsonl", text)) {
    if (!m.malformed.empty()) continue;
    (void)iomhub::adapters::MapHmppsMessage(m.text, iomhub::adapters::HmppsAgency::kProbation);
    (void)iomhub::adapters::MapHmppsMessage(m.text, iomhub::adapters::HmppsAgency::kPrison);
    (void)iomhub::adapters::MapPoliceMessage(m.text);
  }
  return 0;
}
