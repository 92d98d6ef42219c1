#include "eventstore/key_encoding.h"

#include "absl/strings/ascii.h"

namespace iomhub::eventstore {

std::string EncodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  return out;
}

uint64_t DecodeU64(absl::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string StreamPrefix(absl::string_view stream) {
  std::string key(stream);
  key.push_back('\0');
  return key;
}

std::string StreamVersionKey(absl::string_view stream, uint64_t version) {
  std::string key = StreamPrefix(stream);
  key += EncodeU64(version);
  return key;
}

std::optional<StreamVersion> DecodeStreamVersionKey(absl::string_view key) {
  if (key.size() < 10 || key[key.size() - 9] != '\0') return std::nullopt;
  absl::string_view stream = key.substr(0, key.size() - 9);
  if (stream.find('\0') != absl::string_view::npos) return std::nullopt;
  return StreamVersion{std::string(stream), DecodeU64(key.substr(key.size() - 8))};
}

std::string EventIdKey(absl::string_view event_id) { return absl::AsciiStrToLower(event_id); }

}  // namespace iomhub::eventstore
