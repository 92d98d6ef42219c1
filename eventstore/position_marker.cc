#include "eventstore/position_marker.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "eventstore/crc32c.h"
#include "eventstore/key_encoding.h"
#include "eventstore/rocksdb_status.h"

namespace iomhub::eventstore {
namespace {

constexpr char kMagic[] = "IOMHUBP1";
constexpr size_t kMagicBytes = 8;
constexpr size_t kFileBytes = kMagicBytes + 8 + 8 + 4;

std::string Encode(const PositionMarks& marks) {
  std::string out(kMagic, kMagicBytes);
  out += EncodeU64(marks.acknowledged_through);
  out += EncodeU64(marks.reserved_through);
  const uint32_t crc = Crc32c(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

absl::Status FromIo(const rocksdb::IOStatus& s, absl::string_view what) {
  return FromRocksDb(s, what);
}

}  // namespace

absl::StatusOr<std::optional<PositionMarks>> PositionMarker::Read(rocksdb::FileSystem* fs,
                                                                  const std::string& dir) {
  const std::string path = absl::StrCat(dir, "/", kPositionMarkerFile);
  rocksdb::IOStatus exists = fs->FileExists(path, rocksdb::IOOptions(), nullptr);
  if (exists.IsNotFound()) return std::nullopt;
  std::string bytes;
  rocksdb::IOStatus read = rocksdb::ReadFileToString(fs, path, &bytes);
  if (!read.ok()) return FromIo(read, absl::StrCat("reading ", path));
  uint32_t stored_crc = 0;
  if (bytes.size() == kFileBytes) {
    for (int i = 0; i < 4; ++i) {
      stored_crc |= uint32_t{static_cast<unsigned char>(bytes[kFileBytes - 4 + i])} << (8 * i);
    }
  }
  if (bytes.size() != kFileBytes || bytes.compare(0, kMagicBytes, kMagic) != 0 ||
      Crc32c(absl::string_view(bytes).substr(0, kFileBytes - 4)) != stored_crc) {
    return absl::DataLossError(absl::StrCat(path, " is damaged (", bytes.size(),
                                            " bytes, bad magic or checksum)"));
  }
  return PositionMarks{.acknowledged_through = DecodeU64(absl::string_view(bytes).substr(8)),
                       .reserved_through = DecodeU64(absl::string_view(bytes).substr(16))};
}

PositionMarker::PositionMarker(rocksdb::FileSystem* fs, std::string dir, uint64_t reserve_ahead)
    : fs_(fs), dir_(std::move(dir)), reserve_ahead_(reserve_ahead) {}

PositionMarks PositionMarker::marks() {
  absl::MutexLock lock(&mu_);
  return marks_;
}

absl::Status PositionMarker::Store(PositionMarks marks) {
  absl::MutexLock lock(&mu_);
  return StoreLocked(marks);
}

absl::Status PositionMarker::Reserve(uint64_t position) {
  absl::MutexLock lock(&mu_);
  if (position <= marks_.reserved_through) return absl::OkStatus();
  PositionMarks next = marks_;
  next.reserved_through = position + reserve_ahead_;
  return StoreLocked(next);
}

absl::Status PositionMarker::Acknowledge(uint64_t position) {
  absl::MutexLock lock(&mu_);
  if (position <= marks_.acknowledged_through) return absl::OkStatus();
  PositionMarks next = marks_;
  next.acknowledged_through = position;
  return StoreLocked(next);
}

absl::Status PositionMarker::StoreLocked(PositionMarks marks) {
  const std::string path = absl::StrCat(dir_, "/", kPositionMarkerFile);
  const std::string temp = path + ".tmp";
  const rocksdb::IOOptions io;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = fs_->NewWritableFile(temp, rocksdb::FileOptions(), &file, nullptr);
  if (s.ok()) s = file->Append(Encode(marks), io, nullptr);
  if (s.ok()) s = file->Sync(io, nullptr);
  if (file != nullptr) {
    rocksdb::IOStatus closed = file->Close(io, nullptr);
    if (s.ok()) s = closed;
  }
  if (s.ok()) s = fs_->RenameFile(temp, path, io, nullptr);
  if (s.ok()) {
    std::unique_ptr<rocksdb::FSDirectory> dir;
    s = fs_->NewDirectory(dir_, io, &dir, nullptr);
    if (s.ok()) s = dir->FsyncWithDirOptions(io, nullptr, rocksdb::DirFsyncOptions());
  }
  if (!s.ok()) return FromIo(s, absl::StrCat("writing ", path));
  marks_ = marks;
  return absl::OkStatus();
}

}  // namespace iomhub::eventstore
