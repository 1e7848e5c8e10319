#include "auth/random.h"

#include <sodium.h>

#include <array>

namespace bulwark::auth {

Result<std::string> RandomHex(std::size_t bytes) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  std::array<unsigned char, 64> buf{};
  if (bytes > buf.size()) return Internal("RandomHex: too many bytes");
  randombytes_buf(buf.data(), bytes);
  std::string out(bytes * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), buf.data(), bytes);
  out.pop_back();
  sodium_memzero(buf.data(), buf.size());
  return out;
}

bool IsLowerHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace bulwark::auth
