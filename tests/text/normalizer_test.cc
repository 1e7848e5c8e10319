#include "text/normalizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace bulwark::text {
namespace {

const Normalizer& Default() {
  static const Normalizer* n = [] {
    auto r = Normalizer::Create();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value().release();
  }();
  return *n;
}

std::string Norm(std::string_view in) { return Default().Normalize(in).text; }

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// Checks every structural invariant of a NormalizedText produced from `in`.
void ExpectInvariants(std::string_view in, const NormalizedText& nt) {
  ASSERT_EQ(nt.text.size(), nt.byte_origin.size());
  EXPECT_TRUE(ValidUtf8(nt.text));
  std::string joined;
  for (size_t i = 0; i < nt.tokens.size(); ++i) {
    const Token& t = nt.tokens[i];
    ASSERT_LT(t.begin, t.end);
    ASSERT_LE(t.end, nt.text.size());
    ASSERT_LE(t.orig_begin, t.orig_end);
    ASSERT_LE(t.orig_end, in.size());
    if (i > 0) joined += ' ';
    joined += nt.TokenText(i);
    auto span = nt.OriginalSpan(t.begin, t.end);
    EXPECT_EQ(span.first, t.orig_begin);
    EXPECT_EQ(span.second, t.orig_end);
  }
  EXPECT_EQ(joined, nt.text);
  uint32_t last_b = 0, last_e = 0;
  for (const OrigRange& r : nt.byte_origin) {
    ASSERT_LE(r.begin, r.end);
    ASSERT_LE(r.end, in.size());
    ASSERT_GE(r.begin, last_b);
    ASSERT_GE(r.end, last_e);
    last_b = r.begin;
    last_e = r.end;
  }
}

TEST(Normalizer, CreateRejectsBadOptions) {
  NormalizerOptions o;
  o.max_input_bytes = 0;
  EXPECT_FALSE(Normalizer::Create(o).ok());
  o = {};
  o.repeat_squeeze_to = 3;
  EXPECT_FALSE(Normalizer::Create(o).ok());
  o = {};
  o.min_single_run = -1;
  EXPECT_FALSE(Normalizer::Create(o).ok());
}

TEST(Normalizer, AsciiLowercaseAndPunctuationBoundaries) {
  EXPECT_EQ(Norm("Hello, World!"), "hello world");
  EXPECT_EQ(Norm("  spaced\t\tout\n\nwords  "), "spaced out words");
  EXPECT_EQ(Norm("ab/cd;ef:gh"), "ab cd ef gh");
  EXPECT_EQ(Norm("don't"), "don t");
  EXPECT_EQ(Norm("self-defense"), "self defense");
}

TEST(Normalizer, Leetspeak) {
  EXPECT_EQ(Norm("r3t4rd"), "retard");
  EXPECT_EQ(Norm("k1ll"), "kill");
  EXPECT_EQ(Norm("h8te"), "hate");
  EXPECT_EQ(Norm("$hit"), "shit");
  EXPECT_EQ(Norm("@ss"), "ass");
  EXPECT_EQ(Norm("a$$"), "ass");
  EXPECT_EQ(Norm("n0b0dy"), "nobody");
  EXPECT_EQ(Norm("b!tch"), "bitch");
  EXPECT_EQ(Norm("5h1t"), "shit");   // no letters at all? has 'h' -> word
  EXPECT_EQ(Norm("KILL!"), "kill");  // trailing '!' is punctuation
  EXPECT_EQ(Norm("!kill!!"), "kill");
}

TEST(Normalizer, LeetDigitPairsBetweenLettersAreSpelling) {
  EXPECT_EQ(Norm("refug33s"), "refugees");
  EXPECT_EQ(Norm("Chri57ians"), "christians");
  EXPECT_EQ(Norm("pu55y"), "pussy");
  // Runs at a word's edge, longer runs and pairs with a non-leet digit stay codes.
  EXPECT_EQ(Norm("covid19"), "covid19");
  EXPECT_EQ(Norm("c18"), "c18");
  EXPECT_EQ(Norm("h264x"), "h264x");
  EXPECT_EQ(Norm("ab22cd"), "ab22cd");
  // The option off gives the earlier form (the data sets' split keys use it).
  NormalizerOptions options;
  options.leet_digit_pairs = false;
  auto n = Normalizer::Create(options);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Normalize("refug33s").text, "refug33s");
}

