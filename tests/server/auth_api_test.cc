// The staff-account endpoints over real HTTP: login errors and throttling, user management by
// admins, and reviewer sessions confined to their expertise queues.

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "server/web_auth.h"
#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

constexpr char kPassword[] = "correct horse battery";
const char* kJson = "application/json";

class AuthApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_id_ = CreateUser("root", Role::kAdmin);
    root_ = Login("root");
  }

  std::string CreateUser(const std::string& username, Role role,
                         std::vector<std::string> expertise = {}) {
    auth::StaffAccounts accounts(server_.db().users(), {auth::PasswordOptions::Minimal(), {}, {}});
    auth::NewUser n;
    n.username = username;
    n.role = role;
    n.expertise = std::move(expertise);
    n.password = kPassword;
    auto created = accounts.CreateUser(n, WallNowMillis());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->user.id : "";
  }

  httplib::Result PostLogin(const std::string& username, const std::string& password) {
    return server_.Client().Post(
        "/v1/auth/login", json{{"username", username}, {"password", password}}.dump(), kJson);
  }

  // Cookie and CSRF headers of a fresh session.
  httplib::Headers Login(const std::string& username, const std::string& password = kPassword) {
    auto r = PostLogin(username, password);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
    if (!r || r->status != 200) return {};
    std::string cookie = r->get_header_value("Set-Cookie");
    return {{"Cookie", cookie.substr(0, cookie.find(';'))},
            {"X-CSRF-Token", json::parse(r->body)["csrf_token"].get<std::string>()}};
  }

  static json Error(const httplib::Result& r) { return json::parse(r->body)["error"]; }

  testing::TestServer server_;
  std::string root_id_;
  httplib::Headers root_;
};

TEST_F(AuthApiTest, LoginErrorsNameTheFieldButNeverSayWhichCredentialWasWrong) {
  auto c = server_.Client();
  EXPECT_EQ(Error(c.Post("/v1/auth/login", R"({"password":"x"})", kJson))["field"], "username");
  EXPECT_EQ(Error(c.Post("/v1/auth/login", R"({"username":"root"})", kJson))["field"], "password");
  EXPECT_EQ(Error(c.Post("/v1/auth/login", R"({"username":1,"password":"x"})", kJson))["field"],
            "username");
  EXPECT_EQ(Error(c.Post("/v1/auth/login", R"({"username":"root","password":"x","otp":1})",
                         kJson))["field"],
            "otp");
  EXPECT_EQ(
      c.Post("/v1/auth/login", "username=root&password=x", "application/x-www-form-urlencoded")
          ->status,
      415);

  auto wrong = PostLogin("root", "not the password");
  auto unknown = PostLogin("nobody", kPassword);
  ASSERT_EQ(wrong->status, 401);
  ASSERT_EQ(unknown->status, 401);
  EXPECT_EQ(wrong->body, unknown->body);
  EXPECT_EQ(Error(wrong)["message"], "invalid username or password");
  EXPECT_EQ(wrong->get_header_value("Set-Cookie"), "");
}

