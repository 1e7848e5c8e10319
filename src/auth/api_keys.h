#pragma once

// API keys for platforms and automation. A key looks like
//   bwk_<id>_<secret>      id: 12 hex chars (public, stored), secret: 64 hex chars (256 bits)
// Only the SHA-256 of the secret is stored; the full key is shown once, at creation. Because
// the secret is 256 random bits a fast hash is sufficient (no password stretching needed).

#include <string>
#include <string_view>

#include "core/roles.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace bulwark::auth {

struct NewApiKey {
  std::string token;  // the full key: give it to the platform, it cannot be recovered
  store::ApiKeyRecord record;
};

// Creates, stores and returns a new key. `name` is a label for humans (1..100 bytes).
Result<NewApiKey> CreateApiKey(store::KeyStore& keys, std::string_view name, Role role,
                               UnixMillis now);

// Checks a presented token. Unauthenticated for malformed, unknown, revoked or wrong keys (the
// message never says which part was wrong).
Result<store::ApiKeyRecord> VerifyApiKey(store::KeyStore& keys, std::string_view token);

}  // namespace bulwark::auth
