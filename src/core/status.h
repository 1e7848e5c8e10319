#pragma once

// Status and Result<T>: how expected failures travel through Bulwark.
//
// A Status is either OK or carries a Code, a human-readable message and, for input errors, the
// path of the offending field (e.g. "items[3].text"). OK is represented by a null pointer, so
// passing and returning an OK Status costs one word and no allocation.
//
// Thread safety: a Status is a value; distinct objects may be used from distinct threads.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/check.h"

namespace bulwark {

enum class Code : int {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed or out of range
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // a create collided with an existing thing
  kFailedPrecondition,  // the request is well formed but refers to state that forbids it
  kUnauthenticated,     // no or unknown credentials
  kPermissionDenied,    // credentials valid but role lacks the right
  kResourceExhausted,   // a configured limit was exceeded (size, count, depth)
  kUnavailable,         // transient: retry may succeed (busy database, shutting down)
  kInternal,            // a bug or an environment failure: never the caller's fault
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message, std::string field = {});

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  // Empty when ok().
  const std::string& message() const;
  // Path of the input field the error is about ("items[3].text"); empty if not about a field.
  const std::string& field() const;

  // Returns a copy whose field path is `prefix` + "." + field() (or `prefix` if there was none).
  Status WithFieldPrefix(std::string_view prefix) const;

  // "InvalidArgument: items[3].text: must be a string" — for logs, not for clients.
  std::string ToString() const;

 private:
  struct Rep {
    Code code;
    std::string message;
    std::string field;
  };
  std::unique_ptr<Rep> rep_;
};

inline Status InvalidArgument(std::string message, std::string field = {}) {
  return Status(Code::kInvalidArgument, std::move(message), std::move(field));
}
inline Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
inline Status AlreadyExists(std::string message) {
  return Status(Code::kAlreadyExists, std::move(message));
}
inline Status FailedPrecondition(std::string message, std::string field = {}) {
  return Status(Code::kFailedPrecondition, std::move(message), std::move(field));
}
inline Status Unauthenticated(std::string message) {
  return Status(Code::kUnauthenticated, std::move(message));
}
inline Status PermissionDenied(std::string message) {
  return Status(Code::kPermissionDenied, std::move(message));
}
inline Status ResourceExhausted(std::string message, std::string field = {}) {
  return Status(Code::kResourceExhausted, std::move(message), std::move(field));
}
inline Status Unavailable(std::string message) {
  return Status(Code::kUnavailable, std::move(message));
}
inline Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    BULWARK_CHECK(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    BULWARK_CHECK(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    BULWARK_CHECK(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    BULWARK_CHECK(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace bulwark

#define BULWARK_CONCAT_INNER(a, b) a##b
#define BULWARK_CONCAT(a, b) BULWARK_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define BULWARK_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::bulwark::Status bulwark_status_ = (expr);        \
    if (!bulwark_status_.ok()) return bulwark_status_; \
  } while (0)

// BULWARK_ASSIGN_OR_RETURN(auto x, MakeX()); declares x or returns MakeX()'s Status.
#define BULWARK_ASSIGN_OR_RETURN(lhs, expr) \
  BULWARK_ASSIGN_OR_RETURN_IMPL(BULWARK_CONCAT(bulwark_result_, __LINE__), lhs, expr)
#define BULWARK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
