#include "core/status.h"

namespace bulwark {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kNotFound:
      return "not_found";
    case Code::kAlreadyExists:
      return "already_exists";
    case Code::kFailedPrecondition:
      return "failed_precondition";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kPermissionDenied:
      return "permission_denied";
    case Code::kResourceExhausted:
      return "resource_exhausted";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kInternal:
      return "internal";
  }
  return "unknown";
}

Status::Status(Code code, std::string message, std::string field) {
  if (code != Code::kOk) {
    rep_ = std::make_unique<Rep>(Rep{code, std::move(message), std::move(field)});
  }
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

const std::string& Status::field() const {
  static const std::string kEmpty;
  return rep_ ? rep_->field : kEmpty;
}

Status Status::WithFieldPrefix(std::string_view prefix) const {
  if (ok()) return Status();
  std::string f(prefix);
  if (!rep_->field.empty()) {
    if (rep_->field.front() != '[') f += '.';
    f += rep_->field;
  }
  return Status(rep_->code, rep_->message, std::move(f));
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(CodeName(rep_->code));
  s += ": ";
  if (!rep_->field.empty()) {
    s += rep_->field;
    s += ": ";
  }
  s += rep_->message;
  return s;
}

}  // namespace bulwark
