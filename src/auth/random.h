#pragma once

// Random tokens for the auth component (libsodium's CSPRNG). Thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bulwark::auth {

// `bytes` random bytes (at most 64) as 2 * bytes lower-case hex characters.
Result<std::string> RandomHex(std::size_t bytes);

// True if `s` is non-empty and only lower-case hex digits.
bool IsLowerHex(std::string_view s);

}  // namespace bulwark::auth
