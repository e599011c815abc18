#ifndef STIPPLE_SERVICES_STATUS_MACROS_H_
#define STIPPLE_SERVICES_STATUS_MACROS_H_

// Debian's Abseil has no status macros; these two keep call sites to one line.

#define STIPPLE_CONCAT_INNER(a, b) a##b
#define STIPPLE_CONCAT(a, b) STIPPLE_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::StatusOr<T>); returns its status on error, else moves the value
// into `lhs`.
#define STIPPLE_ASSIGN_OR_RETURN(lhs, expr)               \
  auto STIPPLE_CONCAT(status_or_, __LINE__) = (expr);     \
  if (!STIPPLE_CONCAT(status_or_, __LINE__).ok()) {       \
    return STIPPLE_CONCAT(status_or_, __LINE__).status(); \
  }                                                       \
  lhs = *std::move(STIPPLE_CONCAT(status_or_, __LINE__))

#define STIPPLE_RETURN_IF_ERROR(expr)                                 \
  do {                                                                \
    if (absl::Status status_ = (expr); !status_.ok()) return status_; \
  } while (false)

#endif  // STIPPLE_SERVICES_STATUS_MACROS_H_
