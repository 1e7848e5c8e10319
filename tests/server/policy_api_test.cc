// The policy lifecycle over HTTP: role checks per step (403), precise 4xx errors naming the
// field, the backtest summary on submission and the activation in the decision log.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

std::string DefaultText() {
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Versioned(const std::string& version) {
  std::string text = DefaultText();
  const std::string line = "version = 1.0.0";
  return text.replace(text.find(line), line.size(), "version = " + version);
}

class PolicyApiTest : public ::testing::Test {
 protected:
  PolicyApiTest() : server_({}, /*with_detectors=*/true) {}
  void SetUp() override {
    author_ = server_.CreateKey(Role::kPolicyAuthor, "alice");
    civil_rights_ = server_.CreateKey(Role::kCivilRights, "carol");
    admin_ = server_.CreateKey(Role::kAdmin, "dave");
    platform_ = server_.CreateKey(Role::kPlatform, "acme");
    auditor_ = server_.CreateKey(Role::kAuditor, "audrey");
    std::vector<Item> items = {testing::MakeItem("t", "I am going to kill you and your family"),
                               testing::MakeItem("n", "Lovely weather for the picnic today")};
    ASSERT_TRUE(server_.db().items().UpsertItems(items, 1).ok());
  }
  httplib::Result Post(const std::string& path, const json& body, const std::string& key) {
    return server_.Client().Post(path.c_str(), {{"Authorization", "Bearer " + key}}, body.dump(),
                                 "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& key) {
    return server_.Client().Get(path.c_str(), {{"Authorization", "Bearer " + key}});
  }
  static json Body(const httplib::Result& r) {
    auto j = json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r->body;
    return j;
  }
  static std::string KeyId(const std::string& token) { return token.substr(4, 12); }
  // Drafts `text` as alice; returns the version id.
  std::int64_t Draft(const std::string& text) {
    auto r = Post("/v1/policies", {{"text", text}}, author_);
    EXPECT_EQ(r->status, 201) << r->body;
    return Body(r)["policy"]["id"].get<std::int64_t>();
  }
  std::string Path(std::int64_t id, const std::string& step = "") {
    return "/v1/policies/" + std::to_string(id) + (step.empty() ? "" : "/" + step);
  }

  testing::TestServer server_;
  std::string author_, civil_rights_, admin_, platform_, auditor_;
};

TEST_F(PolicyApiTest, DraftSubmitSignOffActivateWithTheRightRoles) {
  auto created = Post("/v1/policies", {{"text", Versioned("2.0.0")}, {"comment", "v2"}}, author_);
  ASSERT_EQ(created->status, 201) << created->body;
  json draft = Body(created);
  const std::int64_t id = draft["policy"]["id"];
  EXPECT_EQ(draft["policy"]["state"], "draft");
  EXPECT_EQ(draft["policy"]["policy_version"], "default@2.0.0");
  EXPECT_EQ(draft["policy"]["author"], KeyId(author_));  // the caller's actor
  EXPECT_TRUE(draft["lint"].is_array());

  EXPECT_EQ(Post(Path(id, "submit"), json::object(), civil_rights_)->status, 403);
  auto submitted = Post(Path(id, "submit"), json::object(), author_);
  ASSERT_EQ(submitted->status, 200) << submitted->body;
  json s = Body(submitted);
  EXPECT_EQ(s["policy"]["state"], "in_review");
  EXPECT_EQ(s["backtest"]["items"], 2);
  EXPECT_TRUE(s["backtest"]["against"].is_null());  // nothing was active
  EXPECT_TRUE(s["backtest"]["changes"].is_array());

  // Only a civil-rights officer signs off: 403 for everyone else, and nothing changes.
  for (const std::string& key : {author_, admin_, platform_, auditor_}) {
    auto denied = Post(Path(id, "approve"), json::object(), key);
    EXPECT_EQ(denied->status, 403) << denied->body;
    EXPECT_EQ(Body(denied)["error"]["code"], "permission_denied");
  }
  EXPECT_EQ(Body(Get(Path(id), admin_))["policy"]["state"], "in_review");
  auto approved = Post(Path(id, "approve"), {{"comment", "reviewed by group"}}, civil_rights_);
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(Body(approved)["policy"]["approved_by"], KeyId(civil_rights_));

  EXPECT_EQ(Post(Path(id, "activate"), json::object(), author_)->status, 403);
  auto activated = Post(Path(id, "activate"), json::object(), admin_);
  ASSERT_EQ(activated->status, 200) << activated->body;
  json a = Body(activated);
  EXPECT_EQ(a["policy"]["state"], "active");
  EXPECT_TRUE(a["retired"].is_null());
  EXPECT_EQ(a["decision"]["action"], "activate_policy");
  EXPECT_EQ(a["decision"]["actor"], "admin:" + KeyId(admin_));

  // The full record: text, backtest, history; the list; the decisions feed.
  auto full = Body(Get(Path(id), auditor_));
  EXPECT_EQ(full["policy"]["text"], Versioned("2.0.0"));
  EXPECT_EQ(full["policy"]["backtest"]["items"], 2);
  ASSERT_EQ(full["policy"]["history"].size(), 4u);
  EXPECT_TRUE(full["policy"]["history"][0]["from"].is_null());
  EXPECT_EQ(full["policy"]["history"][0]["comment"], "v2");
  EXPECT_EQ(full["policy"]["history"][2]["role"], "civil_rights");
  EXPECT_EQ(full["policy"]["history"][3]["to"], "active");
  auto list = Body(Get("/v1/policies", civil_rights_));
  ASSERT_EQ(list["policies"].size(), 1u);
  EXPECT_FALSE(list["policies"][0].contains("text"));
  auto feed = Body(Get("/v1/decisions?after=0", platform_));
  ASSERT_EQ(feed["decisions"].size(), 1u);
  EXPECT_EQ(feed["decisions"][0]["action"], "activate_policy");
  EXPECT_EQ(feed["decisions"][0]["item_id"], "");
  EXPECT_EQ(feed["decisions"][0]["evidence"]["approved_by"], KeyId(civil_rights_));

  // The next activation retires this one.
  const std::int64_t next = Draft(Versioned("2.1.0"));
  ASSERT_EQ(Post(Path(next, "submit"), json::object(), admin_)->status, 200);
  ASSERT_EQ(Post(Path(next, "approve"), json::object(), civil_rights_)->status, 200);
  auto second = Post(Path(next, "activate"), {{"comment", "minor"}}, civil_rights_);
  ASSERT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(Body(second)["retired"]["id"], id);
  EXPECT_EQ(Body(second)["retired"]["state"], "retired");
  EXPECT_EQ(Body(Get(Path(id), admin_))["policy"]["state"], "retired");
}

TEST_F(PolicyApiTest, ReadsAreForStaffRolesOnly) {
  EXPECT_EQ(Get("/v1/policies", platform_)->status, 403);
  EXPECT_EQ(Get("/v1/policies", auditor_)->status, 200);
  EXPECT_EQ(Post("/v1/policies", {{"text", Versioned("3.0.0")}}, civil_rights_)->status, 403);
  EXPECT_EQ(Post("/v1/policies", {{"text", Versioned("3.0.0")}}, platform_)->status, 403);
  EXPECT_EQ(server_.Client().Get("/v1/policies")->status, 401);
}

TEST_F(PolicyApiTest, ClientMistakesArePreciseErrors) {
  auto expect_error = [&](const httplib::Result& r, int status, const std::string& code,
                          const std::string& field) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    json e = Body(r)["error"];
    EXPECT_EQ(e["code"], code) << r->body;
    if (field.empty()) {
      EXPECT_FALSE(e.contains("field")) << r->body;
    } else {
      EXPECT_EQ(e.value("field", ""), field) << r->body;
    }
  };
  expect_error(Post("/v1/policies", json::object(), author_), 400, "invalid_argument", "text");
  expect_error(Post("/v1/policies", {{"text", 5}}, author_), 400, "invalid_argument", "text");
  expect_error(Post("/v1/policies", {{"text", "x"}, {"owner", "me"}}, author_), 400,
               "invalid_argument", "owner");
  // A text that does not parse: the field is the body field and the line within it.
  std::string bad = DefaultText();
  bad.replace(bad.find("category    = threat\n"), 21, "category    = threats\n");
  auto r = Post("/v1/policies", {{"text", bad}}, author_);
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(Body(r)["error"]["field"].get<std::string>().rfind("text:", 0), 0u) << r->body;

  const std::int64_t id = Draft(Versioned("4.0.0"));
  expect_error(Post("/v1/policies", {{"text", Versioned("4.0.0")}}, author_), 409, "already_exists",
               "");
  expect_error(Post(Path(id, "approve"), json::object(), civil_rights_), 422, "failed_precondition",
               "state");
  expect_error(Post(Path(id, "activate"), json::object(), admin_), 422, "failed_precondition",
               "state");
  expect_error(Get("/v1/policies/abc", admin_), 400, "invalid_argument", "id");
  expect_error(Get("/v1/policies/999", admin_), 404, "not_found", "");
  expect_error(Post(Path(999, "submit"), json::object(), author_), 404, "not_found", "");
  expect_error(Post(Path(id, "submit"), {{"comment", 7}}, author_), 400, "invalid_argument",
               "comment");
  ASSERT_EQ(Post(Path(id, "submit"), json::object(), author_)->status, 200);
  expect_error(Post(Path(id, "reject"), json::object(), civil_rights_), 400, "invalid_argument",
               "comment");
  auto rejected = Post(Path(id, "reject"), {{"comment", "too loose"}}, civil_rights_);
  ASSERT_EQ(rejected->status, 200) << rejected->body;
  EXPECT_EQ(Body(rejected)["policy"]["state"], "rejected");

  // A politician exemption: the draft is stored with its lint errors, submission is refused.
  std::string exempt = Versioned("5.0.0") +
                       "\n[rule threat.politicians_exempt]\ncategory = threat\nscore >= 0.5\n"
                       "author_is_public_figure = true\naction = none\nreason_code = newsworthy\n"
                       "reason = Public figures may say this\n";
  auto drafted = Post("/v1/policies", {{"text", exempt}}, author_);
  ASSERT_EQ(drafted->status, 201) << drafted->body;
  bool lint_error = false;
  const json draft_body = Body(drafted);
  for (const json& f : draft_body["lint"]) lint_error = lint_error || f["severity"] == "error";
  EXPECT_TRUE(lint_error) << drafted->body;
  auto refused = Post(Path(draft_body["policy"]["id"], "submit"), json::object(), author_);
  EXPECT_EQ(refused->status, 422) << refused->body;
  EXPECT_EQ(Body(refused)["error"]["field"].get<std::string>().rfind("text:", 0), 0u);
}

}  // namespace
}  // namespace bulwark
