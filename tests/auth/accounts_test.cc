// Staff accounts over a real SQLite database: creation rules, password login and its
// throttling, session expiry (idle and absolute), logout, disabling, password resets.

#include "auth/accounts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::auth {
namespace {

constexpr UnixMillis kT0 = 1'800'000'000'000;
constexpr char kPassword[] = "correct horse battery";

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenDatabase("sqlite:" + dir_.File("accounts.db"), store::OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    options_.passwords = PasswordOptions::Minimal();
    accounts_ = std::make_unique<StaffAccounts>(db_->users(), options_);
  }

  store::StaffUser Create(const std::string& username, Role role = Role::kReviewer,
                          std::vector<std::string> expertise = {}) {
    NewUser n;
    n.username = username;
    n.role = role;
    n.expertise = std::move(expertise);
    n.password = kPassword;
    auto created = accounts_->CreateUser(n, kT0);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->user : store::StaffUser{};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  AuthOptions options_;
  std::unique_ptr<StaffAccounts> accounts_;
};

TEST_F(AccountsTest, CreateValidatesEveryFieldAndNamesIt) {
  auto field_of = [&](NewUser n) {
    auto r = accounts_->CreateUser(std::move(n), kT0);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string("<ok>") : r.status().field();
  };
  NewUser good;
  good.username = "amira";
  good.password = kPassword;

  NewUser n = good;
  n.username = "";
  EXPECT_EQ(field_of(n), "username");
  n.username = "-dash-first";
  EXPECT_EQ(field_of(n), "username");
  n.username = "has space";
  EXPECT_EQ(field_of(n), "username");
  n.username = std::string(65, 'a');
  EXPECT_EQ(field_of(n), "username");
  n = good;
  n.role = Role::kPlatform;  // platforms use API keys
  EXPECT_EQ(field_of(n), "role");
  n = good;
  n.expertise = {"antisemitism", "Not A Tag"};
  EXPECT_EQ(field_of(n), "expertise[1]");
  n = good;
  n.display_name = "bad\x01name";
  EXPECT_EQ(field_of(n), "display_name");
  n = good;
  n.password = "amira-password-is-long";  // contains the username
  EXPECT_EQ(field_of(n), "password");
  n = good;
  n.password = "short";
  EXPECT_EQ(field_of(n), "password");

  n = good;
  n.expertise = {"misogyny", "antisemitism", "misogyny"};
  auto ok = accounts_->CreateUser(n, kT0);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->user.expertise, (std::vector<std::string>{"antisemitism", "misogyny"}));
  EXPECT_EQ(ok->user.display_name, "amira");
  EXPECT_TRUE(ok->generated_password.empty());
  EXPECT_EQ(ok->user.password_hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(ok->user.password_hash, kPassword));

  n = good;
  n.username = "AMIRA";
  auto dup = accounts_->CreateUser(n, kT0);
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().field(), "username");
}

TEST_F(AccountsTest, WithoutAPasswordOneIsGeneratedAndWorks) {
  NewUser n;
  n.username = "root";
  n.role = Role::kAdmin;
  auto created = accounts_->CreateUser(n, kT0);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->generated_password.size(), 24u);
  EXPECT_TRUE(accounts_->Login("root", created->generated_password, kT0).ok());
}

TEST_F(AccountsTest, LoginOpensASessionStoredOnlyAsAHash) {
  store::StaffUser amira = Create("Amira", Role::kReviewer, {"antisemitism"});
  auto login = accounts_->Login("amira", kPassword, kT0);  // any case
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_EQ(login->user.id, amira.id);
  EXPECT_EQ(login->session_token.size(), 64u);
  EXPECT_EQ(login->csrf_token.size(), 64u);
  EXPECT_NE(login->session_token, login->csrf_token);
  EXPECT_EQ(login->expires_at, kT0 + options_.sessions.absolute_timeout_ms);

  // The database knows the session by the token's hash, never by the token.
  EXPECT_EQ(db_->users().FindSession(login->session_token).status().code(), Code::kNotFound);
  auto stored = db_->users().FindSession(Sha256Hex(login->session_token));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->user_id, amira.id);

  auto s = accounts_->VerifySession(login->session_token, kT0 + 1000);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->user.username, "Amira");
  EXPECT_EQ(s->user.expertise, std::vector<std::string>{"antisemitism"});
  EXPECT_EQ(s->session.csrf_token, login->csrf_token);

  // Two logins are two sessions.
  auto second = accounts_->Login("AMIRA", kPassword, kT0);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->session_token, login->session_token);
}

