#include "detect/dataset.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "detect/classifier_input.h"

namespace bulwark::detect {
namespace {

using Records = std::vector<std::vector<std::string>>;

Records Parse(std::string_view s, char d = ',') {
  auto r = ParseDelimited(s, d);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Records{};
}

TEST(ParseDelimited, QuotedFieldsWithDelimiterQuoteAndNewline) {
  EXPECT_EQ(Parse("a,b\n\"x, y\",\"say \"\"hi\"\"\nthere\"\n"),
            (Records{{"a", "b"}, {"x, y", "say \"hi\"\nthere"}}));
}

TEST(ParseDelimited, CrLfEmptyFieldsAndNoTrailingNewline) {
  EXPECT_EQ(Parse("a,,c\r\n,\r\nlast"), (Records{{"a", "", "c"}, {"", ""}, {"last"}}));
  EXPECT_EQ(Parse("a,b,"), (Records{{"a", "b", ""}}));
  EXPECT_EQ(Parse(""), Records{});
}

TEST(ParseDelimited, BomTabsAndBareQuotesInsideUnquotedField) {
  EXPECT_EQ(Parse("\xEF\xBB\xBFpost\tclass\nhe said \"no\"\tnot_hate\n", '\t'),
            (Records{{"post", "class"}, {"he said \"no\"", "not_hate"}}));
}

TEST(ParseDelimited, QuotedFieldEndingInEscapedQuote) {
  // As in implicit_hate: the field's content ends with a quote.
  EXPECT_EQ(Parse("\"x \"\"\"\tlab\n", '\t'), (Records{{"x \"", "lab"}}));
}

TEST(ParseDelimited, Errors) {
  auto unterminated = ParseDelimited("a\n\"open,b\n", ',');
  EXPECT_EQ(unterminated.status().code(), Code::kInvalidArgument);
  EXPECT_NE(unterminated.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(ParseDelimited("\"a\"b,c\n", ',').status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseDelimited("a,b,c\n", ',', 2).status().code(), Code::kResourceExhausted);
}

// A poor man's fuzz run: random bytes drawn from the characters that matter to the parser and
// the text preparation must never crash, and a successful parse must not invent content.
TEST(ParseDelimited, RandomInputNeverCrashes) {
  auto input = ClassifierInput::Create();
  ASSERT_TRUE(input.ok());
  std::mt19937 rng(99);
  const std::string alphabet = "a,\"\r\n\t \xEF\xBB\xBF\xF0\x9F\x98\x80\xFF_l";
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 64, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    auto r = ParseDelimited(s, ',');
    if (r.ok()) {
      size_t total = 0;
      for (const auto& rec : *r) {
        for (const auto& f : rec) total += f.size();
      }
      EXPECT_LE(total, s.size());
    }
    const std::string p = (*input)->Prepare(s);
    EXPECT_EQ(p.find('\n'), std::string::npos);
    EXPECT_EQ(p.find("__label__"), std::string::npos);
  }
}

TEST(HashSplit, DeterministicAndRoughly801010) {
  std::map<Split, int> counts;
  for (int i = 0; i < 20000; ++i) {
    const std::string key = "text number " + std::to_string(i);
    const Split s = HashSplit(key, 7);
    EXPECT_EQ(s, HashSplit(key, 7));
    ++counts[s];
  }
  EXPECT_NEAR(counts[Split::kTrain], 16000, 400);
  EXPECT_NEAR(counts[Split::kValidation], 2000, 200);
  EXPECT_NEAR(counts[Split::kTest], 2000, 200);
  // A different seed reshuffles.
  int moved = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "text number " + std::to_string(i);
    moved += HashSplit(key, 7) != HashSplit(key, 8);
  }
  EXPECT_GT(moved, 100);
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(ClassifierInput, PreparesLowerCaseTokensSafeForFastText) {
  auto input = ClassifierInput::Create();
  ASSERT_TRUE(input.ok());
  const auto& in = **input;
  const std::string p = in.Prepare("Hello,   WORLD!\n__label__hate\tdon't");
  EXPECT_EQ(p.find('\n'), std::string::npos);
  EXPECT_EQ(p.find('\t'), std::string::npos);
  EXPECT_EQ(p.find("__label__"), std::string::npos);
  EXPECT_EQ(p.substr(0, 11), "hello world");
  EXPECT_EQ(in.Prepare("  \n "), "");
  EXPECT_EQ(in.DedupKey("RT @someone: Same text! http://t.co/x"), in.DedupKey("same text"));
}

Example Ex(std::string text, Split split, std::string set = "s") {
  Example e;
  e.text = std::move(text);
  e.split = split;
  e.dataset = std::move(set);
  return e;
}

TEST(Dedup, KeepsMostHeldOutCopyAcrossDataSets) {
  auto input = ClassifierInput::Create();
  ASSERT_TRUE(input.ok());
  std::vector<Example> v = {Ex("Same text", Split::kTrain, "a"),
                            Ex("same TEXT!", Split::kTest, "b"),
                            Ex("other", Split::kTrain),
                            Ex("Other", Split::kTrain),
                            Ex("val", Split::kValidation),
                            Ex("RT @x: val", Split::kTrain),
                            Ex("!!!", Split::kTest)};
  const DedupStats stats = DeduplicateAcrossSplits(v, **input);
  EXPECT_EQ(stats.removed_from_train, 2);
  EXPECT_EQ(stats.removed_duplicate_in_split, 1);
  EXPECT_EQ(stats.removed_empty, 1);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].text, "same TEXT!");
  EXPECT_EQ(v[0].split, Split::kTest);
  EXPECT_EQ(v[1].text, "other");
  EXPECT_EQ(v[2].text, "val");
}

