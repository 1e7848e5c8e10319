// Password hashing (argon2id via libsodium), the password policy, generated passwords, CSRF
// token comparison.

#include "auth/passwords.h"

#include <gtest/gtest.h>

#include <set>

#include "auth/csrf.h"

namespace bulwark::auth {
namespace {

const PasswordOptions kFast = PasswordOptions::Minimal();

TEST(Passwords, HashIsArgon2idWithTheConfiguredCostAndVerifies) {
  auto h = HashPassword("correct horse battery", kFast);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword(*h, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword(*h, ""));
  EXPECT_FALSE(VerifyPassword("", "correct horse battery"));
  EXPECT_FALSE(VerifyPassword("not a hash", "x"));
  // Salted: the same password hashes differently each time.
  EXPECT_NE(*h, *HashPassword("correct horse battery", kFast));
}

TEST(Passwords, DefaultsAreLibsodiumInteractiveLimits) {
  PasswordOptions o;
  EXPECT_EQ(o.opslimit, 2u);
  EXPECT_EQ(o.memlimit, 64u << 20);
  auto h = HashPassword("correct horse battery", o);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *h;
  EXPECT_FALSE(NeedsRehash(*h, o));
  EXPECT_TRUE(NeedsRehash(*h, kFast));
}

TEST(Passwords, NeedsRehashWhenTheCostChanges) {
  auto weak = HashPassword("correct horse battery", kFast);
  EXPECT_FALSE(NeedsRehash(*weak, kFast));
  PasswordOptions stronger = kFast;
  stronger.opslimit = 3;
  EXPECT_TRUE(NeedsRehash(*weak, stronger));
  EXPECT_TRUE(NeedsRehash("garbage", kFast));
  EXPECT_TRUE(NeedsRehash("", kFast));
}

TEST(Passwords, PolicyNamesTheField) {
  EXPECT_TRUE(CheckPasswordPolicy("correct horse battery", "amira", kFast).ok());
  Status short_pw = CheckPasswordPolicy("short", "amira", kFast);
  EXPECT_EQ(short_pw.code(), Code::kInvalidArgument);
  EXPECT_EQ(short_pw.field(), "password");
  EXPECT_NE(short_pw.message().find("12"), std::string::npos);
  // Characters, not bytes: 12 two-byte letters pass, 11 do not.
  std::string twelve, eleven;
  for (int i = 0; i < 12; ++i) twelve += "\xc3\xa9";
  for (int i = 0; i < 11; ++i) eleven += "\xc3\xa9";
  EXPECT_TRUE(CheckPasswordPolicy(twelve, "amira", kFast).ok());
  EXPECT_FALSE(CheckPasswordPolicy(eleven, "amira", kFast).ok());
  EXPECT_FALSE(CheckPasswordPolicy("my name is AMIRA!!", "amira", kFast).ok());
  EXPECT_FALSE(CheckPasswordPolicy(std::string(1025, 'x'), "amira", kFast).ok());
  EXPECT_FALSE(CheckPasswordPolicy("bad\xff utf8 password", "amira", kFast).ok());
  EXPECT_FALSE(CheckPasswordPolicy("tab\there password", "amira", kFast).ok());
  EXPECT_EQ(CheckPasswordPolicy("x", "amira", kFast, "new_password").field(), "new_password");
}

TEST(Passwords, GeneratedPasswordsPassThePolicyAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto pw = GeneratePassword();
    ASSERT_TRUE(pw.ok());
    EXPECT_EQ(pw->size(), 24u);
    EXPECT_TRUE(CheckPasswordPolicy(*pw, "admin", kFast).ok()) << *pw;
    EXPECT_EQ(pw->find_first_of("0O1lI"), std::string::npos) << *pw;
    seen.insert(*pw);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(Csrf, TokensAreRandomAndComparedExactly) {
  auto a = NewCsrfToken();
  auto b = NewCsrfToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyCsrfToken(*a, *a).ok());
  Status wrong = VerifyCsrfToken(*b, *a);
  EXPECT_EQ(wrong.code(), Code::kPermissionDenied);
  EXPECT_EQ(wrong.field(), "csrf_token");
  Status missing = VerifyCsrfToken("", *a);
  EXPECT_EQ(missing.code(), Code::kPermissionDenied);
  EXPECT_EQ(missing.field(), "csrf_token");
  EXPECT_FALSE(VerifyCsrfToken(a->substr(0, 63), *a).ok());
  EXPECT_FALSE(VerifyCsrfToken("", "").ok());  // a session without a token accepts nothing
}

}  // namespace
}  // namespace bulwark::auth
