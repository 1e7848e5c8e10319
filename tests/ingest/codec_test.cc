#include "ingest/codec.h"

#include <gtest/gtest.h>

#include <string>

namespace bulwark::ingest {
namespace {

constexpr const char* kItem =
    R"({"id":"p1","author_id":"u1","text":"hi","created_at":"2026-01-01T00:00:00Z"})";

std::string Batch(const std::string& items) { return R"({"items":[)" + items + "]}"; }

TEST(Codec, DecodesAFullItem) {
  auto r = DecodeItemBatch(
      Batch(R"({"id":"p1","kind":"comment","author_id":"u1","author_public_figure":true,)"
            R"("group_id":"g","group_visibility":"private","parent_id":"p0","text":"héllo",)"
            R"("lang":"fr","created_at":"2026-01-01T00:00:00.5Z"})"),
      IngestLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  const Item& it = (*r)[0];
  EXPECT_EQ(it.kind, ItemKind::kComment);
  EXPECT_TRUE(it.author_is_public_figure);
  EXPECT_EQ(it.group_visibility, Visibility::kPrivate);
  EXPECT_EQ(it.parent_id, "p0");
  EXPECT_EQ(it.text, "héllo");
  EXPECT_EQ(it.created_at, 1767225600500);
}

struct BadCase {
  const char* name;
  std::string body;
  Code code;
  std::string field;
};

class CodecBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(CodecBadInput, RejectedWithCodeAndField) {
  const BadCase& c = GetParam();
  IngestLimits limits;
  limits.max_batch = 5;
  limits.max_text_bytes = 100;
  auto r = DecodeItemBatch(c.body, limits);
  ASSERT_FALSE(r.ok()) << c.name;
  EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status().ToString();
  EXPECT_EQ(r.status().field(), c.field) << c.name << ": " << r.status().ToString();
}

std::string Deep(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

INSTANTIATE_TEST_SUITE_P(
    Table, CodecBadInput,
    ::testing::Values(
        BadCase{"empty", "", Code::kInvalidArgument, ""},
        BadCase{"not json", "hello", Code::kInvalidArgument, ""},
        BadCase{"truncated", R"({"items":[{"id":"p1")", Code::kInvalidArgument, ""},
        BadCase{"array root", "[]", Code::kInvalidArgument, ""},
        BadCase{"missing items", "{}", Code::kInvalidArgument, "items"},
        BadCase{"items not array", R"({"items":{}})", Code::kInvalidArgument, "items"},
        BadCase{"empty batch", R"({"items":[]})", Code::kInvalidArgument, "items"},
        BadCase{"unknown top field", R"({"x":1,"items":[]})", Code::kInvalidArgument, "x"},
        BadCase{"too many",
                Batch(std::string(kItem) + "," + kItem + "," + kItem + "," + kItem + "," + kItem +
                      "," + kItem),
                Code::kResourceExhausted, "items"},
        BadCase{"item not object", Batch("1"), Code::kInvalidArgument, "items[0]"},
        BadCase{"missing id",
                Batch(R"({"author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z"})"),
                Code::kInvalidArgument, "items[0].id"},
        BadCase{"empty id",
                Batch(R"({"id":"","author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z"})"),
                Code::kInvalidArgument, "items[0].id"},
        BadCase{"id wrong type",
                Batch(R"({"id":7,"author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z"})"),
                Code::kInvalidArgument, "items[0].id"},
        BadCase{
            "control char in id",
            Batch(
                R"({"id":"a\u0001","author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].id"},
        BadCase{
            "unknown field",
            Batch(
                R"({"id":"a","author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z","score":1})"),
            Code::kInvalidArgument, "items[0].score"},
        BadCase{
            "repeated field",
            Batch(
                R"({"id":"a","id":"b","author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].id"},
        BadCase{
            "bad kind",
            Batch(
                R"({"id":"a","kind":"tweet","author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].kind"},
        BadCase{"bad time",
                Batch(R"({"id":"a","author_id":"u","text":"","created_at":"yesterday"})"),
                Code::kInvalidArgument, "items[0].created_at"},
        BadCase{"text too long",
                Batch(R"({"id":"a","author_id":"u","text":")" + std::string(101, 'x') +
                      R"(","created_at":"2026-01-01T00:00:00Z"})"),
                Code::kInvalidArgument, "items[0].text"},
        BadCase{
            "group without visibility",
            Batch(
                R"({"id":"a","author_id":"u","text":"","group_id":"g","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].group_visibility"},
        BadCase{
            "visibility without group",
            Batch(
                R"({"id":"a","author_id":"u","text":"","group_visibility":"public","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].group_visibility"},
        BadCase{
            "bad visibility",
            Batch(
                R"({"id":"a","author_id":"u","text":"","group_id":"g","group_visibility":"hidden","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].group_visibility"},
        BadCase{
            "own parent",
            Batch(
                R"({"id":"a","author_id":"u","text":"","parent_id":"a","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].parent_id"},
        BadCase{
            "public figure not bool",
            Batch(
                R"({"id":"a","author_id":"u","author_public_figure":"yes","text":"","created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, "items[0].author_public_figure"},
        BadCase{"duplicate ids", Batch(std::string(kItem) + "," + kItem), Code::kInvalidArgument,
                "items[1].id"},
        BadCase{"invalid utf8 in text",
                Batch("{\"id\":\"a\",\"author_id\":\"u\",\"text\":\"ok \xff\xfe "
                      "bad\",\"created_at\":\"2026-01-01T00:00:00Z\"}"),
                Code::kInvalidArgument, "items[0].text"},
        BadCase{"overlong utf8 in author",
                Batch("{\"id\":\"a\",\"author_id\":\"\xc0\xafu\",\"text\":\"\",\"created_at\":"
                      "\"2026-01-01T00:00:00Z\"}"),
                Code::kInvalidArgument, "items[0].author_id"},
        BadCase{
            "invalid utf8 in second item",
            Batch(std::string(kItem) + ",{\"id\":\"b\",\"author_id\":\"u\",\"text\":"
                                       "\"\xed\xa0\x80\",\"created_at\":\"2026-01-01T00:00:00Z\"}"),
            Code::kInvalidArgument, "items[1].text"},
        BadCase{"deep nesting", R"({"items":)" + Deep(5000) + "}", Code::kInvalidArgument, ""},
        BadCase{
            "nesting inside item",
            Batch(
                R"({"id":"a","author_id":"u","text":[[[[[[[[[[1]]]]]]]]]],"created_at":"2026-01-01T00:00:00Z"})"),
            Code::kInvalidArgument, ""}),
    [](const ::testing::TestParamInfo<BadCase>& param_info) {
      std::string n = param_info.param.name;
      for (char& ch : n) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(Codec, BodyOverLimitIsResourceExhausted) {
  IngestLimits limits;
  limits.max_body_bytes = 100;
  auto r = DecodeItemBatch(Batch(std::string(kItem) + "," + kItem), limits);
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
}

TEST(Codec, ViewsDefaultCountAndTime) {
  auto r = DecodeViewBatch(R"({"views":[{"item_id":"a"},{"item_id":"b","count":9,)"
                           R"("viewed_at":"2026-01-01T00:00:00Z","surface":"feed"}]})",
                           IngestLimits{}, 42);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].count, 1);
  EXPECT_EQ((*r)[0].viewed_at, 42);
  EXPECT_EQ((*r)[1].count, 9);
  EXPECT_EQ((*r)[1].surface, "feed");
}

TEST(Codec, ViewCountMustBePositiveAndBounded) {
  for (const char* count : {"0", "-5", "1.5", "18446744073709551615", "\"3\""}) {
    auto r = DecodeViewBatch(std::string(R"({"views":[{"item_id":"a","count":)") + count + "}]}",
                             IngestLimits{}, 0);
    ASSERT_FALSE(r.ok()) << count;
    EXPECT_EQ(r.status().field(), "views[0].count") << count << " " << r.status().ToString();
  }
}

TEST(Codec, NumbersBeyond64BitsAreMalformed) {
  auto r = DecodeViewBatch(R"({"views":[{"item_id":"a","count":99999999999999999999999}]})",
                           IngestLimits{}, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(Codec, ReportsValidateReasonAndIds) {
  auto ok = DecodeReportBatch(R"({"reports":[{"id":"r","item_id":"a","reporter_id":"u",)"
                              R"("reason":"threat","created_at":"2026-01-01T00:00:00Z"}]})",
                              IngestLimits{});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].reason, ReportReason::kThreat);
  auto bad = DecodeReportBatch(R"({"reports":[{"id":"r","item_id":"a","reporter_id":"u",)"
                               R"("reason":"ugly","created_at":"2026-01-01T00:00:00Z"}]})",
                               IngestLimits{});
  EXPECT_EQ(bad.status().field(), "reports[0].reason");
}

TEST(Codec, GroupsAndMembershipsDecodeStrictly) {
  auto ok = DecodeGroupBatch(
      R"({"groups":[{"id":"g1","name":"Night Owls","description":"we stay up","visibility":)"
      R"("secret","created_at":"2026-01-01T00:00:00Z","owner_id":"u1","admin_ids":["u2","u3"]}]})",
      IngestLimits{});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].visibility, Visibility::kSecret);
  EXPECT_EQ((*ok)[0].admin_ids, (std::vector<std::string>{"u2", "u3"}));

  struct Bad {
    const char* json;
    const char* field;
  };
  const std::string g =
      R"("visibility":"public","created_at":"2026-01-01T00:00:00Z","owner_id":"u")";
  for (const auto& [json, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"groups":[{"id":"g","name":"",)" + g + "}]}", "groups[0].name"},
           {R"({"groups":[{"id":"g","name":"n","visibility":"hidden","created_at":)"
            R"("2026-01-01T00:00:00Z","owner_id":"u"}]})",
            "groups[0].visibility"},
           {R"({"groups":[{"id":"g","name":"n",)" + g + R"(,"admin_ids":["a","a"]}]})",
            "groups[0].admin_ids[1]"},
           {R"({"groups":[{"id":"g","name":"n",)" + g + R"(},{"id":"g","name":"m",)" + g + "}]}",
            "groups[1].id"},
           {R"({"groups":[{"id":"g","name":"n","visibility":"public","created_at":)"
            R"("2026-01-01T00:00:00Z"}]})",
            "groups[0].owner_id"},
           {R"({"memberships":[{"id":"m","group_id":"g","account_id":"a","action":"lurk",)"
            R"("at":"2026-01-01T00:00:00Z"}]})",
            "memberships[0].action"},
       }) {
    auto r = json.starts_with(R"({"groups")")
                 ? DecodeGroupBatch(json, IngestLimits{}).status()
                 : DecodeMembershipBatch(json, IngestLimits{}).status();
    EXPECT_EQ(r.code(), Code::kInvalidArgument) << json;
    EXPECT_EQ(r.field(), field) << json << " -> " << r.ToString();
  }
  IngestLimits small;
  small.max_group_admins = 1;
  auto many = DecodeGroupBatch(
      R"({"groups":[{"id":"g","name":"n",)" + g + R"(,"admin_ids":["a","b"]}]})", small);
  EXPECT_EQ(many.status().field(), "groups[0].admin_ids");

  auto m = DecodeMembershipBatch(
      R"({"memberships":[{"id":"m","group_id":"g","account_id":"a","action":"leave",)"
      R"("at":"2026-01-01T00:00:00Z"}]})",
      IngestLimits{});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)[0].action, MembershipAction::kLeave);
}

TEST(Codec, ItemIdsMayNotTakeTheGroupProfilePrefix) {
  auto r = DecodeItemBatch(
      Batch(
          R"({"id":"group:g1","author_id":"u1","text":"hi","created_at":"2026-01-01T00:00:00Z"})"),
      IngestLimits{});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "items[0].id");
}

TEST(Codec, AdImpressionsRejectNegativePricesAndRepeatedNeighbours) {
  const std::string head = R"({"impressions":[{"id":"i","ad_id":"a","advertiser_id":"v",)";
  const std::string tail = R"("shown_at":"2026-01-01T00:00:00Z",)";
  auto ok = DecodeAdImpressionBatch(
      head + R"("price_micros":2500,"currency":"EUR",)" + tail +
          R"("adjacent":[{"item_id":"p1","position":-1},{"item_id":"p2","position":1}]}]})",
      IngestLimits{});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].price_micros, 2500);
  EXPECT_EQ((*ok)[0].adjacent[1].position, 1);