TEST_F(AccountsTest, EveryFailureLooksTheSame) {
  Create("amira");
  store::StaffUser gone = Create("gone");
  ASSERT_TRUE(accounts_->DisableUser(gone.id, kT0).ok());
  for (auto [user, pw] : std::vector<std::pair<std::string, std::string>>{
           {"amira", "wrong password!!"},  // wrong password
           {"nobody", kPassword},          // unknown user
           {"gone", kPassword},            // disabled user, right password
           {"not a username", kPassword}}) {
    auto r = accounts_->Login(user, pw, kT0);
    EXPECT_EQ(r.status().code(), Code::kUnauthenticated) << user;
    EXPECT_EQ(r.status().message(), "invalid username or password") << user;
    EXPECT_EQ(r.status().field(), "") << user;
  }
  EXPECT_EQ(accounts_->Login("", kPassword, kT0).status().field(), "username");
  EXPECT_EQ(accounts_->Login("amira", "", kT0).status().field(), "password");
  EXPECT_EQ(accounts_->Login("amira", std::string(2000, 'x'), kT0).status().field(), "password");
}

TEST_F(AccountsTest, RepeatedFailuresLockTheUsernameWithGrowingBackoff) {
  Create("amira");
  const ThrottleOptions& t = options_.throttle;
  UnixMillis now = kT0;
  for (int i = 0; i < t.free_failures; ++i) {
    EXPECT_EQ(accounts_->Login("amira", "wrong password!!", now).status().code(),
              Code::kUnauthenticated)
        << i;
  }
  // Locked: even the right password is refused, without saying whether it was right.
  std::int64_t retry = 0;
  auto locked = accounts_->Login("AMIRA", kPassword, now, &retry);
  EXPECT_EQ(locked.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(locked.status().field(), "username");
  EXPECT_EQ(retry, t.base_lockout_ms);

  // After the lockout one more failure doubles it.
  now += t.base_lockout_ms;
  EXPECT_EQ(accounts_->Login("amira", "wrong password!!", now).status().code(),
            Code::kUnauthenticated);
  EXPECT_EQ(accounts_->Login("amira", kPassword, now, &retry).status().code(),
            Code::kResourceExhausted);
  EXPECT_EQ(retry, 2 * t.base_lockout_ms);

  // Once it has passed, the right password works and clears the count.
  now += 2 * t.base_lockout_ms;
  ASSERT_TRUE(accounts_->Login("amira", kPassword, now).ok());
  EXPECT_EQ(db_->users().GetLoginFailures("amira")->failures, 0);
  EXPECT_EQ(accounts_->Login("amira", "wrong password!!", now).status().code(),
            Code::kUnauthenticated);
}

TEST_F(AccountsTest, ParallelGuessesCannotSlipPastTheLockout) {
  // Issue 9, item 7: the count used to be read before the password hash and written after it,
  // so guesses made at the same moment all saw the same count. Now each attempt is reserved
  // first, atomically: exactly free_failures guesses reach the password check.
  Create("amira");
  const int guesses = 4 * options_.throttle.free_failures;
  std::atomic<int> checked{0}, locked{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < guesses; ++i) {
    threads.emplace_back([&, i] {
      auto r = accounts_->Login("amira", "wrong guess " + std::to_string(i), kT0);
      if (r.status().code() == Code::kUnauthenticated) {
        ++checked;
      } else if (r.status().code() == Code::kResourceExhausted) {
        ++locked;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(checked.load(), options_.throttle.free_failures);
  EXPECT_EQ(locked.load(), guesses - options_.throttle.free_failures);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(accounts_->Login("amira", kPassword, kT0).status().code(), Code::kResourceExhausted);
}

TEST_F(AccountsTest, UnknownUsernamesAreThrottledLikeKnownOnes) {
  // Otherwise a lockout would reveal which usernames exist.
  for (int i = 0; i < options_.throttle.free_failures; ++i) {
    (void)accounts_->Login("ghost", kPassword, kT0);
  }
  EXPECT_EQ(accounts_->Login("ghost", kPassword, kT0).status().code(), Code::kResourceExhausted);
}

TEST_F(AccountsTest, LockoutIsCappedAndForgottenAfterTheWindow) {
  store::LoginFailures f;
  f.failures = 40;
  f.last_failure_at = kT0;
  EXPECT_EQ(LockedUntil(f, options_.throttle), kT0 + options_.throttle.max_lockout_ms);
  f.failures = options_.throttle.free_failures - 1;
  EXPECT_EQ(LockedUntil(f, options_.throttle), 0);

  Create("amira");
  for (int i = 0; i < options_.throttle.free_failures; ++i) {
    (void)accounts_->Login("amira", "wrong password!!", kT0);
  }
  EXPECT_FALSE(accounts_->Login("amira", kPassword, kT0).ok());
  EXPECT_TRUE(accounts_->Login("amira", kPassword, kT0 + options_.throttle.window_ms + 1).ok());
}

TEST_F(AccountsTest, SessionsEndWhenIdleAtTheirAbsoluteExpiryAndOnLogout) {
  Create("amira");
  const SessionOptions& so = options_.sessions;
  auto login = accounts_->Login("amira", kPassword, kT0);
  ASSERT_TRUE(login.ok());
  const std::string token = login->session_token;

  // Requests keep it alive past one idle timeout...
  UnixMillis now = kT0;
  for (int i = 0; i < 3; ++i) {
    now += so.idle_timeout_ms - 1;
    ASSERT_TRUE(accounts_->VerifySession(token, now).ok()) << i;
  }
  // ...but silence ends it.
  EXPECT_EQ(accounts_->VerifySession(token, now + so.idle_timeout_ms).status().code(),
            Code::kUnauthenticated);

  // Activity cannot stretch it beyond the absolute expiry.
  auto other = accounts_->Login("amira", kPassword, kT0);
  now = kT0;
  while (now + so.idle_timeout_ms / 2 < kT0 + so.absolute_timeout_ms) {
    now += so.idle_timeout_ms / 2;
    ASSERT_TRUE(accounts_->VerifySession(other->session_token, now).ok());
  }
  EXPECT_EQ(
      accounts_->VerifySession(other->session_token, kT0 + so.absolute_timeout_ms).status().code(),
      Code::kUnauthenticated);

  auto third = accounts_->Login("amira", kPassword, kT0);
  ASSERT_TRUE(accounts_->Logout(third->session_token, kT0 + 10).ok());
  EXPECT_EQ(accounts_->VerifySession(third->session_token, kT0 + 20).status().code(),
            Code::kUnauthenticated);
  EXPECT_TRUE(accounts_->Logout(third->session_token, kT0 + 30).ok());  // idempotent

  for (const std::string& bad :
       std::vector<std::string>{"", "zz", std::string(64, 'g'), std::string(64, 'a')}) {
    EXPECT_EQ(accounts_->VerifySession(bad, kT0).status().code(), Code::kUnauthenticated);
  }
  EXPECT_EQ(accounts_->Logout(std::string(64, 'a'), kT0).code(), Code::kUnauthenticated);
}

TEST_F(AccountsTest, DisablingAUserOrResettingThePasswordEndsTheirSessions) {
  store::StaffUser amira = Create("amira");
  store::StaffUser bob = Create("bob");
  auto a = accounts_->Login("amira", kPassword, kT0);
  auto b = accounts_->Login("bob", kPassword, kT0);
  ASSERT_TRUE(accounts_->DisableUser(amira.id, kT0 + 1).ok());
  EXPECT_EQ(accounts_->VerifySession(a->session_token, kT0 + 2).status().code(),
            Code::kUnauthenticated);
  EXPECT_EQ(accounts_->Login("amira", kPassword, kT0 + 3).status().code(), Code::kUnauthenticated);

  auto generated = accounts_->ResetPassword(bob.id, std::nullopt, kT0 + 4);
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->size(), 24u);
  EXPECT_EQ(accounts_->VerifySession(b->session_token, kT0 + 5).status().code(),
            Code::kUnauthenticated);
  EXPECT_FALSE(accounts_->Login("bob", kPassword, kT0 + 6).ok());
  EXPECT_TRUE(accounts_->Login("bob", *generated, kT0 + 7).ok());

  EXPECT_EQ(accounts_->ResetPassword(bob.id, std::string("short"), kT0).status().field(),
            "password");
  EXPECT_TRUE(accounts_->ResetPassword(bob.id, std::string("a new passphrase"), kT0).ok());
  EXPECT_TRUE(accounts_->Login("bob", "a new passphrase", kT0 + 8).ok());
  EXPECT_EQ(accounts_->ResetPassword("nope", std::nullopt, kT0).status().code(), Code::kNotFound);
}

TEST_F(AccountsTest, ResetLiftsALockout) {
  store::StaffUser amira = Create("amira");
  for (int i = 0; i < options_.throttle.free_failures; ++i) {
    (void)accounts_->Login("amira", "wrong password!!", kT0);
  }
  EXPECT_FALSE(accounts_->Login("amira", kPassword, kT0).ok());
  ASSERT_TRUE(accounts_->ResetPassword(amira.id, std::string(kPassword), kT0).ok());
  EXPECT_TRUE(accounts_->Login("amira", kPassword, kT0).ok());
}

TEST_F(AccountsTest, ALoginRehashesAPasswordMadeWithOlderParameters) {
  store::StaffUser amira = Create("amira");
  EXPECT_EQ(amira.password_hash.rfind("$argon2id$v=19$m=8,t=1,", 0), 0u);
  auto session = accounts_->Login("amira", kPassword, kT0);
  ASSERT_TRUE(session.ok());

  AuthOptions stronger = options_;
  stronger.passwords.opslimit = 2;
  stronger.passwords.memlimit = 16u << 10;
  StaffAccounts upgraded(db_->users(), stronger);
  ASSERT_TRUE(upgraded.Login("amira", kPassword, kT0 + 1).ok());
  auto stored = db_->users().FindUserById(amira.id);
  EXPECT_EQ(stored->password_hash.rfind("$argon2id$v=19$m=16,t=2,", 0), 0u)
      << stored->password_hash;
  EXPECT_TRUE(VerifyPassword(stored->password_hash, kPassword));
  // A rehash is not a password change: sessions survive.
  EXPECT_EQ(stored->password_changed_at, kT0);
  EXPECT_TRUE(upgraded.VerifySession(session->session_token, kT0 + 2).ok());
}

}  // namespace
}  // namespace bulwark::auth
