// POST /v1/classify, GET /v1/version and detector reload, against the shipped data/ (lexicon,
// claims, model) loaded once for the whole suite.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

class ClassifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::TestServer({}, /*with_detectors=*/true); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (key_.empty()) key_ = server_->CreateKey(Role::kPlatform, "classify");
  }
  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& key = "") {
    auto c = server_->Client();
    return c.Post(path.c_str(), {{"Authorization", "Bearer " + (key.empty() ? key_ : key)}}, body,
                  "application/json");
  }

  static testing::TestServer* server_;
  static std::string key_;
};
testing::TestServer* ClassifyTest::server_ = nullptr;
std::string ClassifyTest::key_;

TEST_F(ClassifyTest, VerdictsCarryScoresLabelsEvidenceAndVersions) {
  auto r = Post("/v1/classify",
                R"({"texts":["I am going to kill you tomorrow","What a lovely day at the lake"]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body);
  ASSERT_EQ(j["results"].size(), 2u);
  const json& threat = j["results"][0];
  const json& calm = j["results"][1];
  // Whatever the exact format, a verdict has per-category scores and versions.
  std::string t = threat.dump(), c = calm.dump();
  EXPECT_NE(t.find("threat"), std::string::npos) << t;
  EXPECT_FALSE(j["versions"]["lexicon"].get<std::string>().empty());
  EXPECT_FALSE(j["versions"]["model"].get<std::string>().empty());
  EXPECT_NE(t, c);
}

// The body is written directly (detect::AppendVerdictJson); it must say exactly what the
// verdict's JSON form says, texts with quotes, control characters and non-ASCII included.
TEST_F(ClassifyTest, TheDirectlyWrittenBodyEqualsTheVerdictJson) {
  const std::vector<std::string> texts = {"Muslims are vermin.", "I will \"kill\" you\n\ttoday",
                                          "caf\u00e9 \u00fc", "🐀🐀 jews", "plain"};
  std::string body = R"({"texts":[)";
  for (size_t i = 0; i < texts.size(); ++i) {
    body += (i ? "," : "") + json(texts[i]).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  body += "]}";
  auto r = Post("/v1/classify", body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body);
  auto detector = server_->detector().Get();
  ASSERT_TRUE(detector);
  ASSERT_EQ(j["results"].size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string sent =
        json::parse(json(texts[i]).dump(-1, ' ', false, json::error_handler_t::replace))
            .get<std::string>();
    EXPECT_EQ(j["results"][i], detect::VerdictToJson(detector->Classify(sent))) << sent;
  }
}

TEST_F(ClassifyTest, BadRequestsNameTheField) {
  auto empty = Post("/v1/classify", R"({"texts":[]})");
  EXPECT_EQ(empty->status, 400);
  std::string many = R"({"texts":[)";
  for (int i = 0; i < 101; ++i) many += std::string(i ? "," : "") + "\"t\"";
  many += "]}";
  auto too_many = Post("/v1/classify", many);
  EXPECT_EQ(too_many->status, 413);
  EXPECT_EQ(json::parse(too_many->body)["error"]["field"], "texts");
  auto wrong = Post("/v1/classify", R"({"texts":["ok", 3]})");
  EXPECT_EQ(json::parse(wrong->body)["error"]["field"], "texts[1]");
  EXPECT_EQ(
      server_->Client().Post("/v1/classify", R"({"texts":["a"]})", "application/json")->status,
      401);
}

TEST_F(ClassifyTest, HostileTextsGetWellDefinedVerdicts) {
  std::string zw;
  for (int i = 0; i < 1000; ++i) zw += "\u200b";
  json body = {{"texts",
                {"", std::string(10000, 'a'), zw, "😀😀😀", "مرحبا بالعالم", "шалом mixed ｆｕｌｌ",
                 std::string(1u << 20, 'x')}}};
  auto r = Post("/v1/classify", body.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
  EXPECT_EQ(json::parse(r->body)["results"].size(), 7u);
}

TEST_F(ClassifyTest, VersionIsPublicAndReloadIsAdminOnly) {
  auto v = server_->Client().Get("/v1/version");
  ASSERT_EQ(v->status, 200);
  auto j = json::parse(v->body);
  EXPECT_TRUE(j["detectors"].is_object());
  EXPECT_EQ(Post("/v1/admin/reload-detectors", "{}")->status, 403);
  std::string admin = server_->CreateKey(Role::kAdmin, "admin");
  auto r = Post("/v1/admin/reload-detectors", "{}", admin);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(json::parse(r->body)["reloaded"].get<bool>());
  // Still serving after the swap.
  EXPECT_EQ(Post("/v1/classify", R"({"texts":["hello"]})")->status, 200);
}

TEST(ClassifyWithoutDetectors, AnswersUnavailable) {
  testing::TestServer server;
  std::string key = server.CreateKey(Role::kPlatform);
  auto c = server.Client();
  auto r = c.Post("/v1/classify", {{"Authorization", "Bearer " + key}}, R"({"texts":["a"]})",
                  "application/json");
  EXPECT_EQ(r->status, 503);
}

}  // namespace
}  // namespace bulwark