TEST(Normalizer, PureNumbersStayNumbers) {
  EXPECT_EQ(Norm("88"), "88");
  EXPECT_EQ(Norm("1488"), "1488");
  EXPECT_EQ(Norm("14 words"), "14 words");
  EXPECT_EQ(Norm("14/88"), "14 88");
  EXPECT_EQ(Norm("$100"), "100");
  EXPECT_EQ(Norm("1000000"), "1000000");  // numbers are never squeezed
  EXPECT_EQ(Norm("!!! ???"), "");
}

TEST(Normalizer, SeparatedSingleLettersAreJoined) {
  EXPECT_EQ(Norm("k i l l"), "kill");
  EXPECT_EQ(Norm("k.i.l.l"), "kill");
  EXPECT_EQ(Norm("k-i-l-l"), "kill");
  EXPECT_EQ(Norm("k_i_l_l"), "kill");
  EXPECT_EQ(Norm("k . i . l . l"), "kill");
  EXPECT_EQ(Norm("I will k i l l you"), "i will kill you");
  EXPECT_EQ(Norm("k 1 l l them"), "kill them");
  EXPECT_EQ(Norm("1 4 8 8"), "1488");
  // Two singles are not a run; a long gap breaks it.
  EXPECT_EQ(Norm("I am a b"), "i am a b");
  EXPECT_EQ(Norm("k      i      l"), "k i l");
}

TEST(Normalizer, RepeatedLetters) {
  EXPECT_EQ(Norm("kiiiiill"), "kiill");
  EXPECT_EQ(Norm("killllll"), "kill");
  EXPECT_EQ(Norm("hello all"), "hello all");
  EXPECT_EQ(Norm("goooood"), "good");
  EXPECT_EQ(Norm("asssss"), "ass");
  EXPECT_EQ(Norm("k!!!!ll"), "kiill");
  // One repeated character keeps up to 3 copies: "kkk" is not "kk".
  EXPECT_EQ(Norm("KKK kk kkkkkk iii"), "kkk kk kkk iii");

  NormalizerOptions o;
  o.repeat_squeeze_to = 1;
  auto one = Normalizer::Create(o);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)->Normalize("kiiiiill").text, "kill");
  EXPECT_EQ((*one)->Normalize("hello all").text, "hello all");
  EXPECT_EQ((*one)->Normalize("hellllo").text, "helo");
}

TEST(Normalizer, ZeroWidthAndBidiControlsAreRemovedInsideWords) {
  EXPECT_EQ(Norm("k\u200Bi\u200Cl\u200Dl"), "kill");
  EXPECT_EQ(Norm("k\u2060i\uFEFFl\u00ADl"), "kill");
  EXPECT_EQ(Norm("\u202Ek\u202Ai\u202Bl\u202Cl\u202D"), "kill");
  EXPECT_EQ(Norm("\u2066k\u2067i\u2068ll\u2069"), "kill");
  EXPECT_EQ(Norm("k\uFE0Fill"), "kill");
}

