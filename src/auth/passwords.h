#pragma once

// Staff passwords: argon2id hashing (libsodium crypto_pwhash_str), verification, rehashing when
// the configured cost rises, the password policy and generated passwords.
//
// A stored hash is libsodium's self-describing string ("$argon2id$v=19$m=65536,t=2,p=1$..."), so
// the parameters it was made with travel with it and old hashes keep verifying after the
// defaults change. Thread-safe: every function is.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bulwark::auth {

struct PasswordOptions {
  // Argon2id cost. The defaults are libsodium's INTERACTIVE limits (2 passes over 64 MiB, about
  // 0.1 s per hash on one core); Minimal() gives the MIN limits for tests.
  std::uint64_t opslimit = 2;
  std::size_t memlimit = 64u << 20;
  // Policy for new passwords, in characters (UTF-8 code points) and bytes.
  std::size_t min_chars = 12;
  std::size_t max_bytes = 1024;  // bounds the work an attacker can make a login do

  static PasswordOptions Interactive() { return {}; }
  // The cheapest parameters libsodium accepts. Tests only: never for real accounts.
  static PasswordOptions Minimal();
};

// The argon2id hash string of `password`. Internal if libsodium fails (out of memory).
Result<std::string> HashPassword(std::string_view password, const PasswordOptions& options);

// True if `password` matches `hash` (constant time in the password; false for a malformed hash).
bool VerifyPassword(std::string_view hash, std::string_view password);

// True if `hash` was made with other parameters than `options` (or another algorithm): hash the
// password again after the next successful login.
bool NeedsRehash(std::string_view hash, const PasswordOptions& options);

// Checks a new password: valid UTF-8 without control characters, at least min_chars characters,
// at most max_bytes bytes, and not containing the username (case-insensitive). InvalidArgument
// naming `field`.
Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                           const PasswordOptions& options, std::string field = "password");

// A random password of 24 characters from a 56-character alphabet without look-alikes
// (about 139 bits).
Result<std::string> GeneratePassword();

}  // namespace bulwark::auth
