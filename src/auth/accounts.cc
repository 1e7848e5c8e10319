#include "auth/accounts.h"

#include <algorithm>
#include <cctype>

#include "auth/csrf.h"
#include "auth/random.h"
#include "core/sha256.h"
#include "core/utf8.h"

namespace bulwark::auth {
namespace {

constexpr std::size_t kSessionTokenHex = 64;  // 256 bits

Status InvalidCredentials() { return Unauthenticated("invalid username or password"); }

Status CheckDisplayName(std::string_view name) {
  if (name.size() > kMaxDisplayNameBytes) {
    return InvalidArgument("must be at most " + std::to_string(kMaxDisplayNameBytes) + " bytes",
                           "display_name");
  }
  if (!IsValidUtf8(name)) return InvalidArgument("must be valid UTF-8", "display_name");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument("must not contain control characters", "display_name");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateUsername(std::string_view username, std::string field) {
  if (username.empty()) return InvalidArgument("is required", std::move(field));
  if (username.size() > kMaxUsernameBytes) {
    return InvalidArgument("must be at most " + std::to_string(kMaxUsernameBytes) + " bytes",
                           std::move(field));
  }
  if (!std::isalnum(static_cast<unsigned char>(username[0]))) {
    return InvalidArgument("must start with a letter or digit", std::move(field));
  }
  for (char c : username) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '@' &&
        c != '-') {
      return InvalidArgument("may contain only ASCII letters, digits and . _ @ -",
                             std::move(field));
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> NormalizeExpertise(std::vector<std::string> tags,
                                                    std::string field) {
  if (tags.size() > kMaxExpertiseTags) {
    return InvalidArgument("at most " + std::to_string(kMaxExpertiseTags) + " tags",
                           std::move(field));
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    const std::string& t = tags[i];
    bool ok = !t.empty() && t.size() <= kMaxExpertiseTagBytes;
    for (char c : t) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
    }
    if (!ok) {
      return InvalidArgument("a tag is 1.." + std::to_string(kMaxExpertiseTagBytes) +
                                 " bytes of a-z, 0-9, _ and - (a review queue name)",
                             field + "[" + std::to_string(i) + "]");
    }
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

std::string UsernameKey(std::string_view username) {
  std::string out(username);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

UnixMillis LockedUntil(const store::LoginFailures& f, const ThrottleOptions& options) {
  if (options.free_failures <= 0 || f.failures < options.free_failures) return 0;
  const int doublings = std::min(f.failures - options.free_failures, 30);
  const std::int64_t lockout =
      std::min(options.base_lockout_ms << doublings, options.max_lockout_ms);
  return f.last_failure_at + lockout;
}

StaffAccounts::StaffAccounts(store::UserStore& users, AuthOptions options)
    : users_(users), options_(std::move(options)), hash_slots_(options_.max_concurrent_hashes) {}

const std::string& StaffAccounts::DummyHash() {
  // Hashed with the live parameters so that verifying against it costs what a real one does.
  std::call_once(dummy_once_, [this] {
    auto pw = GeneratePassword();
    if (!pw.ok()) return;
    auto h = HashPassword(*pw, options_.passwords);
    if (h.ok()) dummy_hash_ = *h;
  });
  return dummy_hash_;
}

bool ConcurrencyLimit::TryAcquire() {
  if (max_ <= 0) return true;
  std::lock_guard lock(mu_);
  if (used_ >= max_) return false;
  ++used_;
  return true;
}

void ConcurrencyLimit::Release() {
  if (max_ <= 0) return;
  std::lock_guard lock(mu_);
  --used_;
}

int ConcurrencyLimit::in_use() const {
  std::lock_guard lock(mu_);
  return used_;
}

Result<CreatedUser> StaffAccounts::CreateUser(NewUser request, UnixMillis now) {
  BULWARK_RETURN_IF_ERROR(ValidateUsername(request.username));
  if (request.role == Role::kPlatform) {
    return InvalidArgument(
        "'platform' is a role for API keys; staff roles are admin, "
        "civil_rights, policy_author, reviewer, auditor, advertiser and "
        "support_agent",
        "role");
  }
  if (request.display_name.empty()) request.display_name = request.username;
  BULWARK_RETURN_IF_ERROR(CheckDisplayName(request.display_name));
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> tags,
                           NormalizeExpertise(std::move(request.expertise)));
  CreatedUser out;
  std::string password;
  if (request.password) {
    BULWARK_RETURN_IF_ERROR(
        CheckPasswordPolicy(*request.password, request.username, options_.passwords));
    password = std::move(*request.password);
  } else {
    BULWARK_ASSIGN_OR_RETURN(password, GeneratePassword());
    out.generated_password = password;
  }
  store::StaffUser& u = out.user;
  BULWARK_ASSIGN_OR_RETURN(u.id, RandomHex(8));
  u.username = std::move(request.username);
  u.display_name = std::move(request.display_name);
  u.role = request.role;
  u.expertise = std::move(tags);
  BULWARK_ASSIGN_OR_RETURN(u.password_hash, HashPassword(password, options_.passwords));
  u.created_at = now;
  u.password_changed_at = now;
  u.password_set_by = std::move(request.created_by);
  Status s = users_.CreateUser(u);
  if (s.code() == Code::kAlreadyExists) return Status(s.code(), s.message(), "username");
  BULWARK_RETURN_IF_ERROR(s);
  return out;
}

Status StaffAccounts::DisableUser(std::string_view user_id, UnixMillis now,
                                  std::string_view actor) {
  return users_.DisableUser(user_id, now, actor);
}

Result<std::string> StaffAccounts::ResetPassword(std::string_view user_id,
                                                 std::optional<std::string> password,
                                                 UnixMillis now, std::string_view set_by) {
  BULWARK_ASSIGN_OR_RETURN(store::StaffUser user, users_.FindUserById(user_id));
  std::string generated;
  if (password) {
    BULWARK_RETURN_IF_ERROR(CheckPasswordPolicy(*password, user.username, options_.passwords));
  } else {
    BULWARK_ASSIGN_OR_RETURN(generated, GeneratePassword());
    password = generated;
  }
  BULWARK_ASSIGN_OR_RETURN(std::string hash, HashPassword(*password, options_.passwords));
  BULWARK_RETURN_IF_ERROR(users_.SetPassword(user.id, hash, now, set_by));
  // An administrator's reset also lifts a lockout.
  BULWARK_RETURN_IF_ERROR(users_.ClearLoginFailures(UsernameKey(user.username)));
  return generated;
}

Result<store::StaffUser> StaffAccounts::CheckPassword(std::string_view username,
                                                      std::string_view password, UnixMillis now,
                                                      std::int64_t* retry_after_ms) {
  if (username.empty()) return InvalidArgument("is required", "username");
  if (password.empty()) return InvalidArgument("is required", "password");
  if (password.size() > options_.passwords.max_bytes) {
    return InvalidArgument(
        "must be at most " + std::to_string(options_.passwords.max_bytes) + " bytes", "password");
  }
  // A name no account can have: refuse without touching the failure table.
  if (!ValidateUsername(username).ok()) return InvalidCredentials();

  // A slot for the hash first: a refusal here counts nothing against the username.
  if (!hash_slots_.TryAcquire()) {
    return Unavailable("too many sign-ins are being checked at once; retry in a second");
  }
  struct SlotRelease {
    ConcurrencyLimit& slots;
    ~SlotRelease() { slots.Release(); }
  } release{hash_slots_};

  // The attempt is counted (as a failure, cleared on success) before the password is hashed,
  // atomically with the lockout check: parallel guesses cannot all read the same count.
  const std::string key = UsernameKey(username);
  bool reserved = false;
  BULWARK_ASSIGN_OR_RETURN(
      store::LoginFailures failures,
      users_.ReserveLoginAttempt(
          key, now, options_.throttle.window_ms,
          [&](const store::LoginFailures& f) { return LockedUntil(f, options_.throttle) > now; },
          &reserved));
  if (!reserved) {
    const UnixMillis until = LockedUntil(failures, options_.throttle);
    if (retry_after_ms) *retry_after_ms = until - now;
    return ResourceExhausted("too many failed logins for this username; try again in " +
                                 std::to_string((until - now + 999) / 1000) + " s",
                             "username");
  }

  auto user = users_.FindUserByUsername(username);
  if (!user.ok() && user.status().code() != Code::kNotFound) return user.status();
  bool ok = false;
  if (user.ok()) {
    ok = VerifyPassword(user->password_hash, password) && !user->disabled_at;
  } else {
    (void)VerifyPassword(DummyHash(), password);  // same cost as a known username
  }
  if (!ok) return InvalidCredentials();  // already counted by the reservation
  BULWARK_RETURN_IF_ERROR(users_.ClearLoginFailures(key));
  return std::move(user).value();
}

Status StaffAccounts::ChangeOwnPassword(std::string_view user_id, std::string_view current_password,
                                        std::string_view new_password, UnixMillis now,
                                        std::int64_t* retry_after_ms) {
  BULWARK_ASSIGN_OR_RETURN(store::StaffUser me, users_.FindUserById(user_id));
  if (current_password.empty()) return InvalidArgument("is required", "current_password");
  if (new_password.empty()) return InvalidArgument("is required", "new_password");
  if (current_password.size() > options_.passwords.max_bytes) {
    return InvalidArgument(
        "must be at most " + std::to_string(options_.passwords.max_bytes) + " bytes",
        "current_password");
  }
  if (Status policy = CheckPasswordPolicy(new_password, me.username, options_.passwords);
      !policy.ok()) {
    return Status(policy.code(), policy.message(), "new_password");
  }
  auto checked = CheckPassword(me.username, current_password, now, retry_after_ms);
  if (!checked.ok()) {
    const Status& s = checked.status();
    return s.code() == Code::kUnauthenticated
               ? Status(Code::kUnauthenticated, "the current password is wrong", "current_password")
               : s;
  }
  BULWARK_ASSIGN_OR_RETURN(std::string hash, HashPassword(new_password, options_.passwords));
  return users_.SetPassword(me.id, hash, now, store::StaffActor(me.id));
}

Result<LoginResult> StaffAccounts::Login(std::string_view username, std::string_view password,
                                         UnixMillis now, std::int64_t* retry_after_ms) {
  auto user = CheckPassword(username, password, now, retry_after_ms);
  if (!user.ok()) return user.status();
  if (NeedsRehash(user->password_hash, options_.passwords)) {
    // The cost was raised since this hash was made: upgrade it while we know the password.
    auto rehashed = HashPassword(password, options_.passwords);
    if (rehashed.ok()) {
      BULWARK_RETURN_IF_ERROR(users_.RehashPassword(user->id, user->password_hash, *rehashed));
      user->password_hash = *rehashed;
    }
  }

  LoginResult out;
  BULWARK_ASSIGN_OR_RETURN(out.session_token, RandomHex(kSessionTokenHex / 2));
  BULWARK_ASSIGN_OR_RETURN(out.csrf_token, NewCsrfToken());
  store::StaffSession session;
  session.token_hash = Sha256Hex(out.session_token);
  session.user_id = user->id;
  session.csrf_token = out.csrf_token;
  session.created_at = now;
  session.expires_at = now + options_.sessions.absolute_timeout_ms;
  session.last_seen_at = now;
  BULWARK_RETURN_IF_ERROR(users_.CreateSession(session));
  out.expires_at = session.expires_at;
  out.user = std::move(user).value();
  return out;
}

Result<ActiveSession> StaffAccounts::VerifySession(std::string_view token, UnixMillis now) {
  if (token.size() != kSessionTokenHex || !IsLowerHex(token)) {
    return Unauthenticated("invalid session; log in again");
  }
  auto session = users_.FindSession(Sha256Hex(token));
  if (!session.ok()) {
    if (session.status().code() == Code::kNotFound) {
      return Unauthenticated("invalid session; log in again");
    }
    return session.status();
  }
  if (session->revoked_at) return Unauthenticated("the session has ended; log in again");
  if (now >= session->expires_at) return Unauthenticated("the session has expired; log in again");
  if (now - session->last_seen_at >= options_.sessions.idle_timeout_ms) {
    return Unauthenticated("the session timed out after inactivity; log in again");
  }
  auto user = users_.FindUserById(session->user_id);
  if (!user.ok()) {
    if (user.status().code() == Code::kNotFound) {
      return Unauthenticated("invalid session; log in again");
    }
    return user.status();
  }
  if (user->disabled_at) return Unauthenticated("the account is disabled");
  if (now - session->last_seen_at >= options_.sessions.touch_interval_ms) {
    BULWARK_RETURN_IF_ERROR(users_.TouchSession(session->token_hash, now));
    session->last_seen_at = now;
  }
  return ActiveSession{std::move(user).value(), std::move(session).value()};
}

Status StaffAccounts::Logout(std::string_view token, UnixMillis now) {
  if (token.size() != kSessionTokenHex || !IsLowerHex(token)) {
    return Unauthenticated("invalid session");
  }
  Status s = users_.RevokeSession(Sha256Hex(token), now);
  if (s.code() == Code::kNotFound) return Unauthenticated("invalid session");
  return s;
}

}  // namespace bulwark::auth