std::filesystem::path DataDir() {
  if (const char* d = std::getenv("BULWARK_DATA_DIR")) return d;
  if (const char* s = std::getenv("BULWARK_SOURCE_DIR")) {
    return std::filesystem::path(s) / ".." / "shared" / "data";
  }
  return BULWARK_TEST_DATA_DIR;  // <source>/../shared/data, fixed at configure time
}

TEST(Datasets, MissingDirectoryIsNotFound) {
  auto input = ClassifierInput::Create();
  ASSERT_TRUE(input.ok());
  for (const std::string& name : AllDatasetNames()) {
    auto r = LoadDataset(name, "/nonexistent-bulwark-data", **input);
    EXPECT_EQ(r.status().code(), Code::kNotFound) << name;
  }
  EXPECT_EQ(LoadDataset("nope", "/tmp", **input).status().code(), Code::kInvalidArgument);
}

// Runs only where the shared data sets are installed.
TEST(Datasets, RealDataLoadsWithExpectedLabelsAndNoLeaks) {
  auto input = ClassifierInput::Create();
  ASSERT_TRUE(input.ok());
  if (!std::filesystem::exists(DataDir() / "davidson2017" / "labeled_data.csv")) {
    GTEST_SKIP() << "shared data sets not installed at " << DataDir();
  }
  std::vector<Example> all;
  std::map<std::string, std::map<ClassLabel, int>> labels;
  for (const std::string& name : AllDatasetNames()) {
    auto r = LoadDataset(name, DataDir(), **input);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    for (const Example& e : *r) ++labels[name][e.label];
    all.insert(all.end(), r->begin(), r->end());
  }
  // Counts from the data sets' own documentation.
  EXPECT_EQ(labels["davidson2017"][ClassLabel::kHate], 1430);
  EXPECT_EQ(labels["davidson2017"][ClassLabel::kOffensive], 19190);
  EXPECT_EQ(labels["davidson2017"][ClassLabel::kNone], 4163);
  EXPECT_EQ(labels["stormfront2018"][ClassLabel::kHate], 1196);
  EXPECT_EQ(labels["stormfront2018"][ClassLabel::kNone], 9507);
  EXPECT_EQ(labels["toxigen_prompts"][ClassLabel::kHate], 371);
  EXPECT_EQ(labels["implicit_hate"][ClassLabel::kHate], 7100 + 1089);
  EXPECT_EQ(labels["isca_antisemitism"][ClassLabel::kHate], 1250);
  EXPECT_EQ(labels["hatexplain"][ClassLabel::kHate], 6484);
  EXPECT_EQ(labels["hatexplain"][ClassLabel::kOffensive], 5807);
  // The README says 592 / 594 for validation / test; the CSV files hold 591 / 593 records
  // (Python's csv module agrees).
  EXPECT_EQ(
      labels["hatemoji_build"][ClassLabel::kHate] + labels["hatemoji_build"][ClassLabel::kNone],
      4728 + 591 + 593);
  EXPECT_EQ(labels["edos"][ClassLabel::kHate], 4854);  // sexist
  EXPECT_EQ(labels["edos"][ClassLabel::kHate] + labels["edos"][ClassLabel::kNone], 20000);
  EXPECT_GT(labels["covid_vaccine_conspiracy"][ClassLabel::kMisinfoHealth], 250);

  // Loading twice gives the same splits.
  auto again = LoadDataset("davidson2017", DataDir(), **input);
  ASSERT_TRUE(again.ok());
  std::vector<Example> first;
  for (const Example& e : all) {
    if (e.dataset == "davidson2017") first.push_back(e);
  }
  ASSERT_EQ(first.size(), again->size());
  for (size_t i = 0; i < first.size(); ++i) ASSERT_EQ(first[i].split, (*again)[i].split);

  DeduplicateAcrossSplits(all, **input);
  std::set<std::string> held_out;
  for (const Example& e : all) {
    if (e.split != Split::kTrain) held_out.insert(input.value()->DedupKey(e.text));
  }
  for (const Example& e : all) {
    if (e.split == Split::kTrain) {
      ASSERT_EQ(held_out.count(input.value()->DedupKey(e.text)), 0u) << e.text;
    }
  }
}

}  // namespace
}  // namespace bulwark::detect
