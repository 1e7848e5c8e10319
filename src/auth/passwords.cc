#include "auth/passwords.h"

#include <sodium.h>

#include <cctype>

#include "core/utf8.h"

namespace bulwark::auth {
namespace {

static_assert(crypto_pwhash_OPSLIMIT_INTERACTIVE == 2);
static_assert(crypto_pwhash_MEMLIMIT_INTERACTIVE == 64u << 20);

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

PasswordOptions PasswordOptions::Minimal() {
  PasswordOptions o;
  o.opslimit = crypto_pwhash_OPSLIMIT_MIN;
  o.memlimit = crypto_pwhash_MEMLIMIT_MIN;
  return o;
}

Result<std::string> HashPassword(std::string_view password, const PasswordOptions& options) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  // crypto_pwhash_str is argon2id (crypto_pwhash_ALG_DEFAULT) in every libsodium >= 1.0.15.
  if (crypto_pwhash_str(out, password.data(), password.size(), options.opslimit,
                        options.memlimit) != 0) {
    return Internal("password hashing failed (out of memory?)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (sodium_init() < 0) return false;
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char str[crypto_pwhash_STRBYTES] = {};
  hash.copy(str, hash.size());
  return crypto_pwhash_str_verify(str, password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view hash, const PasswordOptions& options) {
  if (sodium_init() < 0) return false;
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  char str[crypto_pwhash_STRBYTES] = {};
  hash.copy(str, hash.size());
  // 1: other parameters or algorithm; -1: not a hash string libsodium knows.
  return crypto_pwhash_str_needs_rehash(str, options.opslimit, options.memlimit) != 0;
}

Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                           const PasswordOptions& options, std::string field) {
  if (password.size() > options.max_bytes) {
    return InvalidArgument("must be at most " + std::to_string(options.max_bytes) + " bytes",
                           std::move(field));
  }
  if (!IsValidUtf8(password)) return InvalidArgument("must be valid UTF-8", std::move(field));
  size_t chars = 0;
  for (unsigned char c : password) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument("must not contain control characters", std::move(field));
    }
    if ((c & 0xc0) != 0x80) ++chars;  // count lead bytes: one per code point
  }
  if (chars < options.min_chars) {
    return InvalidArgument("must be at least " + std::to_string(options.min_chars) + " characters",
                           std::move(field));
  }
  if (!username.empty() && AsciiLower(password).find(AsciiLower(username)) != std::string::npos) {
    return InvalidArgument("must not contain the username", std::move(field));
  }
  return Status::Ok();
}

Result<std::string> GeneratePassword() {
  // No 0/O/o, 1/l/I: readable over the phone.
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  std::string out(24, ' ');
  for (char& c : out) {
    c = kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  }
  return out;
}

}  // namespace bulwark::auth