TEST_F(AuthApiTest, RepeatedFailuresAreAnsweredWith429AndRetryAfter) {
  CreateUser("amira", Role::kAuditor);
  for (int i = 0; i < auth::ThrottleOptions{}.free_failures; ++i) {
    EXPECT_EQ(PostLogin("amira", "wrong password!!")->status, 401) << i;
  }
  auto locked = PostLogin("amira", kPassword);
  EXPECT_EQ(locked->status, 429) << locked->body;
  EXPECT_EQ(Error(locked)["field"], "username");
  int retry = std::stoi(locked->get_header_value("Retry-After"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 60);
  // An admin's password reset lifts the lockout.
  auto reset = server_.Client().Post(
      ("/v1/admin/users/" + server_.db().users().FindUserByUsername("amira")->id + "/password")
          .c_str(),
      root_, json{{"password", "a brand new passphrase"}}.dump(), kJson);
  ASSERT_EQ(reset->status, 200) << reset->body;
  EXPECT_EQ(PostLogin("amira", "a brand new passphrase")->status, 200);
}

TEST_F(AuthApiTest, AdminsCreateListDisableAndResetUsers) {
  auto c = server_.Client();
  auto created = c.Post("/v1/admin/users", root_,
                        R"({"username":"Amira","role":"reviewer","display_name":"Amira K.",)"
                        R"("expertise":["antisemitism","anti_muslim"]})",
                        kJson);
  ASSERT_EQ(created->status, 201) << created->body;
  auto body = json::parse(created->body);
  const std::string id = body["user"]["id"];
  const std::string generated = body["password"];
  EXPECT_EQ(generated.size(), 24u);
  EXPECT_EQ(body["user"]["expertise"], json({"anti_muslim", "antisemitism"}));
  auto amira = Login("amira", generated);
  ASSERT_FALSE(amira.empty());

  // Bad requests name their field.
  auto field_of = [&](const std::string& req) {
    auto r = c.Post("/v1/admin/users", root_, req, kJson);
    EXPECT_GE(r->status, 400);
    EXPECT_LT(r->status, 500);
    return Error(r).value("field", "");
  };
  EXPECT_EQ(field_of(R"({"role":"reviewer"})"), "username");
  EXPECT_EQ(field_of(R"({"username":"a b","role":"reviewer"})"), "username");
  EXPECT_EQ(field_of(R"({"username":"amira","role":"reviewer"})"), "username");  // 409
  EXPECT_EQ(field_of(R"({"username":"z","role":"emperor"})"), "role");
  EXPECT_EQ(field_of(R"({"username":"z","role":"platform"})"), "role");
  EXPECT_EQ(field_of(R"({"username":"z","role":"reviewer","expertise":"x"})"), "expertise");
  EXPECT_EQ(field_of(R"({"username":"z","role":"reviewer","expertise":["ok","NO"]})"),
            "expertise[1]");
  EXPECT_EQ(field_of(R"({"username":"z","role":"reviewer","password":"short"})"), "password");
  EXPECT_EQ(field_of(R"({"username":"z","role":"reviewer","admin":true})"), "admin");
  EXPECT_EQ(
      c.Post("/v1/admin/users", root_, R"({"username":"AMIRA","role":"auditor"})", kJson)->status,
      409);

  auto list = c.Get("/v1/admin/users", root_);
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(list->body.find("argon2"), std::string::npos) << "hashes never leave the server";
  auto users = json::parse(list->body)["users"];
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0]["username"], "Amira");
  EXPECT_EQ(users[1]["username"], "root");

  // Password reset: a new generated password, the old sessions end.
  auto reset = c.Post(("/v1/admin/users/" + id + "/password").c_str(), root_, "", kJson);
  ASSERT_EQ(reset->status, 200) << reset->body;
  const std::string second = json::parse(reset->body)["password"];
  EXPECT_NE(second, generated);
  EXPECT_EQ(c.Get("/v1/auth/me", amira)->status, 401);
  EXPECT_EQ(PostLogin("amira", generated)->status, 401);
  EXPECT_EQ(PostLogin("amira", second)->status, 200);

  auto disabled = c.Post(("/v1/admin/users/" + id + "/disable").c_str(), root_, "", kJson);
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_EQ(c.Post(("/v1/admin/users/" + id + "/disable").c_str(), root_, "", kJson)->status, 200);
  EXPECT_EQ(PostLogin("amira", second)->status, 401);

  auto unknown = c.Post("/v1/admin/users/nope/disable", root_, "", kJson);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Error(unknown)["field"], "id");
  EXPECT_EQ(Error(c.Post("/v1/admin/users/nope/password", root_, "", kJson))["field"], "id");
  // An admin cannot lock themselves out.
  auto self = c.Post(("/v1/admin/users/" + root_id_ + "/disable").c_str(), root_, "", kJson);
  EXPECT_EQ(self->status, 422);
  EXPECT_EQ(Error(self)["field"], "id");
}

