// The policy lifecycle over HTTP: role checks per step (403), precise 4xx errors naming the
// field, the backtest summary on submission and the activation in the decision log.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "enforce/backtest_jobs.h"
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

// The review's hole (issue 9, item 4): an admin creates (or resets) a civil-rights account with a
// password the admin chose, signs in as it and approves. A sign-off now needs a password its
// owner chose, and every account change is in the hash-chained log.
TEST_F(PolicyApiTest, AnAdminCannotSignOffThroughACivilRightsAccountWhosePasswordTheySet) {
  auto c = server_.Client();
  const std::string admin_pw = "admin password one", set_pw = "chosen by the admin";
  // An admin session (the admin chose their own password on the command line... then changed it,
  // so it is theirs).
  auth::StaffAccounts accounts(server_.db().users(), {auth::PasswordOptions::Minimal(), {}, {}});
  auth::NewUser root;
  root.username = "root";
  root.role = Role::kAdmin;
  root.password = admin_pw;
  auto root_user = accounts.CreateUser(root, WallNowMillis());
  ASSERT_TRUE(root_user.ok());
  auto login = [&](const std::string& user,
                   const std::string& pw) -> std::pair<std::string, std::string> {
    auto r = c.Post("/v1/auth/login", json{{"username", user}, {"password", pw}}.dump(),
                    "application/json");
    EXPECT_EQ(r->status, 200) << user << ": " << r->body;
    if (r->status != 200) return {};
    std::string cookie = r->get_header_value("Set-Cookie");
    return {cookie.substr(0, cookie.find(';')), Body(r)["csrf_token"].get<std::string>()};
  };
  auto session_post = [&](const std::pair<std::string, std::string>& s, const std::string& path,
                          const json& body) {
    return c.Post(path.c_str(), {{"Cookie", s.first}, {"X-CSRF-Token", s.second}}, body.dump(),
                  "application/json");
  };
  auto admin = login("root", admin_pw);

  // The admin makes a civil-rights account with a password of the admin's choosing.
  auto made = session_post(admin, "/v1/admin/users",
                           {{"username", "carla"}, {"role", "civil_rights"}, {"password", set_pw}});
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string carla_id = Body(made)["user"]["id"];
  EXPECT_EQ(Body(made)["user"]["password_set_by_owner"], false);

  // A version in review, drafted by alice.
  const std::int64_t id = Draft(Versioned("3.0.0"));
  ASSERT_EQ(Post(Path(id, "submit"), json::object(), author_)->status, 200);

  // Signed in as carla with the admin's password: the sign-off is refused, naming the setter.
  auto as_admin = login("carla", set_pw);
  auto refused = session_post(as_admin, Path(id, "approve"), json::object());
  ASSERT_EQ(refused->status, 403) << refused->body;
  EXPECT_EQ(Body(refused)["error"]["field"], "actor");
  EXPECT_NE(refused->body.find("user:" + root_user->user.id), std::string::npos) << refused->body;

  // Carla chooses her own password: a wrong current one is a 401 naming it, a weak new one a 400.
  auto wrong = session_post(as_admin, "/v1/auth/password",
                            {{"current_password", "not it at all"}, {"new_password", "x"}});
  EXPECT_EQ(wrong->status, 400) << wrong->body;  // the new one is checked first
  EXPECT_EQ(Body(wrong)["error"]["field"], "new_password");
  wrong = session_post(
      as_admin, "/v1/auth/password",
      {{"current_password", "not it at all"}, {"new_password", "her own long phrase"}});
  EXPECT_EQ(wrong->status, 401) << wrong->body;
  EXPECT_EQ(Body(wrong)["error"]["field"], "current_password");
  auto changed =
      session_post(as_admin, "/v1/auth/password",
                   {{"current_password", set_pw}, {"new_password", "her own long phrase"}});
  ASSERT_EQ(changed->status, 200) << changed->body;
  EXPECT_NE(changed->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  // Every session ended, this one too.
  EXPECT_EQ(c.Get("/v1/auth/me", {{"Cookie", as_admin.first}})->status, 401);

  auto own = login("carla", "her own long phrase");
  auto approved = session_post(own, Path(id, "approve"), {{"comment", "read the backtest"}});
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(Body(approved)["policy"]["approved_by"], carla_id);

  // An admin reset puts the account back behind the gate.
  auto reset = session_post(admin, "/v1/admin/users/" + carla_id + "/password",
                            {{"password", "reset by the admin"}});
  ASSERT_EQ(reset->status, 200) << reset->body;
  const std::int64_t id2 = Draft(Versioned("3.0.1"));
  ASSERT_EQ(Post(Path(id2, "submit"), json::object(), author_)->status, 200);
  auto after_reset = login("carla", "reset by the admin");
  EXPECT_EQ(session_post(after_reset, Path(id2, "approve"), json::object())->status, 403);

  // The log holds every account change, by whom, about which user id.
  auto feed = Get("/v1/decisions?limit=1000", admin_);
  ASSERT_EQ(feed->status, 200);
  const json log = Body(feed);
  std::vector<std::pair<std::string, std::string>> changes;  // (change, actor) about carla
  for (const auto& d : log["decisions"]) {
    if (d["action"] != "account" || d["evidence"]["user_id"] != carla_id) continue;
    EXPECT_EQ(d["item_id"], "");
    changes.emplace_back(d["evidence"]["change"], d["actor"]);
  }
  const std::string by_root = "user:" + root_user->user.id, by_carla = "user:" + carla_id;
  EXPECT_EQ(changes, (std::vector<std::pair<std::string, std::string>>{
                         {"created", by_root},
                         {"password_changed_by_owner", by_carla},
                         {"password_set", by_root}}));
}

// With the background runner (as `serve` runs): submit answers 202 at once with the backtest
// pending, approval is refused while it runs, GET shows the result when it is done.
TEST(PolicyApiBackground, SubmitAnswersAtOnceAndTheBacktestRunsInTheBackground) {
  std::unique_ptr<enforce::BacktestJobs> jobs;
  testing::TestServer server({}, /*with_detectors=*/true, [&jobs](server::ApiContext* ctx) {
    jobs = std::make_unique<enforce::BacktestJobs>(*ctx->db, *ctx->clock, *ctx->detector);
    ctx->backtest_jobs = jobs.get();
  });
  const std::string author = server.CreateKey(Role::kPolicyAuthor, "alice");
  const std::string officer = server.CreateKey(Role::kCivilRights, "carol");
  std::vector<Item> items = {testing::MakeItem("t", "I am going to kill you and your family"),
                             testing::MakeItem("n", "Lovely weather for the picnic today")};
  ASSERT_TRUE(server.db().items().UpsertItems(items, 1).ok());
  auto post = [&](const std::string& path, const std::string& key) {
    return server.Client().Post(path.c_str(), {{"Authorization", "Bearer " + key}}, "{}",
                                "application/json");
  };
  auto created =
      server.Client().Post("/v1/policies", {{"Authorization", "Bearer " + author}},
                           json{{"text", Versioned("3.0.0")}}.dump(), "application/json");
  ASSERT_EQ(created->status, 201) << created->body;
  const std::int64_t id = json::parse(created->body)["policy"]["id"];
  const std::string path = "/v1/policies/" + std::to_string(id);

  auto submitted = post(path + "/submit", author);
  ASSERT_EQ(submitted->status, 202) << submitted->body;
  json s = json::parse(submitted->body);
  EXPECT_EQ(s["policy"]["state"], "in_review");
  EXPECT_EQ(s["backtest"]["state"], "running");
  EXPECT_EQ(s["backtest"]["items_scanned"], 0);

  jobs->WaitIdle();
  auto full = server.Client().Get(path.c_str(), {{"Authorization", "Bearer " + officer}});
  ASSERT_EQ(full->status, 200);
  json bt = json::parse(full->body)["policy"]["backtest"];
  EXPECT_EQ(bt["state"], "done");
  EXPECT_EQ(bt["items"], 2);
  auto approved = post(path + "/approve", officer);
  EXPECT_EQ(approved->status, 200) << approved->body;
  jobs.reset();
}

}  // namespace
}  // namespace bulwark
