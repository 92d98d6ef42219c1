// Status propagation macros. Abseil 20220623 has no RETURN_IF_ERROR, so we
// define ours once, here.
#ifndef IOMHUB_COMMON_STATUS_MACROS_H_
#define IOMHUB_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define IOMHUB_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    ::absl::Status iomhub_status_ = (expr);           \
    if (!iomhub_status_.ok()) return iomhub_status_;  \
  } while (0)

#define IOMHUB_STATUS_CONCAT_INNER_(a, b) a##b
#define IOMHUB_STATUS_CONCAT_(a, b) IOMHUB_STATUS_CONCAT_INNER_(a, b)

// `lhs = value of statusor_expr`, or returns its status if not OK.
#define IOMHUB_ASSIGN_OR_RETURN(lhs, statusor_expr)                           \
  IOMHUB_ASSIGN_OR_RETURN_IMPL_(IOMHUB_STATUS_CONCAT_(iomhub_sor_, __LINE__), \
                                lhs, statusor_expr)
#define IOMHUB_ASSIGN_OR_RETURN_IMPL_(sor, lhs, statusor_expr) \
  auto sor = (statusor_expr);                                  \
  if (!sor.ok()) return std::move(sor).status();               \
  lhs = std::move(sor).value()

#endif  // IOMHUB_COMMON_STATUS_MACROS_H_