TEST(Normalizer, ConfusablesAndCompatibilityForms) {
  EXPECT_EQ(Norm("\u043A\u0456ll"), "kill");                            // Cyrillic к, і
  EXPECT_EQ(Norm("\u0455\u04BB\u0456t"), "shit");                       // Cyrillic ѕ һ і
  EXPECT_EQ(Norm("\u03B1\u03BD\u03BF"), "avo");                         // Greek α ν ο
  EXPECT_EQ(Norm("\uFF2B\uFF29\uFF2C\uFF2C"), "kill");                  // fullwidth
  EXPECT_EQ(Norm("\U0001D424\U0001D422\U0001D425\U0001D425"), "kill");  // math bold
  EXPECT_EQ(Norm("\U0001D55C\U0001D55A\U0001D55D\U0001D55D"), "kill");  // double-struck
  EXPECT_EQ(Norm("\u24DA\u24D8\u24DB\u24DB"), "kill");                  // circled
  EXPECT_EQ(Norm("\U0001F17A\U0001F178\U0001F17B\U0001F17B"), "kill");  // negative squared
  EXPECT_EQ(Norm("k\u00EDll"), "kill");                                 // precomposed accent
  EXPECT_EQ(Norm("ki\u0301ll"), "kill");                                // combining accent
  EXPECT_EQ(Norm("STRA\u00DFE"), "strasse");                            // full case folding
  EXPECT_EQ(Norm("\uFF4D"), "m");  // fullwidth m folds to ASCII m, not the skeleton "rn"
  EXPECT_EQ(Norm("\u1D0B\u026A\u029F\u029F"), "kill");  // small capitals
}

TEST(Normalizer, EmojiBecomeStableTokens) {
  EXPECT_EQ(Norm("\U0001F438"), "u1f438");
  EXPECT_EQ(Norm("kill\U0001F52B"), "kill u1f52b");
  EXPECT_EQ(Norm("\U0001F44D\U0001F3FF"), "u1f44d");  // skin tone dropped
  EXPECT_EQ(Norm("\U0001F468\u200D\U0001F469\u200D\U0001F467"), "u1f468 u1f469 u1f467");
  EXPECT_EQ(Norm("\u2721\uFE0F"), "u2721");  // star of David with emoji presentation
  EXPECT_EQ(Norm("\u2122"), "tm");           // ™ is folded, not an emoji token

  NormalizerOptions o;
  o.emoji_tokens = false;
  auto n = Normalizer::Create(o);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Normalize("kill\U0001F52Bthem").text, "kill them");
}

TEST(Normalizer, TripleParenthesesAreTokens) {
  EXPECT_EQ(Norm("(((Soros)))"), "((( soros )))");
  EXPECT_EQ(Norm("((((( x )))))"), "((( x )))");
  EXPECT_EQ(Norm("f(xy) (ab)"), "f xy ab");
  NormalizedText nt = Default().Normalize("hi (((them)))");
  ASSERT_EQ(nt.tokens.size(), 4u);
  EXPECT_EQ(nt.tokens[1].orig_begin, 3u);
  EXPECT_EQ(nt.tokens[1].orig_end, 6u);
}

TEST(Normalizer, RightToLeftScriptsSurviveAsLetters) {
  const std::string arabic =
      "\u0645\u0631\u062D\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645";
  NormalizedText a = Default().Normalize(arabic);
  ASSERT_EQ(a.tokens.size(), 2u);
  EXPECT_EQ(a.text, arabic);  // not mangled by Latin skeletons (alif is not "l")
  const std::string hebrew = "\u05E9\u05DC\u05D5\u05DD \u05E2\u05D5\u05DC\u05DD";
  NormalizedText h = Default().Normalize(hebrew);
  EXPECT_EQ(h.text, hebrew);
  // Presentation forms fold to the base letters; an RLM mark is dropped.
  EXPECT_EQ(Norm("\uFEFB\u200F"), "\u0644\u0627");
}

TEST(Normalizer, MixedScripts) {
  NormalizedText nt =
      Default().Normalize("Hi \u4F60\u597D k\u0456ll \u0645\u0631\u062D\u0628\u0627 \U0001F600");
  EXPECT_EQ(nt.text, "hi \u4F60\u597D kill \u0645\u0631\u062D\u0628\u0627 u1f600");
  ExpectInvariants("Hi \u4F60\u597D k\u0456ll \u0645\u0631\u062D\u0628\u0627 \U0001F600", nt);
}

