// ScopedTempDir: a fresh, empty directory for one test, removed with its
// contents when the object goes away. Test-only.
#ifndef IOMHUB_EVENTSTORE_SCOPED_TEMP_DIR_H_
#define IOMHUB_EVENTSTORE_SCOPED_TEMP_DIR_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace iomhub::eventstore::testing {

class ScopedTempDir {
 public:
  // Named after the running test, the process and a counter, so parallel
  // ctest runs and several directories in one test never collide.
  ScopedTempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "eventstore";
    if (info != nullptr) name += std::string("_") + info->test_suite_name() + "_" + info->name();
    name += "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    path_ = (std::filesystem::path(::testing::TempDir()) / name).string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace iomhub::eventstore::testing

#endif  // IOMHUB_EVENTSTORE_SCOPED_TEMP_DIR_H_
