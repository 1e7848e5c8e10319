// Signed log heads: the key file (created 0600, refused when loose or malformed), signatures
// that verify and fail when anything signed changes, and the served-bytes chain check.

#include "core/log_signing.h"

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>

#include "core/decision.h"
#include "core/sha256.h"
#include "testing/temp_dir.h"

namespace bulwark {
namespace {

LogSigningKey TestKey(char fill = 'k') {
  return LogSigningKey::FromSeed(std::string(32, fill)).value();
}

TEST(LogSigningKey, CreatedOnFirstUseWithMode0600AndReloadedTheSame) {
  testing::TempDir dir;
  const std::string path = dir.File("bulwark.db.logkey");
  auto created = LogSigningKey::LoadOrCreate(path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(created->public_key().size(), 64u);
  auto again = LogSigningKey::LoadOrCreate(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), created->public_key());
  auto loaded = LogSigningKey::Load(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->public_key(), created->public_key());
  // A second, different server key: a fresh file gets a fresh random key.
  auto other = LogSigningKey::LoadOrCreate(dir.File("other.logkey"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_key(), created->public_key());
}

TEST(LogSigningKey, FollowsALinkToAKeyAndChecksTheTarget) {
  testing::TempDir dir;
  auto created = LogSigningKey::LoadOrCreate(dir.File("real.logkey"));
  ASSERT_TRUE(created.ok());
  std::filesystem::create_symlink(dir.File("real.logkey"), dir.File("link.logkey"));
  auto linked = LogSigningKey::Load(dir.File("link.logkey"));
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  EXPECT_EQ(linked->public_key(), created->public_key());
  ASSERT_EQ(chmod(dir.File("real.logkey").c_str(), 0604), 0);
  EXPECT_EQ(LogSigningKey::Load(dir.File("link.logkey")).status().code(),
            Code::kFailedPrecondition);
}

TEST(LogSigningKey, LoadDoesNotCreate) {
  testing::TempDir dir;
  auto k = LogSigningKey::Load(dir.File("missing.logkey"));
  EXPECT_EQ(k.status().code(), Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing.logkey")));
}

TEST(LogSigningKey, RefusesAKeyOthersCanRead) {
  testing::TempDir dir;
  const std::string path = dir.File("k");
  ASSERT_TRUE(LogSigningKey::LoadOrCreate(path).ok());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto k = LogSigningKey::LoadOrCreate(path);
  EXPECT_EQ(k.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(k.status().message().find("0644"), std::string::npos) << k.status().message();
  EXPECT_NE(k.status().message().find("chmod 600"), std::string::npos) << k.status().message();
}

TEST(LogSigningKey, RefusesAMalformedFileAndNeverOverwritesIt) {
  testing::TempDir dir;
  const std::string path = dir.File("k");
  for (const std::string& text :
       {std::string(""), std::string("hello\n"),
        "bulwark-log-key-v1 ed25519 " + std::string(63, 'a') + "\n",
        "bulwark-log-key-v1 ed25519 " + std::string(64, 'g') + "\n",
        "bulwark-log-key-v1 ed25519 " + std::string(64, 'A') + "\n",
        "bulwark-log-key-v2 ed25519 " + std::string(64, 'a') + "\n",
        "bulwark-log-key-v1 ed25519 " + std::string(64, 'a') + "\nextra\n"}) {
    {
      std::ofstream f(path, std::ios::trunc);
      f << text;
    }
    ASSERT_EQ(chmod(path.c_str(), 0600), 0);
    auto k = LogSigningKey::LoadOrCreate(path);
    EXPECT_EQ(k.status().code(), Code::kInvalidArgument) << text;
    std::ifstream f(path);
    std::string back((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(back, text);
  }
  std::filesystem::create_directory(dir.File("d"));
  chmod(dir.File("d").c_str(), 0700);
  EXPECT_FALSE(LogSigningKey::LoadOrCreate(dir.File("d")).ok());
}

TEST(SignedHead, VerifiesAndFailsWhenAnythingSignedChanges) {
  LogSigningKey key = TestKey();
  SignedHead h = key.Sign(5, std::string(64, 'a'), 1'764'000'000'123);
  EXPECT_EQ(h.signed_at, "2025-11-24T16:00:00.123Z");
  EXPECT_EQ(h.public_key, key.public_key());
  EXPECT_EQ(h.signature.size(), 128u);
  ASSERT_TRUE(VerifySignedHead(h, key.public_key()).ok());

  auto fails = [&](auto mutate) {
    SignedHead t = h;
    mutate(t);
    return !VerifySignedHead(t, key.public_key()).ok();
  };
  EXPECT_TRUE(fails([](SignedHead& t) { t.seq = 6; }));
  EXPECT_TRUE(fails([](SignedHead& t) { t.hash[0] = 'b'; }));
  EXPECT_TRUE(fails([](SignedHead& t) { t.signed_at = "2025-11-24T16:00:01.123Z"; }));
  EXPECT_TRUE(fails([](SignedHead& t) { t.signature[5] = t.signature[5] == '0' ? '1' : '0'; }));
  EXPECT_TRUE(fails([](SignedHead& t) { t.signature = "zz"; }));

  // Someone else's key: its own signature is valid, but it is not the key trusted.
  LogSigningKey other = TestKey('o');
  SignedHead forged = other.Sign(5, std::string(64, 'a'), 1'764'000'000'123);
  Status s = VerifySignedHead(forged, key.public_key());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not the key"), std::string::npos) << s.message();
  forged.public_key = key.public_key();  // claiming the trusted key does not help
  EXPECT_FALSE(VerifySignedHead(forged, key.public_key()).ok());
}

TEST(SignedHead, MessageIsDomainSeparated) {
  EXPECT_EQ(SignedHeadMessage(7, "ab", "2026-01-01T00:00:00.000Z"),
            "bulwark-log-head-v1\n7\nab\n2026-01-01T00:00:00.000Z");
}

TEST(HeadSigner, SignsEachHeadOnce) {
  HeadSigner signer(TestKey());
  SignedHead a = signer.Sign(1, std::string(64, 'a'), 1000);
  EXPECT_EQ(signer.Sign(1, std::string(64, 'a'), 2000).signed_at, a.signed_at);
  SignedHead b = signer.Sign(2, std::string(64, 'b'), 3000);
  EXPECT_EQ(b.signed_at, FormatRfc3339(3000));
  EXPECT_TRUE(VerifySignedHead(b, signer.public_key()).ok());
}

TEST(Base64, RoundTripsAndRefusesNonCanonicalText) {
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_EQ(Base64Encode("abc"), "YWJj");
  EXPECT_FALSE(Base64Decode("YWJ").has_value());
  EXPECT_FALSE(Base64Decode("YW Jj").has_value());
  EXPECT_FALSE(Base64Decode("YWJj!").has_value());
}

Decision Entry(std::int64_t seq) {
  Decision d;
  d.seq = seq;
  d.item_id = "p" + std::to_string(seq);
  d.item_revision = 2;
  d.action = ActionType::kRemove;
  d.category = "threat";
  d.rule_id = "threat.remove";
  d.policy_version = "default@1";
  d.model_version = "m";
  d.actor = "system";
  d.reason = "THREAT: ü;1:x;";  // separators inside a field are just bytes
  d.evidence = R"({"score":0.9})";
  d.created_at = 1'700'000'000'000 + seq;
  return d;
}

TEST(ChainPreimage, HashesToTheChainHashAndChecksFromOutside) {
  Decision d1 = Entry(1);
  std::string bytes1 = ChainPreimage(GenesisHash(), d1);
  const std::string hash1 = ChainHash(GenesisHash(), d1);
  EXPECT_EQ(Sha256Hex(bytes1), hash1);
  EXPECT_EQ(
      bytes1.rfind("19:bulwark-decision-v1;64:" + GenesisHash() + ";1:1;2:p1;1:2;6:remove;", 0), 0u)
      << bytes1;
  auto back = CheckChainEntry(0, GenesisHash(), hash1, bytes1);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->reason, d1.reason);
  EXPECT_EQ(back->evidence, d1.evidence);
  EXPECT_EQ(back->created_at, d1.created_at);
  EXPECT_EQ(back->hash, hash1);

  Decision d2 = Entry(2);
  std::string bytes2 = ChainPreimage(hash1, d2);
  const std::string hash2 = Sha256Hex(bytes2);
  EXPECT_TRUE(CheckChainEntry(1, hash1, hash2, bytes2).ok());
  // Wrong predecessor, wrong position, bytes that do not hash to the hash.
  EXPECT_FALSE(CheckChainEntry(1, GenesisHash(), hash2, bytes2).ok());
  EXPECT_FALSE(CheckChainEntry(0, hash1, hash2, bytes2).ok());
  EXPECT_FALSE(CheckChainEntry(1, hash1, hash1, bytes2).ok());
  // Bytes that hash right but are not a canonical entry.
  for (const std::string& junk :
       {std::string("hello"), bytes2 + "0:;", bytes2.substr(0, bytes2.size() - 1),
        "019:bulwark-decision-v1;" + bytes2.substr(23)}) {
    EXPECT_FALSE(CheckChainEntry(1, hash1, Sha256Hex(junk), junk).ok()) << junk;
  }
}

}  // namespace
}  // namespace bulwark
