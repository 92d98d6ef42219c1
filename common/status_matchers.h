// GoogleTest matchers for absl::Status / absl::StatusOr (test-only).
#ifndef IOMHUB_COMMON_STATUS_MATCHERS_H_
#define IOMHUB_COMMON_STATUS_MATCHERS_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/status_macros.h"
#include "gmock/gmock.h"

namespace iomhub::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

// A StatusOr that is OK and holds `value`.
MATCHER_P(IsOkAndHolds, value, "is OK and holds the value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return *arg == value;
}

MATCHER_P(StatusIs, code, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, substring,
           "has code " + absl::StatusCodeToString(code) + " and a message containing \"" +
               std::string(substring) + "\"") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code && s.message().find(substring) != absl::string_view::npos;
}

}  // namespace iomhub::testing

#define IOMHUB_ASSERT_OK_AND_ASSIGN(lhs, expr)                        \
  IOMHUB_ASSERT_OK_AND_ASSIGN_IMPL_(                                  \
      IOMHUB_STATUS_CONCAT_(iomhub_test_sor_, __LINE__), lhs, expr)
#define IOMHUB_ASSERT_OK_AND_ASSIGN_IMPL_(sor, lhs, expr) \
  auto sor = (expr);                                      \
  ASSERT_TRUE(sor.ok()) << sor.status();                  \
  lhs = std::move(sor).value()

#endif  // IOMHUB_COMMON_STATUS_MATCHERS_H_
