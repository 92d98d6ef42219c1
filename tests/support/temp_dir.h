// TempDir: a fresh, empty directory for one test, removed with everything in
// it when the object goes away. Test-only.
//
// Thread-compatible: one owner; path() may be read from any thread.
#ifndef IOMHUB_TESTS_SUPPORT_TEMP_DIR_H_
#define IOMHUB_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>

#include "absl/strings/string_view.h"

namespace iomhub::testing {

class TempDir {
 public:
  // Creates "<base>/<prefix>-XXXXXX", where <base> is $TEST_TMPDIR, else
  // $TMPDIR, else /tmp. Aborts the process if the directory cannot be made
  // (a test cannot run without it).
  explicit TempDir(absl::string_view prefix = "iomhub");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Join(absl::string_view name) const;

 private:
  std::string path_;
};

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_SUPPORT_TEMP_DIR_H_
