#pragma once

// Staff accounts and their sessions: creating and disabling users, password login with
// throttling, session tokens with idle and absolute expiry, logout.
//
// Sessions. A login yields a 256-bit random token (the cookie value, 64 hex characters) and a
// CSRF token (auth/csrf.h). Only the SHA-256 of the session token is stored, so a copy of the
// database does not let anyone log in. A session ends at the first of: logout, its absolute
// expiry, idle_timeout without a request, the user being disabled, or their password being
// reset.
//
// Throttling. Failed logins are counted per username (case-insensitive), whether or not the
// account exists, so the lockout reveals nothing about which usernames exist. The
// `free_failures`-th consecutive failure locks the username for base_lockout, and each further
// failure doubles the lockout up to max_lockout; attempts during a lockout are refused without
// checking the password. A successful login clears the count. Every failure carries the same
// message, "invalid username or password", and unknown usernames cost one password hash like known
// ones.
//
// Thread-safe: the store is, and the object has no mutable state but a lazily built dummy hash.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/passwords.h"
#include "core/roles.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace bulwark::auth {

struct SessionOptions {
  std::int64_t idle_timeout_ms = 30LL * 60 * 1000;        // no request for 30 minutes: ended
  std::int64_t absolute_timeout_ms = 12LL * 3600 * 1000;  // 12 hours after login: ended
  // last_seen_at is written at most this often per session, so that reads stay reads.
  std::int64_t touch_interval_ms = 60LL * 1000;
};

struct ThrottleOptions {
  int free_failures = 5;
  std::int64_t base_lockout_ms = 60LL * 1000;
  std::int64_t max_lockout_ms = 15LL * 60 * 1000;
  std::int64_t window_ms = 3600LL * 1000;  // a failure this old is forgotten
};

struct AuthOptions {
  PasswordOptions passwords;
  SessionOptions sessions;
  ThrottleOptions throttle;
  // At most this many password checks (argon2id: 64 MiB and ~0.2 s each) run at once; one more
  // is refused at once with Unavailable rather than queued on an HTTP thread, so a username spray
  // cannot occupy every thread of the API. 0: no limit.
  int max_concurrent_hashes = 0;
};

// At most `max` holders at a time (max <= 0: unlimited). TryAcquire never waits. Thread-safe.
class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(int max) : max_(max) {}
  bool TryAcquire();
  void Release();
  int in_use() const;

 private:
  mutable std::mutex mu_;
  const int max_;
  int used_ = 0;
};

// Limits on account fields.
inline constexpr std::size_t kMaxUsernameBytes = 64;
inline constexpr std::size_t kMaxDisplayNameBytes = 100;
inline constexpr std::size_t kMaxExpertiseTags = 32;
inline constexpr std::size_t kMaxExpertiseTagBytes = 64;

struct NewUser {
  std::string username;
  std::string display_name;  // empty: the username
  Role role = Role::kReviewer;
  std::vector<std::string> expertise;
  std::optional<std::string> password;  // none: one is generated
  // Who creates the account (store::StaffActor of the admin, or the command line's operator):
  // recorded as the first password's setter and in the decision log.
  std::string created_by = std::string(store::kOperatorActor);
};

struct CreatedUser {
  store::StaffUser user;
  std::string generated_password;  // empty when the caller supplied one
};

struct LoginResult {
  store::StaffUser user;
  std::string session_token;  // the cookie value; never stored
  std::string csrf_token;
  UnixMillis expires_at = 0;
};

struct ActiveSession {
  store::StaffUser user;
  store::StaffSession session;
};

// 1..64 bytes of ASCII letters, digits and . _ @ -, starting with a letter or digit.
// InvalidArgument naming `field`.
Status ValidateUsername(std::string_view username, std::string field = "username");
// Sorted and deduplicated tags of 1..64 bytes of a-z, 0-9, _ and -, at most 32. InvalidArgument
// naming "<field>[i]".
Result<std::vector<std::string>> NormalizeExpertise(std::vector<std::string> tags,
                                                    std::string field = "expertise");
// The throttling key of a username: its ASCII lower case.
std::string UsernameKey(std::string_view username);
// When the lockout after `f` ends (0: not locked).
UnixMillis LockedUntil(const store::LoginFailures& f, const ThrottleOptions& options);

class StaffAccounts {
 public:
  // `users` must outlive this object.
  StaffAccounts(store::UserStore& users, AuthOptions options);

  const AuthOptions& options() const { return options_; }

  // Validates every field (InvalidArgument naming it; the platform role is for API keys only),
  // checks the password policy or generates a password, hashes it and stores the user.
  // AlreadyExists naming nothing if the username is taken.
  Result<CreatedUser> CreateUser(NewUser request, UnixMillis now);

  // Disables the user and ends their sessions; `actor` (store::StaffActor of the admin, or the
  // operator) goes to the decision log. NotFound.
  Status DisableUser(std::string_view user_id, UnixMillis now,
                     std::string_view actor = store::kOperatorActor);

  // Sets a new password (checked against the policy) or a generated one, which is returned;
  // ends the user's sessions. `set_by` is recorded as the password's setter (a civil-rights
  // account whose password someone else set cannot sign off policy: policy/lifecycle.h) and in
  // the decision log. NotFound.
  Result<std::string> ResetPassword(std::string_view user_id, std::optional<std::string> password,
                                    UnixMillis now,
                                    std::string_view set_by = store::kOperatorActor);

  // The user replaces their own password: `current_password` is checked like a login (a wrong
  // one counts towards the username's lockout; Unauthenticated naming "current_password",
  // ResourceExhausted while locked out) and `new_password` against the policy (InvalidArgument
  // naming "new_password"). Ends every session of the user, this one included.
  Status ChangeOwnPassword(std::string_view user_id, std::string_view current_password,
                           std::string_view new_password, UnixMillis now,
                           std::int64_t* retry_after_ms = nullptr);

  // Checks the password and opens a session. Unauthenticated "invalid username or password" for
  // an unknown or disabled user or a wrong password; ResourceExhausted naming "username" while
  // the username is locked out, with *retry_after_ms (if given) set to the time left.
  Result<LoginResult> Login(std::string_view username, std::string_view password, UnixMillis now,
                            std::int64_t* retry_after_ms = nullptr);

  // The limit on concurrent password checks (AuthOptions::max_concurrent_hashes); exposed so that
  // a test can hold it.
  ConcurrencyLimit& hash_slots() { return hash_slots_; }

  // The session and user for a presented token. Unauthenticated for a malformed, unknown,
  // revoked, expired or idle session or a disabled user.
  Result<ActiveSession> VerifySession(std::string_view token, UnixMillis now);

  // Ends the session (idempotent). Unauthenticated for a malformed or unknown token.
  Status Logout(std::string_view token, UnixMillis now);

 private:
  const std::string& DummyHash();
  // The user whose password `password` is, with the attempt reserved against the lockout first
  // (see Login). Unauthenticated for an unknown or disabled user or a wrong password.
  Result<store::StaffUser> CheckPassword(std::string_view username, std::string_view password,
                                         UnixMillis now, std::int64_t* retry_after_ms);

  store::UserStore& users_;
  const AuthOptions options_;
  ConcurrencyLimit hash_slots_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace bulwark::auth