TEST_F(AuthApiTest, MeDescribesAnApiKeyCaller) {
  std::string key = server_.CreateKey(Role::kAuditor);
  auto r = server_.Client().Get("/v1/auth/me", {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(r->status, 200);
  auto j = json::parse(r->body);
  EXPECT_EQ(j["authenticated_by"], "api_key");
  EXPECT_EQ(j["role"], "auditor");
  EXPECT_EQ(j["key_id"], key.substr(4, 12));
  // Logout is for sessions.
  auto out =
      server_.Client().Post("/v1/auth/logout", {{"Authorization", "Bearer " + key}}, "", kJson);
  EXPECT_EQ(out->status, 400);
  EXPECT_EQ(Error(out)["field"], "Authorization");
}

TEST_F(AuthApiTest, ReviewerSessionsSeeAndClaimOnlyTheirExpertiseQueues) {
  auto ingest = server_.Client().Post(
      "/v1/items", {{"Authorization", "Bearer " + server_.CreateKey(Role::kPlatform)}},
      R"({"items":[{"id":"a","author_id":"u","text":"one","created_at":"2026-01-01T00:00:00Z"},)"
      R"({"id":"b","author_id":"u","text":"two","created_at":"2026-01-01T00:00:00Z"}]})",
      kJson);
  ASSERT_EQ(ingest->status, 200) << ingest->body;
  std::vector<Decision> ds(2);
  ds[0].item_id = "a";
  ds[1].item_id = "b";
  for (auto& d : ds) {
    d.item_revision = 1;
    d.action = ActionType::kReview;
    d.category = "hate";
  }
  std::vector<store::ReviewRequest> reviews = {{0, "antisemitism", 5}, {1, "misogyny", 5}};
  ASSERT_TRUE(server_.db().enforcement().RecordEnforcement(ds, reviews, {}).ok());

  const std::string amira_id = CreateUser("amira", Role::kReviewer, {"antisemitism"});
  auto amira = Login("amira");
  auto c = server_.Client();
  auto queues = json::parse(c.Get("/v1/review/queues", amira)->body)["queues"];
  ASSERT_EQ(queues.size(), 1u) << queues;
  EXPECT_EQ(queues[0]["queue"], "antisemitism");
  // Admins see every queue (read-only figures), the two with cases among them.
  auto all = json::parse(c.Get("/v1/review/queues", root_)->body)["queues"];
  std::set<std::string> names;
  for (const auto& q : all) names.insert(q["queue"].get<std::string>());
  EXPECT_TRUE(names.contains("antisemitism") && names.contains("misogyny")) << all;

  auto outside = c.Post("/v1/review/queues/misogyny/claim", amira, "{}", kJson);
  EXPECT_EQ(outside->status, 403);
  EXPECT_EQ(Error(outside)["field"], "queue");
  auto claim = c.Post("/v1/review/queues/antisemitism/claim", amira, "{}", kJson);
  ASSERT_EQ(claim->status, 200) << claim->body;
  auto the_case = json::parse(claim->body)["case"];
  EXPECT_EQ(the_case["claimed_by"], "user:" + amira_id);
  auto decided = c.Post(
      ("/v1/review/cases/" + std::to_string(the_case["id"].get<int>()) + "/decision").c_str(),
      amira, R"({"action":"remove","reason_code":"hate.attack"})", kJson);
  ASSERT_EQ(decided->status, 200) << decided->body;
  EXPECT_EQ(json::parse(decided->body)["decision"]["actor"], "reviewer:user:" + amira_id);
}

// An Api on its own database, with one admin "root", for cookie tests that call Handle().
class CookieModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(store::OpenDatabase("sqlite:" + dir_.File("cookies.db"), {})).value();
    ingest_ =
        std::make_unique<ingest::IngestService>(*db_, ingest::IngestOptions{}, clock_, nullptr);
  }
  std::unique_ptr<server::Api> MakeApi(bool secure, std::string login_csrf_key = "") {
    server::ApiContext ctx{db_.get(), ingest_.get(), nullptr, &clock_, "test"};
    ctx.auth.passwords = auth::PasswordOptions::Minimal();
    ctx.secure_cookies = secure;
    ctx.login_csrf_key = std::move(login_csrf_key);
    auto api = std::make_unique<server::Api>(ctx);
    auth::StaffAccounts accounts(db_->users(), ctx.auth);
    auth::NewUser n;
    n.username = "root";
    n.role = Role::kAdmin;
    n.password = kPassword;
    (void)accounts.CreateUser(n, clock_.NowMillis());  // AlreadyExists on the second Api
    return api;
  }
  static std::vector<std::string> SetCookies(const server::HttpResponse& r) {
    std::vector<std::string> out;
    for (const auto& [k, v] : r.headers) {
      if (k == "Set-Cookie") out.push_back(v);
    }
    return out;
  }
  static server::HttpResponse JsonLogin(server::Api& api) {
    server::HttpRequest login;
    login.method = "POST";
    login.path = "/v1/auth/login";
    login.content_type = kJson;
    login.body = json{{"username", "root"}, {"password", kPassword}}.dump();
    return api.Handle(login);
  }
  // GET /console/login with `cookie`; returns the login CSRF token the page set.
  static std::string LoginFormToken(server::Api& api, const std::string& cookie,
                                    const std::string& name) {
    server::HttpRequest get;
    get.method = "GET";
    get.path = "/console/login";
    get.cookie = cookie;
    server::HttpResponse r = api.Handle(get);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const std::string& c : SetCookies(r)) {
      if (c.rfind(name + "=", 0) == 0)
        return c.substr(name.size() + 1, c.find(';') - name.size() - 1);
    }
    ADD_FAILURE() << "no " << name << " cookie";
    return "";
  }
  static server::HttpResponse FormLogin(server::Api& api, const std::string& cookie,
                                        const std::string& form_token) {
    server::HttpRequest post;
    post.method = "POST";
    post.path = "/console/login";
    post.content_type = "application/x-www-form-urlencoded";
    post.cookie = cookie;
    post.body = "username=root&password=correct+horse+battery&csrf_token=" + form_token;
    return api.Handle(post);
  }

  testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<ingest::IngestService> ingest_;
};

