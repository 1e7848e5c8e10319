#include "auth/api_keys.h"

#include <sodium.h>

#include <array>

#include "core/sha256.h"

namespace bulwark::auth {
namespace {

constexpr std::string_view kPrefix = "bwk_";
constexpr size_t kIdHex = 12;
constexpr size_t kSecretHex = 64;

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

std::string RandomHex(size_t bytes) {
  std::array<unsigned char, 64> buf{};
  randombytes_buf(buf.data(), bytes);
  return Hex(buf.data(), bytes);
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status EnsureSodium() {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  return Status::Ok();
}

}  // namespace

Result<NewApiKey> CreateApiKey(store::KeyStore& keys, std::string_view name, Role role,
                               UnixMillis now) {
  BULWARK_RETURN_IF_ERROR(EnsureSodium());
  if (name.empty() || name.size() > 100) {
    return InvalidArgument("key name must be 1..100 bytes", "name");
  }
  NewApiKey out;
  std::string secret = RandomHex(kSecretHex / 2);
  out.record.id = RandomHex(kIdHex / 2);
  out.record.name = std::string(name);
  out.record.role = role;
  out.record.secret_hash = Sha256Hex(secret);
  out.record.created_at = now;
  out.token = std::string(kPrefix) + out.record.id + "_" + secret;
  BULWARK_RETURN_IF_ERROR(keys.CreateKey(out.record));
  return out;
}

Result<store::ApiKeyRecord> VerifyApiKey(store::KeyStore& keys, std::string_view token) {
  BULWARK_RETURN_IF_ERROR(EnsureSodium());
  const Status bad = Unauthenticated("invalid API key");
  if (token.size() != kPrefix.size() + kIdHex + 1 + kSecretHex || !token.starts_with(kPrefix) ||
      token[kPrefix.size() + kIdHex] != '_') {
    return bad;
  }
  std::string_view id = token.substr(kPrefix.size(), kIdHex);
  std::string_view secret = token.substr(kPrefix.size() + kIdHex + 1);
  if (!IsLowerHex(id) || !IsLowerHex(secret)) return bad;
  auto rec = keys.FindKey(id);
  if (!rec.ok()) {
    if (rec.status().code() == Code::kNotFound) return bad;
    return rec.status();
  }
  std::string presented = Sha256Hex(secret);
  if (presented.size() != rec->secret_hash.size() ||
      sodium_memcmp(presented.data(), rec->secret_hash.data(), presented.size()) != 0) {
    return bad;
  }
  if (rec->revoked_at) return Unauthenticated("API key has been revoked");
  return rec;
}

}  // namespace bulwark::auth
