#include "auth/csrf.h"

#include <sodium.h>

#include "auth/random.h"

namespace bulwark::auth {

Result<std::string> NewCsrfToken() { return RandomHex(32); }

Status VerifyCsrfToken(std::string_view presented, std::string_view expected) {
  if (presented.empty()) {
    return Status(Code::kPermissionDenied,
                  "a request that changes state with a session cookie must carry the session's "
                  "CSRF token (header X-CSRF-Token or form field csrf_token)",
                  std::string(kCsrfField));
  }
  if (expected.empty() || presented.size() != expected.size() ||
      sodium_memcmp(presented.data(), expected.data(), expected.size()) != 0) {
    return Status(Code::kPermissionDenied, "the CSRF token does not match this session",
                  std::string(kCsrfField));
  }
  return Status::Ok();
}

}  // namespace bulwark::auth