  auto neg = DecodeAdImpressionBatch(head + R"("price_micros":-1,)" + tail + R"("adjacent":[]}]})",
                                     IngestLimits{});
  EXPECT_EQ(neg.status().field(), "impressions[0].price_micros");
  auto cur = DecodeAdImpressionBatch(
      head + R"("price_micros":1,"currency":"usd",)" + tail + R"("adjacent":[]}]})",
      IngestLimits{});
  EXPECT_EQ(cur.status().field(), "impressions[0].currency");
  auto rep = DecodeAdImpressionBatch(
      head + R"("price_micros":1,)" + tail +
          R"("adjacent":[{"item_id":"p1","position":-1},{"item_id":"p1","position":1}]}]})",
      IngestLimits{});
  EXPECT_EQ(rep.status().field(), "impressions[0].adjacent[1].item_id");
  auto missing = DecodeAdImpressionBatch(
      head + R"("price_micros":1,)" + tail + R"("adjacent":[{"item_id":"p1"}]}]})", IngestLimits{});
  EXPECT_EQ(missing.status().field(), "impressions[0].adjacent[0].position");
}

TEST(Codec, ValidNoncharacterTextIsAccepted) {
  // U+FDD0 is the internal marker for repaired bytes; in valid input it is ordinary text.
  auto r = DecodeItemBatch(Batch("{\"id\":\"a\",\"author_id\":\"u\",\"text\":\"\xEF\xB7\x90\","
                                 "\"created_at\":\"2026-01-01T00:00:00Z\"}"),
                           IngestLimits{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

}  // namespace
}  // namespace bulwark::ingest

namespace bulwark::ingest {
namespace {

TEST(Codec, TextBatchForClassification) {
  auto ok = DecodeTextBatch(R"({"texts":["a","","c"]})", IngestLimits{}, 100, 10);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->size(), 3u);
  EXPECT_EQ(DecodeTextBatch(R"({"texts":["a","b"]})", IngestLimits{}, 1, 10).status().code(),
            Code::kResourceExhausted);
  EXPECT_EQ(DecodeTextBatch(R"({"texts":["a",7]})", IngestLimits{}, 5, 10).status().field(),
            "texts[1]");
  EXPECT_EQ(
      DecodeTextBatch(R"({"texts":["a","0123456789x"]})", IngestLimits{}, 5, 10).status().field(),
      "texts[1]");
  EXPECT_EQ(
      DecodeTextBatch("{\"texts\":[\"ok\",\"\xff\"]}", IngestLimits{}, 5, 10).status().field(),
      "texts[1]");
  EXPECT_EQ(DecodeTextBatch(R"({"text":["a"]})", IngestLimits{}, 5, 10).status().field(), "text");
}

}  // namespace
}  // namespace bulwark::ingest

namespace bulwark::ingest {
namespace {

TEST(Codec, UnknownKeysAreEchoedShortAndFuzzerFindingsStayFixed) {
  // Found by fuzz_ingest_codec: an unknown top-level key containing '['.
  auto r = DecodeViewBatch(R"({"viewwYYY[YYYY":[{"item_id":"a","count":6}]})", IngestLimits{}, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unknown field");
  std::string huge = R"({")" + std::string(100000, 'k') + R"(":1,"items":[]})";
  auto h = DecodeItemBatch(huge, IngestLimits{});
  ASSERT_FALSE(h.ok());
  EXPECT_LE(h.status().field().size(), 67u);
  std::string nested =
      R"({"items":[{"id":"a","author_id":"u","text":"","created_at":"2026-01-01T00:00:00Z",")" +
      std::string(1000, 'z') + R"(":1}]})";
  auto n = DecodeItemBatch(nested, IngestLimits{});
  EXPECT_LE(n.status().field().size(), 9u + 67u);
}

}  // namespace
}  // namespace bulwark::ingest
