// POST /v1alpha1/comments:analyze, the Perspective-compatible route: its request and response
// shapes, its errors (Google's shape), authentication by the `key` query parameter, and its rate
// limit. The npm clients' test (tests/perspective/clients) drives the same route from the
// published Perspective clients.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "perspective/analyze.h"
#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

class PerspectiveApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::TestServer({}, /*with_detectors=*/true, [](server::ApiContext* ctx) {
      ctx->perspective_limit = {0, 0};  // no limit here; RateLimitIsPerKey sets its own
    });
    key_ = server_->CreateKey(Role::kPlatform, "perspective");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static httplib::Result Analyze(const json& body, const std::string& key = key_) {
    auto c = server_->Client();
    return c.Post(("/v1alpha1/comments:analyze?key=" + key).c_str(), body.dump(),
                  "application/json");
  }
  static json Scores(const std::string& text, const json& attributes) {
    auto r = Analyze({{"comment", {{"text", text}}}, {"requestedAttributes", attributes}});
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  }
  static double Value(const json& response, const char* attribute) {
    return response["attributeScores"][attribute]["summaryScore"]["value"].get<double>();
  }
  // The Perspective errorType of an error response, or "".
  static std::string ErrorType(const json& e) {
    for (const json& d : e["error"].value("details", json::array())) {
      if (d.contains("errorType")) return d["errorType"];
    }
    return "";
  }
  static std::string Field(const json& e) {
    for (const json& d : e["error"].value("details", json::array())) {
      if (d.contains("fieldViolations")) return d["fieldViolations"][0]["field"];
    }
    return "";
  }

  static testing::TestServer* server_;
  static std::string key_;
};
testing::TestServer* PerspectiveApiTest::server_ = nullptr;
std::string PerspectiveApiTest::key_;

