#pragma once

// Signed heads of the decision log (docs/decision-log.md, "Signed heads").
//
// The hash chain shows that stored entries agree with each other; it cannot show that they are
// the entries Bulwark wrote, because anyone with write access to the database can rewrite an
// entry and recompute every later hash. A head signed with a key kept outside the database,
// recorded by someone else (an auditor, a published checkpoint file), pins the log as it was:
// a rewritten chain no longer contains the signed (seq, hash).
//
// The signature is Ed25519 (libsodium) over SignedHeadMessage(). The key lives in a file of its
// own (LogSigningKey::LoadOrCreate), never in the database.
//
// Thread safety: LogSigningKey is immutable after loading; HeadSigner is thread-safe.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace bulwark {

inline constexpr std::string_view kLogSignatureAlgorithm = "ed25519";

// A log head as published: GET /v1/log/head, a line of a checkpoint file.
struct SignedHead {
  std::int64_t seq = 0;
  std::string hash;
  std::string signed_at;   // RFC 3339, exactly as signed
  std::string signature;   // 128 lower-case hex digits
  std::string public_key;  // 64 lower-case hex digits
};

// "bulwark-log-head-v1\n<seq>\n<hash>\n<signed_at>": what is signed. The prefix keeps a
// signature over a head from meaning anything else.
std::string SignedHeadMessage(std::int64_t seq, std::string_view hash, std::string_view signed_at);

// OK if `head.signature` is a valid signature of `head` by `trusted_public_key` (hex) and the
// head names that key. InvalidArgument (naming the problem) otherwise.
Status VerifySignedHead(const SignedHead& head, std::string_view trusted_public_key);

// Standard base64 (with padding) and back; nullopt for anything but canonical base64.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// An Ed25519 key pair for signing log heads.
//
// Key file format (one line, docs/operations.md): "bulwark-log-key-v1 ed25519 <64 hex digits of
// the 32-byte seed>\n". The file must be a regular file that only its owner can read or write
// (mode 0600 or stricter).
class LogSigningKey {
 public:
  // Reads the key at `path`; if there is no file there, creates one with a fresh random key
  // (mode 0600, O_EXCL, synced). Fails with FailedPrecondition if the file is readable or
  // writable by group or others, InvalidArgument if it is not a key file, Internal on I/O errors.
  static Result<LogSigningKey> LoadOrCreate(const std::string& path);
  // As LoadOrCreate, but a missing file is NotFound.
  static Result<LogSigningKey> Load(const std::string& path);
  // A key from a 32-byte seed (tests).
  static Result<LogSigningKey> FromSeed(std::string_view seed);

  LogSigningKey(const LogSigningKey&) = default;
  LogSigningKey& operator=(const LogSigningKey&) = default;
  ~LogSigningKey();

  const std::string& public_key() const { return public_key_hex_; }  // 64 hex digits
  SignedHead Sign(std::int64_t seq, std::string_view hash, UnixMillis signed_at) const;

 private:
  LogSigningKey() = default;
  std::array<unsigned char, 64> secret_{};
  std::string public_key_hex_;
};

// Signs heads for GET /v1/log/head, re-signing only when the head changes: the signature (and
// signed_at, the time the server first served that head) stays the same while the log does.
class HeadSigner {
 public:
  explicit HeadSigner(LogSigningKey key) : key_(std::move(key)) {}
  const std::string& public_key() const { return key_.public_key(); }
  // Thread-safe.
  SignedHead Sign(std::int64_t seq, const std::string& hash, UnixMillis now);

 private:
  const LogSigningKey key_;
  std::mutex mu_;
  std::optional<SignedHead> last_;  // guarded by mu_
};

}  // namespace bulwark
