#include "core/log_signing.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace bulwark {
namespace {

constexpr std::string_view kKeyPrefix = "bulwark-log-key-v1 ed25519 ";
static_assert(crypto_sign_ed25519_SEEDBYTES == 32 && crypto_sign_ed25519_SECRETKEYBYTES == 64 &&
              crypto_sign_ed25519_PUBLICKEYBYTES == 32 && crypto_sign_ed25519_BYTES == 64);

std::string Hex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.resize(n * 2);
  return out;
}

// Exactly 2*n lower-case hex digits into `out`.
bool FromHex(std::string_view hex, unsigned char* out, size_t n) {
  if (hex.size() != n * 2) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  size_t written = 0;
  return sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 &&
         written == n;
}

std::string Errno(const std::string& path, std::string_view what) {
  return path + ": " + std::string(what) + ": " + std::strerror(errno);
}

Status CreateKeyFile(const std::string& path) {
  unsigned char seed[crypto_sign_ed25519_SEEDBYTES];
  randombytes_buf(seed, sizeof(seed));
  std::string line = std::string(kKeyPrefix) + Hex(seed, sizeof(seed)) + "\n";
  sodium_memzero(seed, sizeof(seed));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    Status s = errno == EEXIST ? AlreadyExists(path) : Internal(Errno(path, "cannot create"));
    sodium_memzero(line.data(), line.size());
    return s;
  }
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  Status s = ok ? Status::Ok() : Internal(Errno(path, "cannot write"));
  ::close(fd);
  sodium_memzero(line.data(), line.size());
  if (!ok) {
    ::unlink(path.c_str());
    return s;
  }
  // The new name must survive a power loss too, or a restart would make (and publish) a new key.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return s;
}

}  // namespace

std::string SignedHeadMessage(std::int64_t seq, std::string_view hash, std::string_view signed_at) {
  std::string m = "bulwark-log-head-v1\n";
  m += std::to_string(seq);
  m += '\n';
  m += hash;
  m += '\n';
  m += signed_at;
  return m;
}

Status VerifySignedHead(const SignedHead& head, std::string_view trusted_public_key) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  unsigned char pk[crypto_sign_ed25519_PUBLICKEYBYTES];
  unsigned char sig[crypto_sign_ed25519_BYTES];
  if (!FromHex(trusted_public_key, pk, sizeof(pk))) {
    return InvalidArgument("the public key must be 64 lower-case hex digits", "public_key");
  }
  if (head.public_key != trusted_public_key) {
    return InvalidArgument("the head is signed with key " + head.public_key + ", not the key " +
                               std::string(trusted_public_key) + " given",
                           "public_key");
  }
  if (!FromHex(head.signature, sig, sizeof(sig))) {
    return InvalidArgument("the signature must be 128 lower-case hex digits", "signature");
  }
  std::string m = SignedHeadMessage(head.seq, head.hash, head.signed_at);
  if (crypto_sign_ed25519_verify_detached(sig, reinterpret_cast<const unsigned char*>(m.data()),
                                          m.size(), pk) != 0) {
    return InvalidArgument("the signature does not match seq " + std::to_string(head.seq) +
                               ", hash " + head.hash + ", signed_at " + head.signed_at,
                           "signature");
  }
  return Status::Ok();
}

std::string Base64Encode(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  if (Base64Encode(out) != text) return std::nullopt;  // one spelling per byte string
  return out;
}

Result<LogSigningKey> LogSigningKey::FromSeed(std::string_view seed) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  if (seed.size() != crypto_sign_ed25519_SEEDBYTES) {
    return InvalidArgument("an Ed25519 seed is 32 bytes");
  }
  LogSigningKey k;
  unsigned char pk[crypto_sign_ed25519_PUBLICKEYBYTES];
  crypto_sign_ed25519_seed_keypair(pk, k.secret_.data(),
                                   reinterpret_cast<const unsigned char*>(seed.data()));
  k.public_key_hex_ = Hex(pk, sizeof(pk));
  return k;
}

Result<LogSigningKey> LogSigningKey::Load(const std::string& path) {
  // Symbolic links are followed (secret stores mount keys as links); the target is checked.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + ": no log signing key");
    return Internal(Errno(path, "cannot open the log signing key"));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Internal(Errno(path, "cannot stat the log signing key"));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + ": the log signing key is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return FailedPrecondition(path + ": the log signing key has mode " + mode +
                              ": other users could read or replace it (chmod 600 " + path + ")");
  }
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  if (n < 0) return Internal(Errno(path, "cannot read the log signing key"));
  std::string_view text(buf, static_cast<size_t>(n));
  const auto malformed = [&] {
    sodium_memzero(buf, sizeof(buf));
    return InvalidArgument(path + ": not a Bulwark log signing key (expected one line '" +
                           std::string(kKeyPrefix) + "<64 hex digits>')");
  };
  if (!text.starts_with(kKeyPrefix)) return malformed();
  text.remove_prefix(kKeyPrefix.size());
  if (text.ends_with('\n')) text.remove_suffix(1);
  unsigned char seed[crypto_sign_ed25519_SEEDBYTES];
  if (sodium_init() < 0 || !FromHex(text, seed, sizeof(seed))) return malformed();
  auto key = FromSeed(std::string_view(reinterpret_cast<const char*>(seed), sizeof(seed)));
  sodium_memzero(seed, sizeof(seed));
  sodium_memzero(buf, sizeof(buf));
  return key;
}

Result<LogSigningKey> LogSigningKey::LoadOrCreate(const std::string& path) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  auto key = Load(path);
  if (key.ok() || key.status().code() != Code::kNotFound) return key;
  Status created = CreateKeyFile(path);
  // AlreadyExists: another process created it between the two calls; read theirs.
  if (!created.ok() && created.code() != Code::kAlreadyExists) return created;
  return Load(path);
}

LogSigningKey::~LogSigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

SignedHead LogSigningKey::Sign(std::int64_t seq, std::string_view hash,
                               UnixMillis signed_at) const {
  SignedHead h;
  h.seq = seq;
  h.hash = std::string(hash);
  h.signed_at = FormatRfc3339(signed_at);
  h.public_key = public_key_hex_;
  std::string m = SignedHeadMessage(h.seq, h.hash, h.signed_at);
  unsigned char sig[crypto_sign_ed25519_BYTES];
  crypto_sign_ed25519_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(m.data()),
                               m.size(), secret_.data());
  h.signature = Hex(sig, sizeof(sig));
  return h;
}

SignedHead HeadSigner::Sign(std::int64_t seq, const std::string& hash, UnixMillis now) {
  std::lock_guard lock(mu_);
  if (!last_ || last_->seq != seq || last_->hash != hash) last_ = key_.Sign(seq, hash, now);
  return *last_;
}

}  // namespace bulwark
