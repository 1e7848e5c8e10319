// ContextAnalyzer: negation scope, quotation, counter-speech, reclaimed use, threat targets.

#include "detect/context.h"

#include <gtest/gtest.h>

namespace bulwark::detect {
namespace {

constexpr const char* kLexicon =
    R"({"id":"hate.dehum.0001","term":"vermin","match":"word","category":"hate","targets":[],"severity":2,"kind":"dehumanizing","reclaimed":false,"counter_speech_risk":true,"provenance":"t","note":""})"
    "\n"
    R"({"id":"hate.slur.0001","term":"queer","match":"word","category":"hate","targets":["lgb"],"severity":1,"kind":"slur","reclaimed":true,"counter_speech_risk":true,"provenance":"t","note":""})"
    "\n"
    R"({"id":"threat.0001","term":"blow up the","match":"phrase","category":"threat","targets":[],"severity":3,"kind":"threat_phrase","reclaimed":false,"counter_speech_risk":false,"provenance":"t","note":""})"
    "\n"
    R"({"id":"threat.0002","term":"kill you","match":"phrase","category":"threat","targets":[],"severity":4,"kind":"threat_phrase","reclaimed":false,"counter_speech_risk":false,"provenance":"t","note":""})"
    "\n";

class ContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = text::Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::shared_ptr<const text::Normalizer>(std::move(n).value());
    auto l = Lexicon::FromFiles({{"t.jsonl", kLexicon}}, normalizer_);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    lexicon_ = std::move(l).value();
  }
  // Flags of the first hit of entry `id` in `text`.
  uint32_t FlagsOf(const std::string& text, const std::string& id, bool group = false) {
    norm_ = normalizer_->Normalize(text);
    LexiconScratch ls;
    auto hits = lexicon_->Match(norm_, &ls);
    analyzer_.Analyze(text, norm_, *lexicon_, hits, &scratch_);
    for (const auto& h : hits) {
      const auto& e = lexicon_->entries()[h.entry];
      if (e.id != id) continue;
      return analyzer_.Flags(norm_, e, h, ContextAnalyzer::TokensOf(norm_, h), group, scratch_);
    }
    ADD_FAILURE() << "no hit of " << id << " in " << text;
    return 0;
  }
  std::shared_ptr<const text::Normalizer> normalizer_;
  std::shared_ptr<const Lexicon> lexicon_;
  ContextAnalyzer analyzer_;
  ContextScratch scratch_;
  text::NormalizedText norm_;
};

TEST_F(ContextTest, NegationScope) {
  EXPECT_TRUE(FlagsOf("They are not vermin.", "hate.dehum.0001") & kCtxNegated);
  EXPECT_TRUE(FlagsOf("They AREN'T vermin", "hate.dehum.0001") & kCtxNegated);
  EXPECT_TRUE(FlagsOf("I never said they were vermin", "hate.dehum.0001") & kCtxNegated);
  EXPECT_FALSE(FlagsOf("They are vermin, not people", "hate.dehum.0001") & kCtxNegated);
  // Negation does not cross sentences or reach far back.
  EXPECT_FALSE(FlagsOf("Not again. They are vermin", "hate.dehum.0001") & kCtxNegated);
  EXPECT_FALSE(FlagsOf("not one two three four five six they vermin", "hate.dehum.0001") &
               kCtxNegated);
}

TEST_F(ContextTest, QuotationAndCounterSpeech) {
  uint32_t f = FlagsOf("Calling them 'vermin' is racist.", "hate.dehum.0001");
  EXPECT_TRUE(f & kCtxQuoted);
  EXPECT_TRUE(f & kCtxCounterSpeech);
  EXPECT_LE(ContextAnalyzer::Weight(f), 0.1 + 1e-9);
  uint32_t curly = FlagsOf("He said \xE2\x80\x9Cthey are vermin\xE2\x80\x9D", "hate.dehum.0001");
  EXPECT_TRUE(curly & kCtxQuoted);
  EXPECT_TRUE(curly & kCtxReported);
  // Apostrophes inside words are not quotes.
  EXPECT_FALSE(FlagsOf("it's true they're vermin", "hate.dehum.0001") & kCtxQuoted);
  uint32_t endorsed = FlagsOf("'They are vermin' - he was right.", "hate.dehum.0001", true);
  EXPECT_TRUE(endorsed & kCtxEndorsed);
  EXPECT_DOUBLE_EQ(ContextAnalyzer::Weight(endorsed), 1.0);
}

TEST_F(ContextTest, ReclaimedNeedsFirstPerson) {
  EXPECT_TRUE(FlagsOf("As a queer woman I am tired", "hate.slur.0001") & kCtxReclaimed);
  EXPECT_FALSE(FlagsOf("Look at that queer", "hate.slur.0001") & kCtxReclaimed);
}

TEST_F(ContextTest, ThreatTargets) {
  EXPECT_TRUE(FlagsOf("blow up the balloons", "threat.0001") & kCtxObjectTarget);
  EXPECT_TRUE(FlagsOf("blow up the school tomorrow", "threat.0001") & kCtxPersonTarget);
  EXPECT_TRUE(FlagsOf("i will kill you", "threat.0002") & kCtxPersonTarget);
}

TEST_F(ContextTest, DehumanisingWordNeedsGroup) {
  EXPECT_TRUE(FlagsOf("vermin", "hate.dehum.0001", false) & kCtxNoGroup);
  EXPECT_TRUE(FlagsOf("vermin", "hate.dehum.0001", true) & kCtxGroupTarget);
  EXPECT_DOUBLE_EQ(ContextAnalyzer::Weight(kCtxNoGroup), 0.3);
}

TEST_F(ContextTest, EmptyAndHugeInputs) {
  text::NormalizedText empty = normalizer_->Normalize("");
  analyzer_.Analyze("", empty, *lexicon_, {}, &scratch_);
  EXPECT_EQ(analyzer_.SpanFlags(0, 0, scratch_), 0u);
  std::string big(200000, '\'');
  big += " vermin";
  EXPECT_TRUE(FlagsOf(big, "hate.dehum.0001") != 0xFFFFFFFFu);
}

}  // namespace
}  // namespace bulwark::detect
