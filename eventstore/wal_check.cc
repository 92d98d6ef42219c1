#include "eventstore/wal_check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "eventstore/crc32c.h"

namespace iomhub::eventstore {
namespace {

constexpr uint64_t kBlockSize = 32768;
constexpr uint64_t kHeaderSize = 7;
constexpr uint64_t kRecyclableHeaderSize = 11;
constexpr uint8_t kZeroType = 0;
constexpr uint8_t kFirstRecyclableType = 5;
constexpr uint8_t kLastRecyclableType = 8;
constexpr uint32_t kMaskDelta = 0xa282ead8u;

uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

uint32_t Fixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

}  // namespace

std::optional<WalDamage> FindWalDamageInBytes(absl::string_view bytes, const std::string& file) {
  const uint64_t size = bytes.size();
  uint64_t offset = 0;
  while (offset < size) {
    const uint64_t block_left = kBlockSize - offset % kBlockSize;
    if (block_left < kHeaderSize) {  // the writer pads a block's last bytes
      offset += block_left;
      continue;
    }
    if (size - offset < kHeaderSize) return std::nullopt;  // torn final header
    const char* header = bytes.data() + offset;
    const uint64_t length = static_cast<unsigned char>(header[4]) |
                            static_cast<uint64_t>(static_cast<unsigned char>(header[5])) << 8;
    const uint8_t type = static_cast<uint8_t>(header[6]);
    if (type == kZeroType && length == 0) {  // preallocated, never written
      offset += block_left;
      continue;
    }
    const bool recyclable = type >= kFirstRecyclableType && type <= kLastRecyclableType;
    const uint64_t header_size = recyclable ? kRecyclableHeaderSize : kHeaderSize;
    if (offset + header_size + length > size) return std::nullopt;  // torn final record
    if (header_size + length > block_left) {
      return WalDamage{file, offset, absl::StrCat("bad record length ", length)};
    }
    // The CRC covers the type byte, the log number (recyclable) and the payload.
    const uint32_t crc = Crc32c(absl::string_view(header + 6, header_size - 6 + length));
    if (crc != Unmask(Fixed32(header))) return WalDamage{file, offset, "checksum mismatch"};
    offset += header_size + length;
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<WalDamage>> FindWalDamage(const std::string& dir) {
  std::vector<std::pair<uint64_t, std::string>> logs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::filesystem::path& path = entry.path();
    uint64_t number = 0;
    if (path.extension() == ".log" && absl::SimpleAtoi(path.stem().string(), &number)) {
      logs.emplace_back(number, path.string());
    }
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", ec.message()));
  std::sort(logs.begin(), logs.end());
  for (const auto& [number, file] : logs) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::InternalError(absl::StrCat("cannot read ", file));
    std::stringstream contents;
    contents << in.rdbuf();
    if (std::optional<WalDamage> damage = FindWalDamageInBytes(contents.str(), file)) {
      return damage;
    }
  }
  return std::nullopt;
}

}  // namespace iomhub::eventstore
