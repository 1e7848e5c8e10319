#include "auth/csrf.h"

#include <sodium.h>

#include <array>

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

namespace {

constexpr size_t kNonceHex = 32;
constexpr size_t kMacBytes = 16;

// Lower-case hex of the first kMacBytes of HMAC-SHA256(key, nonce).
std::string LoginMac(std::string_view nonce, std::string_view key) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(nonce.data()),
                                nonce.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  std::string hex(kMacBytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), kMacBytes);
  hex.pop_back();
  return hex;
}

}  // namespace

Result<std::string> NewLoginCsrfToken(std::string_view key) {
  if (key.empty()) return Internal("no login CSRF key");
  auto nonce = RandomHex(kNonceHex / 2);
  if (!nonce.ok()) return nonce.status();
  return *nonce + LoginMac(*nonce, key);
}

bool IsIssuedLoginCsrfToken(std::string_view token, std::string_view key) {
  if (key.empty() || token.size() != kNonceHex + 2 * kMacBytes || !IsLowerHex(token)) return false;
  const std::string expected = LoginMac(token.substr(0, kNonceHex), key);
  return sodium_memcmp(expected.data(), token.data() + kNonceHex, expected.size()) == 0;
}

}  // namespace bulwark::auth