TEST_F(PerspectiveApiTest, AnswersInPerspectivesShape) {
  auto r = Analyze({{"comment", {{"text", "You are a complete idiot and I will hurt you."}}},
                    {"requestedAttributes",
                     {{"TOXICITY", json::object()},
                      {"SEVERE_TOXICITY", json::object()},
                      {"IDENTITY_ATTACK", json::object()},
                      {"INSULT", json::object()},
                      {"PROFANITY", json::object()},
                      {"THREAT", {{"scoreType", "PROBABILITY"}}}}},
                    {"languages", {"en"}},
                    {"doNotStore", true},
                    {"clientToken", "abc-123"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body);
  ASSERT_EQ(j["attributeScores"].size(), 6u) << j.dump();
  for (const auto& [name, a] : j["attributeScores"].items()) {
    const json& s = a["summaryScore"];
    EXPECT_EQ(s["type"], "PROBABILITY") << name;
    EXPECT_GT(s["value"].get<double>(), 0.0) << name;
    EXPECT_LT(s["value"].get<double>(), 1.0) << name;
    EXPECT_FALSE(a.contains("spanScores")) << "spans only when asked for";
  }
  EXPECT_EQ(j["languages"], json::array({"en"}));
  EXPECT_TRUE(j["detectedLanguages"].is_array());
  EXPECT_EQ(j["clientToken"], "abc-123");
}

TEST_F(PerspectiveApiTest, ScoresRiseWithWhatTheAttributeMeans) {
  const json all = {{"TOXICITY", json::object()},
                    {"IDENTITY_ATTACK", json::object()},
                    {"THREAT", json::object()},
                    {"INSULT", json::object()}};
  const json calm = Scores("What a lovely afternoon at the lake with my family.", all);
  const json threat = Scores("I am going to kill you tomorrow, watch your back.", all);
  const json hate = Scores("Muslims are vermin and should be wiped out.", all);
  const json insult = Scores("you are a pathetic stupid idiot", all);
  EXPECT_GT(Value(threat, "THREAT"), Value(calm, "THREAT") + 0.2);
  EXPECT_GT(Value(hate, "IDENTITY_ATTACK"), Value(calm, "IDENTITY_ATTACK") + 0.2);
  EXPECT_GT(Value(insult, "INSULT"), Value(calm, "INSULT") + 0.2);
  for (const json* j : {&threat, &hate, &insult}) {
    EXPECT_GT(Value(*j, "TOXICITY"), Value(calm, "TOXICITY") + 0.2) << j->dump();
  }
  // Under the 0.5 that Perspective's clients commonly act on (docs/perspective.md says how high
  // clean text runs: higher than on Perspective).
  EXPECT_LT(Value(calm, "TOXICITY"), 0.5);
}

TEST_F(PerspectiveApiTest, SpanScoresUseUtf16OffsetsPerSentence) {
  // "🐀" is two UTF-16 units and four bytes: offsets after it differ between the two.
  const std::string text = "\xF0\x9F\x90\x80 Nice to see you. I will kill you.";
  auto r = Analyze({{"comment", {{"text", text}}},
                    {"requestedAttributes", {{"THREAT", json::object()}}},
                    {"spanAnnotations", true}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto spans = json::parse(r->body)["attributeScores"]["THREAT"]["spanScores"];
  ASSERT_EQ(spans.size(), 2u) << spans.dump();
  // "🐀 Nice to see you." is units [0, 19); "I will kill you." is [20, 36).
  EXPECT_EQ(spans[0]["begin"], 0);
  EXPECT_EQ(spans[0]["end"], 19);
  EXPECT_EQ(spans[1]["begin"], 20);
  EXPECT_EQ(spans[1]["end"], 36);
  EXPECT_GT(spans[1]["score"]["value"].get<double>(), spans[0]["score"]["value"].get<double>());
  EXPECT_EQ(spans[1]["score"]["type"], "PROBABILITY");
}

TEST_F(PerspectiveApiTest, ALongCommentHasAtMostTheSpanLimitAndTheLastSpanTakesTheRest) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "Sentence number " + std::to_string(i) + ". ";
  auto r = Analyze({{"comment", {{"text", text}}},
                    {"requestedAttributes", {{"TOXICITY", json::object()}}},
                    {"spanAnnotations", true}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto spans = json::parse(r->body)["attributeScores"]["TOXICITY"]["spanScores"];
  ASSERT_EQ(spans.size(), perspective::kMaxSpans);
  for (size_t i = 1; i < spans.size(); ++i) {
    EXPECT_GT(spans[i]["begin"].get<int>(), spans[i - 1]["end"].get<int>() - 1) << i;
  }
  EXPECT_EQ(spans.back()["end"].get<size_t>(), text.size() - 1);  // ASCII: bytes = units
}

TEST_F(PerspectiveApiTest, ScoreThresholdLeavesOutLowScores) {
  auto r = Analyze({{"comment", {{"text", "What a lovely afternoon at the lake."}}},
                    {"requestedAttributes",
                     {{"THREAT", {{"scoreThreshold", 0.9}}}, {"TOXICITY", json::object()}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body);
  EXPECT_FALSE(j["attributeScores"].contains("THREAT")) << j.dump();
  EXPECT_TRUE(j["attributeScores"].contains("TOXICITY"));
}

TEST_F(PerspectiveApiTest, AttributesAndLanguagesItCannotScoreGetPerspectivesError) {
  const json text = {{"text", "you are an idiot"}};
  auto r = Analyze({{"comment", text}, {"requestedAttributes", {{"SEXUALLY_EXPLICIT", {}}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  auto e = json::parse(r->body);
  EXPECT_EQ(e["error"]["code"], 400);
  EXPECT_EQ(e["error"]["status"], "INVALID_ARGUMENT");
  EXPECT_EQ(ErrorType(e), "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE") << e.dump();
  EXPECT_NE(e["error"]["message"].get<std::string>().find("SEXUALLY_EXPLICIT"), std::string::npos);

  // A requested language other than English, with any attribute.
  r = Analyze(
      {{"comment", text}, {"requestedAttributes", {{"TOXICITY", {}}}}, {"languages", {"de"}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  e = json::parse(r->body);
  EXPECT_EQ(ErrorType(e), "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE") << e.dump();
  EXPECT_EQ(e["error"]["details"][0]["languageNotSupportedByAttributeError"]["attribute"],
            "TOXICITY");

  // No languages given and the text is detected as one the detectors were not built for.
  r = Analyze({{"comment",
                {{"text",
                  "Das ist eine ganz normale Nachricht \xC3\xBC"
                  "ber das Wetter in Berlin und die Stra\xC3\x9F"
                  "enbahn am Morgen."}}},
               {"requestedAttributes", {{"TOXICITY", {}}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  e = json::parse(r->body);
  EXPECT_EQ(ErrorType(e), "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE");
  EXPECT_EQ(e["error"]["details"][0]["languageNotSupportedByAttributeError"]["detectedLanguages"],
            json::array({"de"}));

  // dropUnsupportedAttributes: the unsupported ones are left out instead.
  r = Analyze({{"comment", text},
               {"requestedAttributes", {{"TOXICITY", {}}, {"FLIRTATION", {}}}},
               {"dropUnsupportedAttributes", true}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body);
  EXPECT_TRUE(j["attributeScores"].contains("TOXICITY"));
  EXPECT_FALSE(j["attributeScores"].contains("FLIRTATION"));
}

TEST_F(PerspectiveApiTest, MalformedRequestsNameTheField) {
  struct Case {
    std::string body;
    std::string field;
    std::string error_type;
  };
  const std::string big(perspective::kMaxCommentBytes + 1, 'a');
  const std::vector<Case> cases = {
      {R"({"comment":{"text":""},"requestedAttributes":{"TOXICITY":{}}})", "comment.text",
       "COMMENT_EMPTY"},
      {json({{"comment", {{"text", big}}}, {"requestedAttributes", {{"TOXICITY", {}}}}}).dump(),
       "comment.text", "COMMENT_TOO_LONG"},
      {R"({"comment":{"text":5},"requestedAttributes":{"TOXICITY":{}}})", "comment.text", ""},
      {R"({"requestedAttributes":{"TOXICITY":{}}})", "comment", ""},
      {R"({"comment":{"text":"hi"}})", "requestedAttributes", ""},
      {R"({"comment":{"text":"hi"},"requestedAttributes":{}})", "requestedAttributes", ""},
      {R"({"comment":{"text":"hi"},"requestedAttributes":{"NOPE":{}}})", "requestedAttributes.NOPE",
       ""},
      {R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{"scoreThreshold":2}}})",
       "requestedAttributes.TOXICITY.scoreThreshold", ""},
      {R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{"scoreType":"RAW"}}})",
       "requestedAttributes.TOXICITY.scoreType", ""},
      {R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{}},"languages":"en"})",
       "languages", ""},
      {R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{}},"doNotStore":"yes"})",
       "doNotStore", ""},
      {R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{}},"surprise":1})",
       "surprise", ""},
      {R"({"comment":{"text":"hi","html":true},"requestedAttributes":{"TOXICITY":{}}})",
       "comment.html", ""},
      {R"([1,2])", "body", ""},
  };
  for (const Case& c : cases) {
    auto cl = server_->Client();
    auto r =
        cl.Post(("/v1alpha1/comments:analyze?key=" + key_).c_str(), c.body, "application/json");
    ASSERT_TRUE(r) << c.body.substr(0, 100);
    EXPECT_EQ(r->status, 400) << c.body.substr(0, 100) << " -> " << r->body;
    auto e = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << r->body;
    EXPECT_EQ(e["error"]["status"], "INVALID_ARGUMENT");
    EXPECT_EQ(Field(e), c.field) << c.body.substr(0, 100) << " -> " << r->body;
    EXPECT_EQ(ErrorType(e), c.error_type) << c.body.substr(0, 100);
  }
  // Not JSON at all.
  auto cl = server_->Client();
  auto r =
      cl.Post(("/v1alpha1/comments:analyze?key=" + key_).c_str(), "{not json", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["status"], "INVALID_ARGUMENT");
}

TEST_F(PerspectiveApiTest, TheKeyComesAsAQueryParameterOrABearerHeaderOnThisRouteOnly) {
  const json body = {{"comment", {{"text", "hello"}}}, {"requestedAttributes", {{"TOXICITY", {}}}}};
  auto cl = server_->Client();
  // No key at all.
  auto r = cl.Post("/v1alpha1/comments:analyze", body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(json::parse(r->body)["error"]["status"], "PERMISSION_DENIED");
  // A wrong key.
  r = Analyze(body, "bwk_not_a_real_key");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(json::parse(r->body)["error"]["message"].get<std::string>().find("API key not valid"),
            std::string::npos);
  // The Bearer header.
  r = cl.Post("/v1alpha1/comments:analyze", {{"Authorization", "Bearer " + key_}}, body.dump(),
              "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  // The query parameter authenticates nothing elsewhere.
  r = cl.Post(("/v1/classify?key=" + key_).c_str(), R"({"texts":["hello"]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
  // suggestscore is not supported.
  r = cl.Post(("/v1alpha1/comments:suggestscore?key=" + key_).c_str(), "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
  EXPECT_EQ(json::parse(r->body)["error"]["status"], "UNIMPLEMENTED");
}

TEST(PerspectiveRateLimit, EachKeyHasItsOwnBucketAndGetsGooglesQuotaError) {
  testing::TestServer server({}, /*with_detectors=*/true, [](server::ApiContext* ctx) {
    ctx->perspective_limit = {0.001, 2};  // two requests, then (nearly) none
  });
  const std::string a = server.CreateKey(Role::kPlatform, "a");
  const std::string b = server.CreateKey(Role::kPlatform, "b");
  const std::string body =
      json({{"comment", {{"text", "hello"}}}, {"requestedAttributes", {{"TOXICITY", {}}}}}).dump();
  auto post = [&](const std::string& key) {
    auto c = server.Client();
    return c.Post(("/v1alpha1/comments:analyze?key=" + key).c_str(), body, "application/json");
  };
  for (int i = 0; i < 2; ++i) {
    auto r = post(a);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  auto r = post(a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  auto e = json::parse(r->body);
  EXPECT_EQ(e["error"]["code"], 429);
  EXPECT_EQ(e["error"]["status"], "RESOURCE_EXHAUSTED");
  EXPECT_TRUE(r->has_header("Retry-After"));
  // Another key is not affected.
  r = post(b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace bulwark