TEST(Normalizer, OffsetMapReextractsEveryToken) {
  const std::vector<std::string> inputs = {
      "Hello, World!",
      "I will k i l l you!!!",
      "r3t4rd and h8te and $hit",
      "kiiiiill him now",
      "\uFF2B\uFF29\uFF2C\uFF2C them \U0001F52B\U0001F52B",
      "k\u200Bi\u200Bl\u200Bl",
      "ki\u0301ll \u043A\u0456ll \U0001D424\U0001D422\U0001D425\U0001D425",
      "\u0645\u0631\u062D\u0628\u0627 \u05E9\u05DC\u05D5\u05DD 1488",
      "STRA\u00DFE \uFB01ne",
      "(((name))) a\u2030b \u2474 x",
  };
  for (const std::string& in : inputs) {
    SCOPED_TRACE(in);
    NormalizedText nt = Default().Normalize(in);
    ExpectInvariants(in, nt);
    for (size_t i = 0; i < nt.tokens.size(); ++i) {
      const Token& t = nt.tokens[i];
      std::string_view orig = std::string_view(in).substr(t.orig_begin, t.orig_end - t.orig_begin);
      // The original span of a token normalises back to exactly that token.
      EXPECT_EQ(Norm(orig), nt.TokenText(i)) << "token " << i;
    }
  }
}

TEST(Normalizer, OffsetMapExamples) {
  const std::string in = "Go k.i.l.l them!";
  NormalizedText nt = Default().Normalize(in);
  ASSERT_EQ(nt.text, "go kill them");
  ASSERT_EQ(nt.tokens.size(), 3u);
  EXPECT_EQ(in.substr(nt.tokens[1].orig_begin, nt.tokens[1].orig_end - nt.tokens[1].orig_begin),
            "k.i.l.l");
  EXPECT_EQ(in.substr(nt.tokens[2].orig_begin, nt.tokens[2].orig_end - nt.tokens[2].orig_begin),
            "them");
  // A sub-span of a token: "il" of "kill" comes from "i.l".
  auto [b, e] = nt.OriginalSpan(nt.tokens[1].begin + 1, nt.tokens[1].begin + 3);
  EXPECT_EQ(in.substr(b, e - b), "i.l");
  // Spanning the separator space covers the gap in the original.
  auto [b2, e2] = nt.OriginalSpan(0, 7);
  EXPECT_EQ(in.substr(b2, e2 - b2), "Go k.i.l.l");
  // Out-of-range and empty ranges are clamped, not UB.
  auto [b3, e3] = nt.OriginalSpan(5, 5);
  EXPECT_EQ(b3, e3);
  auto [b4, e4] = nt.OriginalSpan(0, 1000);
  EXPECT_EQ(b4, 0u);
  EXPECT_EQ(e4, in.size() - 1);  // the trailing '!' produced nothing
}

TEST(Normalizer, EmptyInput) {
  NormalizedText nt = Default().Normalize("");
  EXPECT_TRUE(nt.text.empty());
  EXPECT_TRUE(nt.tokens.empty());
  EXPECT_FALSE(nt.truncated);
  EXPECT_FALSE(nt.had_invalid_utf8);
}

TEST(Normalizer, InvalidUtf8IsFlaggedAndDropped) {
  const std::string bad[] = {
      std::string("ki\xFFll"),       std::string("\xC0\xAF"),          // overlong
      std::string("\xED\xA0\x80 x"), std::string("\xF4\x90\x80\x80"),  // surrogate, > U+10FFFF
      std::string("abc\xE2\x82"),    std::string("\x80\x80\x80"),      // truncated, lone cont.
      std::string("\xF0\x9F\x98"),
  };
  for (const std::string& in : bad) {
    SCOPED_TRACE(in);
    NormalizedText nt = Default().Normalize(in);
    EXPECT_TRUE(nt.had_invalid_utf8);
    ExpectInvariants(in, nt);
  }
  EXPECT_EQ(Norm(std::string("ki\xFFll")), "kill");
  EXPECT_EQ(Norm(std::string("abc\xE2\x82")), "abc");
}

