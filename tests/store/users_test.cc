// UserStore conformance: staff accounts, sessions and failed-login counts on a real database.

#include <gtest/gtest.h>

#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::store {
namespace {

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenDatabase("sqlite:" + dir_.File("users.db"), OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  UserStore& users() { return db_->users(); }

  static StaffUser User(std::string id, std::string username, Role role = Role::kReviewer) {
    StaffUser u;
    u.id = std::move(id);
    u.username = std::move(username);
    u.display_name = "Display " + u.username;
    u.role = role;
    u.password_hash = "$argon2id$v=19$m=8,t=1,p=1$fake";
    u.created_at = 1000;
    return u;
  }
  static StaffSession Session(std::string hash, std::string user_id, UnixMillis now = 1000) {
    StaffSession s;
    s.token_hash = std::move(hash);
    s.user_id = std::move(user_id);
    s.csrf_token = "csrf-" + s.token_hash;
    s.created_at = now;
    s.last_seen_at = now;
    s.expires_at = now + 3600 * 1000;
    return s;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(UserStoreTest, UsernamesAreUniqueCaseInsensitively) {
  StaffUser amira = User("u1", "Amira");
  amira.expertise = {"anti_muslim", "antisemitism"};
  ASSERT_TRUE(users().CreateUser(amira).ok());
  Status dup = users().CreateUser(User("u2", "aMIRA"));
  EXPECT_EQ(dup.code(), Code::kAlreadyExists) << dup.ToString();
  EXPECT_EQ(users().CreateUser(User("u1", "someone")).code(), Code::kAlreadyExists);

  auto found = users().FindUserByUsername("AMIRA");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, "u1");
  EXPECT_EQ(found->username, "Amira");  // stored as entered
  EXPECT_EQ(found->display_name, "Display Amira");
  EXPECT_EQ(found->role, Role::kReviewer);
  EXPECT_EQ(found->expertise, amira.expertise);
  EXPECT_EQ(found->password_changed_at, 1000);
  EXPECT_FALSE(found->disabled_at);
  EXPECT_EQ(users().FindUserById("u1")->username, "Amira");
  EXPECT_EQ(users().FindUserById("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(users().FindUserByUsername("nobody").status().code(), Code::kNotFound);

  ASSERT_TRUE(users().CreateUser(User("u3", "bob", Role::kAdmin)).ok());
  auto all = users().ListUsers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].username, "Amira");
  EXPECT_EQ((*all)[1].role, Role::kAdmin);
  EXPECT_TRUE((*all)[1].expertise.empty());
}

TEST_F(UserStoreTest, DisablingAUserRevokesEverySessionOfTheirs) {
  ASSERT_TRUE(users().CreateUser(User("u1", "amira")).ok());
  ASSERT_TRUE(users().CreateUser(User("u2", "bob")).ok());
  ASSERT_TRUE(users().CreateSession(Session("h1", "u1")).ok());
  ASSERT_TRUE(users().CreateSession(Session("h2", "u1")).ok());
  ASSERT_TRUE(users().CreateSession(Session("h3", "u2")).ok());

  ASSERT_TRUE(users().DisableUser("u1", 5000, "user:u2").ok());
  EXPECT_EQ(users().FindUserById("u1")->disabled_at, 5000);
  EXPECT_EQ(users().FindSession("h1")->revoked_at, 5000);
  EXPECT_EQ(users().FindSession("h2")->revoked_at, 5000);
  EXPECT_FALSE(users().FindSession("h3")->revoked_at);
  // Disabling again keeps the first time.
  ASSERT_TRUE(users().DisableUser("u1", 9000, "user:u2").ok());
  EXPECT_EQ(users().FindUserById("u1")->disabled_at, 5000);
  EXPECT_EQ(users().DisableUser("nope", 1, "operator").code(), Code::kNotFound);
}

TEST_F(UserStoreTest, AccountChangesRecordWhoSetThePasswordAndGoToTheDecisionLog) {
  StaffUser carol = User("c1", "carol", Role::kCivilRights);
  carol.expertise = {"policy"};
  carol.password_set_by = "user:admin1";
  ASSERT_TRUE(users().CreateUser(carol).ok());
  EXPECT_EQ(users().FindUserById("c1")->password_set_by, "user:admin1");
  ASSERT_TRUE(users().SetPassword("c1", "own-hash", 2000, StaffActor("c1")).ok());
  EXPECT_EQ(users().FindUserById("c1")->password_set_by, "user:c1");
  ASSERT_TRUE(users().DisableUser("c1", 3000, "user:admin1").ok());
  // A failed change writes nothing, to the account or to the log.
  EXPECT_EQ(users().SetPassword("nope", "x", 4000, "operator").code(), Code::kNotFound);

  auto log = db_->decisions().ListDecisions(0, 100);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 3u);
  const char* changes[] = {"created", "password_changed_by_owner", "disabled"};
  const char* actors[] = {"user:admin1", "user:c1", "user:admin1"};
  for (size_t i = 0; i < 3; ++i) {
    const Decision& d = (*log)[i];
    EXPECT_EQ(d.action, ActionType::kAccount);
    EXPECT_EQ(d.item_id, "");
    EXPECT_EQ(d.actor, actors[i]);
    EXPECT_NE(d.evidence.find(std::string("\"change\":\"") + changes[i] + "\""), std::string::npos)
        << d.evidence;
    EXPECT_NE(d.evidence.find("\"user_id\":\"c1\""), std::string::npos) << d.evidence;
    EXPECT_NE(d.evidence.find("\"role\":\"civil_rights\""), std::string::npos) << d.evidence;
    // The public log names users by id, never by username.
    EXPECT_EQ(d.evidence.find("carol"), std::string::npos) << d.evidence;
  }
  // The entries are in the hash chain like every other decision.
  EXPECT_EQ((*log)[1].prev_hash, (*log)[0].hash);
}

TEST_F(UserStoreTest, PasswordChangesEndSessionsAndRehashIsCompareAndSet) {
  ASSERT_TRUE(users().CreateUser(User("u1", "amira")).ok());
  ASSERT_TRUE(users().CreateSession(Session("h1", "u1")).ok());
  ASSERT_TRUE(users().SetPassword("u1", "new-hash", 7000, "user:admin").ok());
  auto u = users().FindUserById("u1");
  EXPECT_EQ(u->password_hash, "new-hash");
  EXPECT_EQ(u->password_changed_at, 7000);
  EXPECT_EQ(users().FindSession("h1")->revoked_at, 7000);
  EXPECT_EQ(users().SetPassword("nope", "x", 1, "operator").code(), Code::kNotFound);

  ASSERT_TRUE(users().CreateSession(Session("h2", "u1", 8000)).ok());
  // A rehash based on a stale hash changes nothing; one based on the current hash applies.
  ASSERT_TRUE(users().RehashPassword("u1", "stale", "rehashed").ok());
  EXPECT_EQ(users().FindUserById("u1")->password_hash, "new-hash");
  ASSERT_TRUE(users().RehashPassword("u1", "new-hash", "rehashed").ok());
  u = users().FindUserById("u1");
  EXPECT_EQ(u->password_hash, "rehashed");
  EXPECT_EQ(u->password_changed_at, 7000);
  EXPECT_FALSE(users().FindSession("h2")->revoked_at);
}

TEST_F(UserStoreTest, SessionsAreFoundByHashTouchedAndRevoked) {
  ASSERT_TRUE(users().CreateUser(User("u1", "amira")).ok());
  ASSERT_TRUE(users().CreateSession(Session("h1", "u1", 1000)).ok());
  auto s = users().FindSession("h1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->user_id, "u1");
  EXPECT_EQ(s->csrf_token, "csrf-h1");
  EXPECT_EQ(s->expires_at, 1000 + 3600 * 1000);
  EXPECT_EQ(users().FindSession("h2").status().code(), Code::kNotFound);

  ASSERT_TRUE(users().TouchSession("h1", 2000).ok());
  ASSERT_TRUE(users().TouchSession("h1", 1500).ok());  // never moves back
  EXPECT_EQ(users().FindSession("h1")->last_seen_at, 2000);

  ASSERT_TRUE(users().RevokeSession("h1", 3000).ok());
  ASSERT_TRUE(users().RevokeSession("h1", 4000).ok());
  EXPECT_EQ(users().FindSession("h1")->revoked_at, 3000);
  EXPECT_EQ(users().RevokeSession("h2", 1).code(), Code::kNotFound);
}

TEST_F(UserStoreTest, LongExpiredSessionsArePrunedWhenNewOnesStart) {
  ASSERT_TRUE(users().CreateUser(User("u1", "amira")).ok());
  ASSERT_TRUE(users().CreateSession(Session("old", "u1", 1000)).ok());
  const UnixMillis much_later = 1000 + 40LL * 24 * 3600 * 1000;
  ASSERT_TRUE(users().CreateSession(Session("new", "u1", much_later)).ok());
  EXPECT_EQ(users().FindSession("old").status().code(), Code::kNotFound);
  EXPECT_TRUE(users().FindSession("new").ok());
}

TEST_F(UserStoreTest, LoginFailuresCountWithinTheWindowAndClear) {
  const std::int64_t window = 1000;
  auto never_locked = [](const LoginFailures&) { return false; };
  // Reserves (counts) one attempt at `now`; returns the count after it.
  auto count = [&](std::string_view key, UnixMillis now) {
    bool reserved = false;
    EXPECT_TRUE(users().ReserveLoginAttempt(key, now, window, never_locked, &reserved).ok());
    EXPECT_TRUE(reserved);
    return users().GetLoginFailures(key).value();
  };
  EXPECT_EQ(users().GetLoginFailures("amira")->failures, 0);
  EXPECT_EQ(count("amira", 100).failures, 1);
  LoginFailures f = count("amira", 200);
  EXPECT_EQ(f.failures, 2);
  EXPECT_EQ(f.first_failure_at, 100);
  EXPECT_EQ(f.last_failure_at, 200);
  EXPECT_EQ(users().GetLoginFailures("bob")->failures, 0);

  // A failure after a quiet window starts a new count.
  f = count("amira", 5000);
  EXPECT_EQ(f.failures, 1);
  EXPECT_EQ(f.first_failure_at, 5000);

  count("bob", 5000);
  ASSERT_TRUE(users().ClearLoginFailures("amira").ok());
  EXPECT_EQ(users().GetLoginFailures("amira")->failures, 0);
  EXPECT_EQ(users().GetLoginFailures("bob")->failures, 1);
  // Stale rows are pruned by later attempts.
  count("carol", 9000);
  EXPECT_EQ(users().GetLoginFailures("bob")->failures, 0);

  // A locked username is not counted again.
  bool reserved = true;
  auto before = users().ReserveLoginAttempt(
      "carol", 9100, window, [](const LoginFailures& l) { return l.failures >= 1; }, &reserved);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(reserved);
  EXPECT_EQ(before->failures, 1);
  EXPECT_EQ(users().GetLoginFailures("carol")->failures, 1);
}

}  // namespace
}  // namespace bulwark::store