TEST_F(CookieModeTest, SecureByDefaultWithTheHostPrefixAndBareOnlyOnInsecureHttp) {
  EXPECT_TRUE(server::ApiContext{}.secure_cookies) << "cookies are Secure unless told otherwise";
  auto secure = MakeApi(true);
  auto r = JsonLogin(*secure);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(SetCookies(r).size(), 1u);
  const std::string cookie = SetCookies(r)[0];
  EXPECT_EQ(cookie.rfind("__Host-bulwark_session=", 0), 0u) << cookie;
  for (const char* attribute : {"; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/;"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " in " << cookie;
  }
  EXPECT_EQ(cookie.find("Domain"), std::string::npos) << cookie;

  auto plain = MakeApi(false);
  auto p = JsonLogin(*plain);
  ASSERT_EQ(p.status, 200) << p.body;
  const std::string bare = SetCookies(p).at(0);
  EXPECT_EQ(bare.rfind("bulwark_session=", 0), 0u) << bare;
  EXPECT_EQ(bare.find("Secure"), std::string::npos) << bare;
}

TEST_F(CookieModeTest, TheSignInFormReusesOnlyTokensThisServerIssued) {
  auto api = MakeApi(true, "key-one");
  const std::string name = "__Host-bulwark_login_csrf";
  const std::string issued = LoginFormToken(*api, "", name);
  ASSERT_EQ(issued.size(), 64u);
  // A returning browser keeps its token.
  EXPECT_EQ(LoginFormToken(*api, name + "=" + issued, name), issued);
  // A planted token (well formed, but not issued here) is replaced...
  const std::string planted(64, 'a');
  EXPECT_NE(LoginFormToken(*api, name + "=" + planted, name), planted);
  // ...and a form that presents it, cookie and field alike, is refused before the password is
  // looked at: the planter cannot sign the victim into the planter's account.
  auto forged = FormLogin(*api, name + "=" + planted, planted);
  EXPECT_EQ(forged.status, 400) << forged.body;
  EXPECT_NE(forged.body.find("expired"), std::string::npos);
  // Another server's token is not this server's either.
  auto other = MakeApi(true, "key-two");
  EXPECT_EQ(FormLogin(*other, name + "=" + issued, issued).status, 400);
  // The issued token signs in; the session cookie carries the prefix, the form cookie is cleared.
  auto ok = FormLogin(*api, name + "=" + issued, issued);
  EXPECT_EQ(ok.status, 303) << ok.body;
  bool session = false, cleared = false;
  for (const std::string& c : SetCookies(ok)) {
    session |=
        c.rfind("__Host-bulwark_session=", 0) == 0 && c.find("; Secure") != std::string::npos;
    cleared |= c.rfind(name + "=;", 0) == 0 && c.find("Max-Age=0") != std::string::npos;
  }
  EXPECT_TRUE(session);
  EXPECT_TRUE(cleared);
}

TEST(WebAuth, CookiesFormsAndCsrfTokensAreParsedStrictly) {
  server::HttpRequest req;
  req.cookie = "theme=dark; bulwark_session=abc123 ; other=1";
  EXPECT_EQ(server::CookieValue(req, "bulwark_session"), "abc123");
  EXPECT_EQ(server::CookieValue(req, "missing"), std::nullopt);
  req.cookie = "xbulwark_session=evil";
  EXPECT_EQ(server::CookieValue(req, "bulwark_session"), std::nullopt);

  auto form = server::ParseForm("a=1&b=hello+world%21&empty=&flag");
  ASSERT_TRUE(form.ok());
  ASSERT_EQ(form->size(), 4u);
  EXPECT_EQ((*form)[1].second, "hello world!");
  EXPECT_EQ((*form)[2].second, "");
  EXPECT_EQ((*form)[3].first, "flag");
  EXPECT_EQ(server::ParseForm("a=%zz").status().field(), "body");
  EXPECT_EQ(server::ParseForm("a=%4").status().field(), "body");

  const std::string token(64, 'c');
  server::HttpRequest post;
  post.method = "POST";
  post.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  post.body = "note=hi&csrf_token=" + token;
  EXPECT_TRUE(server::CheckCsrf(post, token).ok());
  post.body = "note=hi";
  EXPECT_EQ(server::CheckCsrf(post, token).field(), "csrf_token");
  post.headers.emplace_back("x-csrf-token", token);  // header names are case-insensitive
  EXPECT_TRUE(server::CheckCsrf(post, token).ok());
  // A JSON body's "csrf_token" is not read: JSON clients use the header.
  server::HttpRequest json_post;
  json_post.method = "POST";
  json_post.content_type = kJson;
  json_post.body = R"({"csrf_token":")" + token + "\"}";
  EXPECT_FALSE(server::CheckCsrf(json_post, token).ok());
}

}  // namespace
}  // namespace bulwark
