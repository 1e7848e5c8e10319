#pragma once

// SHA-256 (libsodium underneath). Thread-safe.

#include <string>
#include <string_view>

namespace bulwark {

// Lower-case hex digest of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// Incremental hashing for values built from several parts.
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  std::string FinishHex();  // the object must not be updated afterwards

 private:
  alignas(64) unsigned char state_[128];
};

}  // namespace bulwark
