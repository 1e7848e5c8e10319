// ClaimMatcher: loading, near-duplicate matching by shingle containment, limits.

#include "detect/claims.h"

#include <gtest/gtest.h>

namespace bulwark::detect {
namespace {

constexpr const char* kClaims =
    R"({"id":"claim.voting.001","category":"misinformation.voting","claim":"You can vote for president by sending a text message.","variants":["Text your vote to the number below, no need to stand in line"],"fact_check":"CISA","note":""})"
    "\n"
    R"({"id":"claim.health.001","category":"misinformation.health","claim":"Vaccines cause autism in young children.","variants":[],"fact_check":"CDC","note":""})"
    "\n";

class ClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = text::Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(n).value();
    auto m = ClaimMatcher::FromString(kClaims, "claims.jsonl", *normalizer_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    matcher_ = std::move(m).value();
  }
  std::vector<ClaimMatch> Match(const std::string& t, double min = 0.3) {
    auto norm = normalizer_->Normalize(t);
    std::vector<ClaimMatch> out;
    matcher_->Match(norm, min, &scratch_, &out);
    return out;
  }
  std::unique_ptr<const text::Normalizer> normalizer_;
  std::shared_ptr<const ClaimMatcher> matcher_;
  ClaimScratch scratch_;
};

TEST_F(ClaimsTest, ExactAndEvasiveCopiesMatchFully) {
  auto m = Match("YOU CAN VOTE for president by sending a text message!!!");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_DOUBLE_EQ(m[0].containment, 1.0);
  EXPECT_EQ(matcher_->claims()[m[0].claim].id, "claim.voting.001");
  EXPECT_EQ(m[0].orig_begin, 0u);
  auto ev = Match(
      "Vacc1nes c\xE2\x80\x8B"
      "ause autism in young children");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_DOUBLE_EQ(ev[0].containment, 1.0);
}

TEST_F(ClaimsTest, ClaimInsideLongerPostMatchesWithSpan) {
  std::string post =
      "lol so my aunt says: text your vote to the number below, no need to stand "
      "in line. is that real?";
  auto m = Match(post);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_GT(m[0].containment, 0.9);
  EXPECT_EQ(post.substr(m[0].orig_begin, 4), "text");
}

TEST_F(ClaimsTest, UnrelatedAndShortOverlapsDoNotMatch) {
  EXPECT_TRUE(Match("I sent a text message to my president of the club").empty());
  EXPECT_TRUE(Match("vaccines").empty());
  EXPECT_TRUE(Match("").empty());
  // Two shared shingles are below min_shared even at high containment of a short claim.
  EXPECT_TRUE(Match("cause autism", 0.0).empty());
}

TEST_F(ClaimsTest, BadFilesAreRejectedWithLine) {
  auto bad = ClaimMatcher::FromString("{\"id\":\"x\"}\n", "c.jsonl", *normalizer_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("c.jsonl:1"), std::string::npos);
  auto cat = ClaimMatcher::FromString(
      R"({"id":"x","category":"hate","claim":"a b c d e","variants":[]})", "c.jsonl", *normalizer_);
  EXPECT_FALSE(cat.ok());
  EXPECT_FALSE(ClaimMatcher::FromString("not json", "c.jsonl", *normalizer_).ok());
  EXPECT_EQ(ClaimMatcher::Load("/nonexistent/claims.jsonl", *normalizer_).status().code(),
            Code::kNotFound);
}

TEST(ClaimsShipped, ShippedFileLoads) {
  auto n = text::Normalizer::Create();
  ASSERT_TRUE(n.ok());
  auto m = ClaimMatcher::Load(
      std::string(BULWARK_SOURCE_DIR) + "/data/claims/known_false_claims.jsonl", **n);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_GE((*m)->claims().size(), 125u);
  EXPECT_GT((*m)->num_texts(), 400u);
}

}  // namespace
}  // namespace bulwark::detect