TEST(Normalizer, OnlyEmojiAndOnlyZeroWidth) {
  std::string emoji;
  for (int i = 0; i < 1000; ++i) emoji += "\U0001F600\uFE0F\u200D";
  NormalizedText nt = Default().Normalize(emoji);
  EXPECT_EQ(nt.tokens.size(), 1000u);
  ExpectInvariants(emoji, nt);

  std::string zw;
  for (int i = 0; i < 1000; ++i) zw += "\u200B\u200C\u200D\u2060\uFEFF\u00AD\u202E\u2066";
  NormalizedText z = Default().Normalize(zw);
  EXPECT_TRUE(z.text.empty());
  EXPECT_TRUE(z.tokens.empty());
}

TEST(Normalizer, TenThousandRepeatedCharacters) {
  EXPECT_EQ(Norm(std::string(10000, 'a')), "aaa");
  EXPECT_EQ(Norm(std::string(10000, '8')), std::string(10000, '8'));
  EXPECT_EQ(Norm(std::string(10000, '!')), "");
  std::string spaced;
  for (int i = 0; i < 10000; ++i) spaced += "a ";
  EXPECT_EQ(Norm(spaced), "aaa");
  std::string cyr;
  for (int i = 0; i < 10000; ++i) cyr += "\u0430";  // Cyrillic а
  EXPECT_EQ(Norm(cyr), "aaa");
  std::string marks = "a";
  for (int i = 0; i < 10000; ++i) marks += "\u0301";
  EXPECT_EQ(Norm(marks), "a");
}

TEST(Normalizer, OneMegabyteIsBoundedAndTruncationIsFlagged) {
  std::string big;
  while (big.size() < (1u << 20)) big += "Some ordinary text, with k1ll and \u043A\u0456ll in it. ";
  auto start = std::chrono::steady_clock::now();
  NormalizedText nt = Default().Normalize(big);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_LT(ms, 2000);
  EXPECT_TRUE(nt.truncated);  // a little over 1 MiB
  ExpectInvariants(big, nt);
  for (const Token& t : nt.tokens) EXPECT_LE(t.orig_end, 1u << 20);

  // Truncation never cuts a code point in half.
  NormalizerOptions o;
  o.max_input_bytes = 5;
  auto small = Normalizer::Create(o);
  ASSERT_TRUE(small.ok());
  NormalizedText s = (*small)->Normalize("abcd\u0436xyz");  // ж is 2 bytes at offset 4
  EXPECT_TRUE(s.truncated);
  EXPECT_FALSE(s.had_invalid_utf8);
  EXPECT_EQ(s.text, "abcd");
}

TEST(Normalizer, ReusedOutputMatchesFreshOutput) {
  NormalizedText reused;
  const std::vector<std::string> inputs = {"first LONG input with many words in it", "k i l l", "",
                                           "\U0001F438 frog", "short"};
  for (const std::string& in : inputs) {
    Default().Normalize(in, &reused);
    NormalizedText fresh = Default().Normalize(in);
    EXPECT_EQ(reused.text, fresh.text);
    EXPECT_EQ(reused.tokens.size(), fresh.tokens.size());
    EXPECT_EQ(reused.byte_origin.size(), fresh.byte_origin.size());
  }
}

TEST(Normalizer, ConcurrentUseGivesIdenticalResults) {
  const std::string in =
      "Mixed k1ll \u043A\u0456ll \U0001F52B \u0645\u0631\u062D\u0628\u0627 k i l l";
  const std::string expected = Norm(in);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      NormalizedText nt;
      for (int i = 0; i < 2000; ++i) {
        Default().Normalize(in, &nt);
        if (nt.text != expected) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace bulwark::text
