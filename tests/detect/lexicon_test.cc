#include "detect/lexicon.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace bulwark::detect {
namespace {

namespace fs = std::filesystem;

std::string SourceDir() {
  const char* d = std::getenv("BULWARK_SOURCE_DIR");
  return d != nullptr ? d : BULWARK_TEST_SOURCE_DIR;
}
std::string TestLexiconDir() { return SourceDir() + "/tests/detect/testdata/lexicon"; }

std::shared_ptr<const text::Normalizer> SharedNormalizer() {
  static const std::shared_ptr<const text::Normalizer> n = [] {
    auto r = text::Normalizer::Create();
    EXPECT_TRUE(r.ok());
    return std::shared_ptr<const text::Normalizer>(std::move(r).value());
  }();
  return n;
}

std::shared_ptr<const Lexicon> TestLexicon() {
  static const std::shared_ptr<const Lexicon> lex = [] {
    auto r = Lexicon::Load(TestLexiconDir(), SharedNormalizer());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : nullptr;
  }();
  return lex;
}

// Ids of the entries that match `input`, sorted and unique.
std::set<std::string> HitIds(const Lexicon& lex, std::string_view input) {
  thread_local LexiconScratch scratch;
  text::NormalizedText nt = lex.normalizer().Normalize(input);
  std::set<std::string> ids;
  for (const LexiconHit& h : lex.Match(nt, &scratch)) ids.insert(lex.entries()[h.entry].id);
  return ids;
}
std::set<std::string> HitIds(std::string_view input) { return HitIds(*TestLexicon(), input); }

using Ids = std::set<std::string>;

TEST(Lexicon, LoadsEntriesWithAllFields) {
  auto lex = TestLexicon();
  ASSERT_NE(lex, nullptr);
  EXPECT_EQ(lex->entries().size(), 14u);
  EXPECT_EQ(lex->version().size(), 32u);
  const LexiconEntry* retard = nullptr;
  const LexiconEntry* jews = nullptr;
  for (const auto& e : lex->entries()) {
    if (e.id == "id.retard") retard = &e;
    if (e.id == "id.jews") jews = &e;
  }
  ASSERT_NE(retard, nullptr);
  EXPECT_EQ(retard->match, LexiconMatchKind::kPrefix);
  EXPECT_EQ(retard->category, Category::kHate);
  ASSERT_EQ(retard->targets.size(), 1u);
  EXPECT_EQ(retard->targets[0], TargetGroup::kDisabled);
  EXPECT_EQ(retard->severity, 3);
  EXPECT_EQ(retard->kind, "slur");
  EXPECT_TRUE(retard->counter_speech_risk);
  EXPECT_EQ(retard->source, "identity.jsonl:3");
  ASSERT_NE(jews, nullptr);
  EXPECT_FALSE(jews->category.has_value());
}

TEST(Lexicon, WordsMatchWholeTokensOnly) {
  EXPECT_EQ(HitIds("I will kill"), Ids({"t.kill"}));
  EXPECT_EQ(HitIds("KILL"), Ids({"t.kill"}));
  EXPECT_EQ(HitIds("what a skill"), Ids());
  EXPECT_EQ(HitIds("killing time"), Ids());
  EXPECT_EQ(HitIds("overkill"), Ids());
  EXPECT_EQ(HitIds(""), Ids());
}

TEST(Lexicon, EvasionsAreMatched) {
  for (std::string_view s :
       {"k1ll", "k i l l", "k.i.l.l", "k-i-l-l", "kiiiiill", "k\u200Bill", "\u043A\u0456ll",
        "\uFF2B\uFF29\uFF2C\uFF2C", "k\u00EDll", "\U0001D424\U0001D422\U0001D425\U0001D425"}) {
    EXPECT_EQ(HitIds(s), Ids({"t.kill"})) << s;
  }
  EXPECT_EQ(HitIds("r3t4rd"), Ids({"id.retard"}));
  EXPECT_EQ(HitIds("r e t a r d e d"), Ids({"id.retard"}));
}

TEST(Lexicon, PhrasesPrefixesNumbersSymbols) {
  EXPECT_EQ(HitIds("go kill yourself"), Ids({"t.kill", "t.kys"}));
  EXPECT_EQ(HitIds("go k1ll    y0urself!!"), Ids({"t.kill", "t.kys"}));
  EXPECT_EQ(HitIds("kill your self"), Ids({"t.kill"}));
  EXPECT_EQ(HitIds("they are verminous"), Ids({"t.vermin"}));
  EXPECT_EQ(HitIds("v3rmin"), Ids({"t.vermin"}));
  EXPECT_EQ(HitIds("1488"), Ids({"t.1488"}));
  EXPECT_EQ(HitIds("14/88"), Ids({"t.88"}));
  EXPECT_EQ(HitIds("88"), Ids({"t.88"}));
  EXPECT_EQ(HitIds("1988 and 880"), Ids());
  EXPECT_EQ(HitIds("(((Soros)))"), Ids({"t.echo"}));
  EXPECT_EQ(HitIds("f(x) and (y)"), Ids());
  EXPECT_EQ(HitIds("a \u5350 flag"), Ids({"t.swastika"}));
  EXPECT_EQ(HitIds("pepe\U0001F438"), Ids({"t.frog"}));
  EXPECT_EQ(HitIds("I h8te them"), Ids({"t.regex"}));
  EXPECT_EQ(HitIds("C18 crew"), Ids({"t.c18"}));
  EXPECT_EQ(HitIds("the CIA"), Ids());
  EXPECT_EQ(HitIds("KKK"), Ids({"t.kkk"}));
  EXPECT_EQ(HitIds("k k k"), Ids({"t.kkk"}));
  EXPECT_EQ(HitIds("kkkkkk"), Ids({"t.kkk"}));
  EXPECT_EQ(HitIds("kk, see you"), Ids());  // digit runs are not leet, so no "cia" collision
  EXPECT_EQ(HitIds("Jews and Muslims"), Ids({"id.jews", "id.muslims"}));
}

TEST(Lexicon, HitsCarryNormalisedAndOriginalSpans) {
  auto lex = TestLexicon();
  LexiconScratch scratch;
  const std::string in = "Go k.i.l.l y0urself now, (((them)))";
  text::NormalizedText nt = lex->normalizer().Normalize(in);
  std::vector<LexiconHit> hits;
  ASSERT_TRUE(lex->Match(nt, &scratch, &hits).ok());
  std::set<std::string> seen;
  for (const LexiconHit& h : hits) {
    const std::string& id = lex->entries()[h.entry].id;
    const std::string orig = in.substr(h.orig_begin, h.orig_end - h.orig_begin);
    const std::string norm = nt.text.substr(h.begin, h.end - h.begin);
    seen.insert(id);
    if (id == "t.kys") {
      EXPECT_EQ(orig, "k.i.l.l y0urself");
      EXPECT_EQ(norm, "kill yourself");
    } else if (id == "t.kill") {
      EXPECT_EQ(orig, "k.i.l.l");
    } else if (id == "t.echo") {
      EXPECT_EQ(orig, "(((");
    }
  }
  EXPECT_EQ(seen, Ids({"t.kill", "t.kys", "t.echo"}));
  // Ordered by begin.
  for (size_t i = 1; i < hits.size(); ++i) EXPECT_LE(hits[i - 1].begin, hits[i].begin);
}

TEST(Lexicon, TooManyHitsIsAnErrorNotClean) {
  LexiconOptions o;
  o.max_hits = 10;
  auto lex = Lexicon::Load(TestLexiconDir(), SharedNormalizer(), o);
  ASSERT_TRUE(lex.ok());
  std::string in;
  for (int i = 0; i < 100; ++i) in += "kill ";
  LexiconScratch scratch;
  std::vector<LexiconHit> hits;
  Status s = (*lex)->Match((*lex)->normalizer().Normalize(in), &scratch, &hits);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(hits.size(), 10u);
}

TEST(Lexicon, ScratchPerThreadAndAcrossSnapshots) {
  auto a = TestLexicon();
  auto b = Lexicon::Load(TestLexiconDir(), SharedNormalizer());
  ASSERT_TRUE(b.ok());
  LexiconScratch scratch;  // one scratch used with two snapshots in turn
  text::NormalizedText nt = a->normalizer().Normalize("go kill yourself");
  EXPECT_EQ(a->Match(nt, &scratch).size(), 2u);
  EXPECT_EQ((*b)->Match(nt, &scratch).size(), 2u);
  EXPECT_EQ(a->Match(nt, &scratch).size(), 2u);

  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      LexiconScratch s;
      text::NormalizedText local;
      for (int i = 0; i < 500; ++i) {
        a->normalizer().Normalize("they will k1ll yourself 1488", &local);
        if (a->Match(local, &s).size() != 3) ++bad[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int x : bad) EXPECT_EQ(x, 0);
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("bulwark-lexicon-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(Lexicon, CacheHitGivesIdenticalMatches) {
  TempDir dir;
  LexiconOptions o;
  o.cache_dir = dir.path().string();
  auto first = Lexicon::Load(TestLexiconDir(), SharedNormalizer(), o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE((*first)->loaded_from_cache());
  auto second = Lexicon::Load(TestLexiconDir(), SharedNormalizer(), o);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)->loaded_from_cache());
  EXPECT_EQ((*first)->version(), (*second)->version());

  const std::vector<std::string> texts = {"go k1ll yourself",
                                          "they are verminous 1488 (((x)))",
                                          "I h8te them \U0001F438",
                                          "nothing to see here",
                                          "r e t a r d",
                                          "c18 14/88 \u5350"};
  for (const std::string& t : texts) {
    EXPECT_EQ(HitIds(**first, t), HitIds(**second, t)) << t;
    EXPECT_FALSE(HitIds(**first, t).empty() && t != "nothing to see here") << t;
  }

  // A corrupt cache file is ignored and rewritten.
  for (const auto& f : fs::directory_iterator(dir.path())) {
    std::ofstream(f.path(), std::ios::trunc) << "garbage";
  }
  auto third = Lexicon::Load(TestLexiconDir(), SharedNormalizer(), o);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE((*third)->loaded_from_cache());
  for (const std::string& t : texts) EXPECT_EQ(HitIds(**first, t), HitIds(**third, t));
  auto fourth = Lexicon::Load(TestLexiconDir(), SharedNormalizer(), o);
  ASSERT_TRUE(fourth.ok());
  EXPECT_TRUE((*fourth)->loaded_from_cache());
}

// One valid entry line with `overrides` merged in (a JSON object).
std::string Line(const std::string& overrides = "{}") {
  nlohmann::json j = nlohmann::json::parse(
      R"({"id": "x1", "term": "abc", "match": "word", "category": "hate", "targets": [],
          "severity": 2, "kind": "slur", "reclaimed": false, "counter_speech_risk": false,
          "provenance": "test", "note": ""})");
  j.merge_patch(nlohmann::json::parse(overrides));
  return j.dump();
}

Status LoadOne(const std::string& content) {
  auto r = Lexicon::FromFiles({{"bad.jsonl", content}}, SharedNormalizer());
  return r.ok() ? Status::Ok() : r.status();
}

TEST(Lexicon, ParseErrorsNameFileAndLine) {
  const std::string good = Line() + "\n";
  struct Case {
    std::string second_line;
    std::string expect;
  } cases[] = {
      {"{not json", "bad.jsonl:2: invalid JSON"},
      {"[1, 2]", "bad.jsonl:2: expected a JSON object"},
      {R"({"id": "x2"})", "bad.jsonl:2: missing field \"term\""},
      {Line(R"({"id": "x1"})"), "bad.jsonl:2: duplicate id \"x1\""},
      {Line(R"({"id": "x2", "category": "hatred"})"), "unknown category \"hatred\""},
      {Line(R"({"id": "x2", "match": "fuzzy"})"), "unknown match \"fuzzy\""},
      {Line(R"({"id": "x2", "severity": 9})"), "\"severity\" must be 0..4"},
      {Line(R"({"id": "x2", "severity": "high"})"), "\"severity\" must be an integer"},
      {Line(R"({"id": "x2", "reclaimed": "no"})"), "\"reclaimed\" must be true or false"},
      {Line(R"({"id": "x2", "term": "!!!"})"), "normalises to nothing"},
      {Line(R"({"id": "x2", "term": "(unclosed", "match": "regex"})"), "rejected"},
  };
  for (const Case& c : cases) {
    Status s = LoadOne(good + c.second_line + "\n");
    EXPECT_FALSE(s.ok()) << c.second_line;
    EXPECT_NE(s.message().find(c.expect), std::string::npos)
        << "got: " << s.message() << " for " << c.second_line;
  }
  EXPECT_TRUE(LoadOne(good).ok());
  EXPECT_FALSE(LoadOne("").ok());
  EXPECT_EQ(Lexicon::Load("/nonexistent/lexicon", SharedNormalizer()).status().code(),
            Code::kNotFound);
}

TEST(Lexicon, VersionIsAContentHash) {
  const std::string a = Line() + "\n";
  const std::string b = Line(R"({"id": "x1", "term": "abd"})") + "\n";
  auto la = Lexicon::FromFiles({{"a.jsonl", a}}, SharedNormalizer());
  auto la2 = Lexicon::FromFiles({{"a.jsonl", a}}, SharedNormalizer());
  auto lb = Lexicon::FromFiles({{"a.jsonl", b}}, SharedNormalizer());
  ASSERT_TRUE(la.ok() && la2.ok() && lb.ok());
  EXPECT_EQ((*la)->version(), (*la2)->version());
  EXPECT_NE((*la)->version(), (*lb)->version());
}

TEST(Lexicon, ShippedLexiconLoads) {
  const std::string dir = SourceDir() + "/data/lexicon";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no " << dir;
  auto lex = Lexicon::Load(dir, SharedNormalizer());
  ASSERT_TRUE(lex.ok()) << lex.status().ToString();
  EXPECT_GT((*lex)->entries().size(), 100u);
  EXPECT_FALSE(HitIds(**lex, "go k1ll y0urself").empty());
}

}  // namespace
}  // namespace bulwark::detect
