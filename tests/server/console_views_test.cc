#include "server/console_views.h"

#include <gtest/gtest.h>

namespace bulwark::server {
namespace {

TEST(ParseFormFields, DecodesPlusAndPercentInOrder) {
  auto f = ParseFormFields("csrf_token=a%2Bb&note=hello+world%21&action=remove&&empty=");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->size(), 4u);
  EXPECT_EQ(*FormValue(*f, "csrf_token"), "a+b");
  EXPECT_EQ(*FormValue(*f, "note"), "hello world!");
  EXPECT_EQ(*FormValue(*f, "empty"), "");
  EXPECT_FALSE(FormValue(*f, "missing"));
}

TEST(ParseFormFields, RejectsHostileInputNamingTheField) {
  auto bad_escape = ParseFormFields("note=%4");
  ASSERT_FALSE(bad_escape.ok());
  EXPECT_EQ(bad_escape.status().field(), "note");
  EXPECT_FALSE(ParseFormFields("note=%zz").ok());
  auto nul = ParseFormFields("a=1&note=x%00y");
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.status().field(), "note");
  // A raw NUL too, not only an escaped one; a nameless field's error names the form.
  auto raw_nul = ParseFormFields(std::string("note=x\0y", 8));
  ASSERT_FALSE(raw_nul.ok());
  EXPECT_EQ(raw_nul.status().field(), "note");
  auto nameless = ParseFormFields(std::string("=\0", 2));
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(nameless.status().field(), "form");
  auto utf8 = ParseFormFields("note=%C3%28");
  ASSERT_FALSE(utf8.ok());
  EXPECT_EQ(utf8.status().field(), "note");
  std::string many;
  for (int i = 0; i < 65; ++i) many += "f" + std::to_string(i) + "=1&";
  EXPECT_FALSE(ParseFormFields(many).ok());
  auto big = ParseFormFields("note=" + std::string(9000, 'x'));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().field(), "note");
  EXPECT_TRUE(ParseFormFields("note=" + std::string(8192, 'x')).ok());
}

TEST(EvidenceSegments, MarksMergesAndKeepsAllText) {
  std::string text = "they are vermin and should leave";
  std::vector<nlohmann::json> ev = {
      {{"detector", "lexicon"}, {"entry", "dehumanizing.vermin"}, {"span", {9, 15}}},
      {{"detector", "classifier"}, {"score", 0.9}},   // no span: ignored
      {{"detector", "context"}, {"span", {13, 19}}},  // overlaps: merged
      {{"detector", "lexicon"}, {"span", {40, 45}}},  // out of range
      {{"detector", "lexicon"}, {"span", {5, 2}}}};   // inverted
  auto segs = EvidenceSegments(text, ev);
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[0]["text"], "they are ");
  EXPECT_EQ(segs[1]["text"], "vermin and");
  EXPECT_TRUE(segs[1]["mark"].get<bool>());
  EXPECT_EQ(segs[1]["title"], "lexicon: dehumanizing.vermin; context");
  EXPECT_EQ(segs[2]["text"], " should leave");
  std::string joined;
  for (const auto& s : segs) joined += s["text"].get<std::string>();
  EXPECT_EQ(joined, text);
}

TEST(EvidenceSegments, NeverCutsInsideAUtf8Character) {
  std::string text = "caf\xC3\xA9 ok";  // "café ok"
  auto mid = EvidenceSegments(text, {{{"detector", "x"}, {"span", {4, 6}}}});
  ASSERT_EQ(mid.size(), 1u);  // span starts inside 'é': ignored
  EXPECT_FALSE(mid[0]["mark"].get<bool>());
  auto whole = EvidenceSegments(text, {{{"detector", "x"}, {"span", {3, 5}}}});
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[1]["text"], "\xC3\xA9");
}

TEST(WeeklyChart, ScalesBarsToTheBusiestWeekAndSaysTheNumbers) {
  const std::vector<WeekCounts> weeks = {{"Nov 3", 40, 10}, {"Nov 10", 80, 40}, {"Nov 17", 0, 0}};
  const nlohmann::json bars = WeeklyChart(weeks, 300, 100);
  ASSERT_EQ(bars.size(), 3u);
  // 100 px slots, 70 px bars centred in them.
  EXPECT_EQ(bars[0]["x"], "15.0");
  EXPECT_EQ(bars[0]["w"], "70.0");
  EXPECT_EQ(bars[1]["x"], "115.0");
  // The busiest week fills the plot; the others scale to it, bottom-aligned.
  EXPECT_EQ(bars[1]["items_h"], "100.0");
  EXPECT_EQ(bars[1]["items_y"], "0.0");
  EXPECT_EQ(bars[0]["items_h"], "50.0");
  EXPECT_EQ(bars[0]["items_y"], "50.0");
  EXPECT_EQ(bars[0]["flagged_h"], "12.5");
  EXPECT_EQ(bars[1]["flagged_h"], "50.0");
  EXPECT_EQ(bars[2]["items_h"], "0.0");
  EXPECT_EQ(bars[0]["label_x"], "50.0");
  EXPECT_EQ(bars[0]["title"], "week of Nov 3: 40 items, 10 flagged (25.0%)");
  EXPECT_EQ(bars[2]["title"], "week of Nov 17: no items");
  EXPECT_TRUE(WeeklyChart({}, 300, 100).empty());
}

TEST(HumanDuration, Units) {
  EXPECT_EQ(HumanDuration(-1), "–");
  EXPECT_EQ(HumanDuration(45'000), "45 s");
  EXPECT_EQ(HumanDuration(12 * 60'000), "12 min");
  EXPECT_EQ(HumanDuration((3 * 60 + 5) * 60'000), "3 h 5 min");
  EXPECT_EQ(HumanDuration((52LL * 60) * 60'000), "2 d 4 h");
  EXPECT_EQ(HumanTime(0), "1970-01-01 00:00:00 UTC");
}

}  // namespace
}  // namespace bulwark::server
