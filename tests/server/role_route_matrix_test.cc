// The role x route matrix: for every route the server has, who may call it. The table below is
// the specification; the test fails for any route it does not classify, so every new route
// must be given its access rule here. Every principal is tried on every route over real HTTP:
// anonymous, a malformed key and cookie, an API key of each role and a logged-in staff user of
// each staff role (with the right CSRF token, so that only the role decides).

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "auth/accounts.h"
#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

struct Access {
  bool is_public = false;  // no credentials needed
  std::set<Role> roles;    // empty (and not public): any authenticated caller
  // Staff sessions only: an API key of an allowed role is refused (403) too. Reviewing is done
  // by people with expertise tags; keys carry none.
  bool sessions_only = false;
  // API keys only, with Google's error shape (the Perspective-compatible route): anything but a
  // valid key (no credentials, a malformed key, a staff session) gets 401 or 403 there.
  bool keys_only_google_errors = false;
};
Access Public() { return {true, {}}; }
Access AnyAuthenticated() { return {false, {}}; }
Access Only(std::set<Role> roles) { return {false, std::move(roles)}; }
Access OnlySessions(std::set<Role> roles) { return {false, std::move(roles), true}; }
Access AnyKeyGoogleErrors() { return {false, {}, false, true}; }

using RouteKey = std::pair<std::string, std::string>;  // method, pattern

// THE SPEC. Staff sessions carry the user's role; there is no staff "platform" role, so routes
// for platform or admin are open to admin sessions only.
const std::map<RouteKey, Access>& Spec() {
  static const std::map<RouteKey, Access> spec = {
      {{"GET", "/healthz"}, Public()},
      {{"GET", "/metrics"}, Public()},
      {{"GET", "/v1/openapi.json"}, Public()},
      {{"GET", "/v1/version"}, Public()},
      {{"GET", "/v1/log/head"}, Public()},
      {{"POST", "/v1/auth/login"}, Public()},
      // The platform's ingest.
      {{"POST", "/v1/items"}, Only({Role::kPlatform, Role::kAdmin})},
      {{"POST", "/v1/views"}, Only({Role::kPlatform, Role::kAdmin})},
      {{"POST", "/v1/reports"}, Only({Role::kPlatform, Role::kAdmin})},
      // The platform's recommender asks what it may amplify.
      {{"POST", "/v1/recommendations/check"}, Only({Role::kPlatform, Role::kAdmin})},
      // What became of a report: the platform tells the reporter.
      {{"GET", "/v1/reports/{id}"}, Only({Role::kPlatform, Role::kAdmin})},
      {{"POST", "/v1/ad-impressions"}, Only({Role::kPlatform, Role::kAdmin})},
      {{"POST", "/v1/groups"}, Only({Role::kPlatform, Role::kAdmin})},
      {{"POST", "/v1/memberships"}, Only({Role::kPlatform, Role::kAdmin})},
      {{"GET", "/v1/groups"}, Only({Role::kPlatform, Role::kAdmin, Role::kAuditor})},
      {{"GET", "/v1/groups/{id}"}, Only({Role::kPlatform, Role::kAdmin, Role::kAuditor})},
      {{"GET", "/v1/accounts/{id}"}, Only({Role::kPlatform, Role::kAdmin, Role::kAuditor})},
      {{"GET", "/v1/advertisers/{id}/statements/{month}"},
       Only({Role::kPlatform, Role::kAdmin, Role::kAuditor})},
      // Issuing freezes a statement: the platform's billing or an admin, not oversight.
      {{"POST", "/v1/advertisers/{id}/statements/{month}/issue"},
       Only({Role::kPlatform, Role::kAdmin})},
      {{"POST", "/v1/appeals"}, Only({Role::kPlatform, Role::kAdmin})},
      {{"GET", "/v1/decisions"}, Only({Role::kPlatform, Role::kAdmin, Role::kAuditor})},
      // An item's text, author and revisions: the platform's own data, oversight and audit.
      // Reviewers reach content only through the cases they hold; advertisers and support agents
      // never read items.
      {{"GET", "/v1/items/{id}"}, Only({Role::kPlatform, Role::kAdmin, Role::kAuditor})},
      // Reads any role may make.
      {{"POST", "/v1/classify"}, AnyAuthenticated()},
      // Perspective's comments:analyze: any API key (also as ?key=), never a session.
      {{"POST", "/v1alpha1/comments:analyze"}, AnyKeyGoogleErrors()},
      // Not supported: 501 to everyone.
      {{"POST", "/v1alpha1/comments:suggestscore"}, Public()},
      {{"GET", "/v1/auth/me"}, AnyAuthenticated()},
      {{"POST", "/v1/auth/logout"}, AnyAuthenticated()},
      // One's own password (a key has none: 400, like logout).
      {{"POST", "/v1/auth/password"}, AnyAuthenticated()},
      // Expert review.
      {{"GET", "/v1/review/queues"}, Only({Role::kReviewer, Role::kAdmin})},
      {{"POST", "/v1/review/queues/{queue}/claim"}, OnlySessions({Role::kReviewer})},
      {{"POST", "/v1/review/cases/{id}/decision"}, Only({Role::kReviewer})},
      {{"GET", "/v1/review/stats"}, Only({Role::kAdmin, Role::kAuditor, Role::kCivilRights})},
      // Policy lifecycle: authors draft, civil-rights officers sign off (recommendation 1).
      {{"GET", "/v1/policies"},
       Only({Role::kAdmin, Role::kPolicyAuthor, Role::kCivilRights, Role::kAuditor})},
      {{"GET", "/v1/policies/{id}"},
       Only({Role::kAdmin, Role::kPolicyAuthor, Role::kCivilRights, Role::kAuditor})},
      {{"POST", "/v1/policies"}, Only({Role::kPolicyAuthor, Role::kAdmin})},
      {{"POST", "/v1/policies/{id}/submit"}, Only({Role::kPolicyAuthor, Role::kAdmin})},
      {{"POST", "/v1/policies/{id}/approve"}, Only({Role::kCivilRights})},
      {{"POST", "/v1/policies/{id}/reject"}, Only({Role::kCivilRights})},
      {{"POST", "/v1/policies/{id}/activate"}, Only({Role::kAdmin, Role::kCivilRights})},
      // Administration: nobody but admins.
      {{"POST", "/v1/admin/reload-detectors"}, Only({Role::kAdmin})},
      {{"GET", "/v1/admin/users"}, Only({Role::kAdmin})},
      {{"POST", "/v1/admin/users"}, Only({Role::kAdmin})},
      {{"POST", "/v1/admin/users/{id}/disable"}, Only({Role::kAdmin})},
      {{"POST", "/v1/admin/users/{id}/password"}, Only({Role::kAdmin})},
      // The reviewer console (HTML; staff sessions only: an API key is no credential for a page,
      // and an anonymous GET is sent to the sign-in page).
      {{"GET", "/console/static/{file}"}, Public()},
      {{"GET", "/console/login"}, Public()},
      {{"POST", "/console/login"}, Public()},
      {{"POST", "/console/logout"}, AnyAuthenticated()},
      {{"GET", "/console"}, Only({Role::kReviewer, Role::kAdmin})},
      {{"GET", "/console/queues"}, Only({Role::kReviewer, Role::kAdmin})},
      {{"POST", "/console/queues/{queue}/claim"}, Only({Role::kReviewer})},
      {{"GET", "/console/cases/{id}"}, Only({Role::kReviewer})},
      {{"POST", "/console/cases/{id}/decision"}, Only({Role::kReviewer})},
      // Reviewers with the appeals expertise (the matrix's reviewer has it; see
      // AppealsPageNeedsTheAppealsExpertise); the whole log is oversight's (blind second review).
      {{"GET", "/console/appeals"}, Only({Role::kReviewer, Role::kAdmin})},
      {{"GET", "/console/decisions"}, Only({Role::kAdmin})},
      // The group pages: admins, and reviewers with the extremism or conspiracy expertise (the
      // matrix's reviewer has it; SessionTest checks one without).
      {{"GET", "/console/groups"}, Only({Role::kReviewer, Role::kAdmin})},
      {{"GET", "/console/groups/{id}"}, Only({Role::kReviewer, Role::kAdmin})},
  };
  return spec;
}

constexpr char kPassword[] = "correct horse battery";

struct Session {
  std::string cookie;  // "__Host-bulwark_session=<token>"
  std::string csrf;
};

struct Principal {
  std::string name;
  enum Kind { kAnonymous, kBadKey, kBadCookie, kKey, kSession } kind = kAnonymous;
  Role role = Role::kPlatform;
  std::string key;
  std::string username;  // sessions
  Session session;
};

bool IsPage(const std::string& path) { return path.rfind("/console", 0) == 0; }

class RoleRouteMatrixTest : public ::testing::Test {
 protected:
  // Logs in over HTTP and returns the session cookie and CSRF token.
  std::optional<Session> Login(const std::string& username,
                               const std::string& password = kPassword) {
    auto r = server_.Client().Post("/v1/auth/login",
                                   json{{"username", username}, {"password", password}}.dump(),
                                   "application/json");
    if (!r || r->status != 200) {
      ADD_FAILURE() << "login of " << username << " failed: " << (r ? r->body : "no response");
      return std::nullopt;
    }
    std::string set_cookie = r->get_header_value("Set-Cookie");
    return Session{set_cookie.substr(0, set_cookie.find(';')),
                   json::parse(r->body)["csrf_token"].get<std::string>()};
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
    if (!created.ok()) return "";
    // As if the user had chosen the password themselves (a civil-rights sign-off needs that;
    // SignOffTest covers the other case).
    EXPECT_TRUE(accounts
                    .ResetPassword(created->user.id, std::string(kPassword), WallNowMillis(),
                                   store::StaffActor(created->user.id))
                    .ok());
    return created->user.id;
  }

  httplib::Result Call(const Principal& p, const std::string& method, const std::string& path) {
    httplib::Headers h;
    bool session = false;
    switch (p.kind) {
      case Principal::kAnonymous:
        break;
      case Principal::kBadKey:
        h.emplace("Authorization", "Bearer bwk_000000000000_" + std::string(64, '0'));
        break;
      case Principal::kBadCookie:
        h.emplace("Cookie", "__Host-bulwark_session=" + std::string(64, 'a'));
        break;
      case Principal::kKey:
        h.emplace("Authorization", "Bearer " + p.key);
        break;
      case Principal::kSession:
        session = true;
        break;
    }
    Session fresh;
    if (session) {
      // Logging out ends the session: give that route one of its own.
      fresh = path == "/v1/auth/logout" || path == "/console/logout"
                  ? Login(p.username).value_or(Session{})
                  : p.session;
      h.emplace("Cookie", fresh.cookie);
      h.emplace("X-CSRF-Token", fresh.csrf);
    }
    auto c = server_.Client();
    if (method == "GET") return c.Get(path.c_str(), h);
    if (IsPage(path)) {
      // Console forms: urlencoded, with the session's token as the form field.
      return c.Post(path.c_str(), h, "csrf_token=" + fresh.csrf,
                    "application/x-www-form-urlencoded");
    }
    return c.Post(path.c_str(), h, "{}", "application/json");
  }

  testing::TestServer server_;
};

TEST_F(RoleRouteMatrixTest, EveryRouteIsInTheSpecAndEveryPrincipalGetsWhatItSays) {
  // Every route must be classified, and the spec must not describe routes that are gone.
  std::set<RouteKey> routes;
  for (const auto& r : server_.api().Routes()) {
    routes.insert(r);
    EXPECT_TRUE(Spec().contains(r))
        << r.first << " " << r.second
        << " is not classified in the role x route matrix (tests/server/"
           "role_route_matrix_test.cc): add it to Spec() with who may call it";
  }
  for (const auto& [key, access] : Spec()) {
    EXPECT_TRUE(routes.contains(key)) << key.first << " " << key.second << " is no longer a route";
  }

  // Fixtures the parameterised routes point at.
  const std::string victim_id = CreateUser("victim", Role::kSupportAgent);
  const std::map<std::string, std::string> params = {
      {"/v1/items/{id}", "/v1/items/p0"},
      {"/v1/policies/{id}", "/v1/policies/1"},
      {"/v1/policies/{id}/submit", "/v1/policies/1/submit"},
      {"/v1/policies/{id}/approve", "/v1/policies/1/approve"},
      {"/v1/policies/{id}/reject", "/v1/policies/1/reject"},
      {"/v1/policies/{id}/activate", "/v1/policies/1/activate"},
      {"/v1/review/queues/{queue}/claim", "/v1/review/queues/antisemitism/claim"},
      {"/v1/review/cases/{id}/decision", "/v1/review/cases/1/decision"},
      {"/v1/admin/users/{id}/disable", "/v1/admin/users/" + victim_id + "/disable"},
      {"/v1/admin/users/{id}/password", "/v1/admin/users/" + victim_id + "/password"},
      {"/console/static/{file}", "/console/static/console.css"},
      {"/console/queues/{queue}/claim", "/console/queues/antisemitism/claim"},
      {"/console/cases/{id}", "/console/cases/1"},
      {"/console/cases/{id}/decision", "/console/cases/1/decision"},
      {"/console/groups/{id}", "/console/groups/g1"},
      {"/v1/advertisers/{id}/statements/{month}", "/v1/advertisers/acme/statements/2026-11"},
      {"/v1/advertisers/{id}/statements/{month}/issue",
       "/v1/advertisers/acme/statements/2026-11/issue"},
  };

  std::vector<Principal> principals;
  principals.push_back({"anonymous", Principal::kAnonymous});
  principals.push_back({"malformed key", Principal::kBadKey});
  principals.push_back({"unknown session cookie", Principal::kBadCookie});
  for (Role role : kAllRoles) {
    Principal p{"key:" + std::string(RoleName(role)), Principal::kKey, role};
    p.key = server_.CreateKey(role, p.name);
    principals.push_back(p);
  }
  for (Role role : kAllRoles) {
    if (role == Role::kPlatform) continue;  // platforms use keys, never accounts
    Principal p{"session:" + std::string(RoleName(role)), Principal::kSession, role};
    p.username = "staff-" + std::string(RoleName(role));
    CreateUser(p.username, role,
               role == Role::kReviewer
                   ? std::vector<std::string>{"antisemitism", "appeals", "extremism"}
                   : std::vector<std::string>{});
    auto s = Login(p.username);
    ASSERT_TRUE(s);
    p.session = *s;
    principals.push_back(p);
  }

  int checked = 0;
  for (const auto& [method, pattern] : server_.api().Routes()) {
    auto spec = Spec().find({method, pattern});
    if (spec == Spec().end()) continue;  // reported above
    const Access& access = spec->second;
    std::string path = params.contains(pattern) ? params.at(pattern) : pattern;
    for (const Principal& p : principals) {
      SCOPED_TRACE(method + " " + pattern + " as " + p.name);
      auto r = Call(p, method, path);
      ASSERT_TRUE(r);
      ++checked;
      const bool page = IsPage(path);
      // Pages take the session cookie only; to a page an API key is no credential at all.
      const bool credentials =
          p.kind == Principal::kSession || (!page && p.kind == Principal::kKey);
      if (page) {
        const std::string location = r->get_header_value("Location");
        if (access.is_public) {
          EXPECT_NE(r->status, 401) << r->body;
          EXPECT_NE(r->status, 403) << r->body;
        } else if (!credentials) {
          if (method == "GET") {
            EXPECT_EQ(r->status, 303);
            EXPECT_EQ(location, "/console/login");
          } else {
            EXPECT_EQ(r->status, 401) << r->body;
          }
        } else if (access.roles.empty() || access.roles.contains(p.role)) {
          EXPECT_NE(r->status, 401) << r->body;
          EXPECT_NE(r->status, 403) << r->body;
          if (pattern != "/console/logout") {
            EXPECT_NE(location, "/console/login") << "signed in, yet sent to the sign-in page";
          }
        } else {
          EXPECT_EQ(r->status, 403) << r->body;
          EXPECT_NE(r->body.find("Not allowed"), std::string::npos) << r->body;
        }
        continue;
      }
      if (access.keys_only_google_errors) {
        if (p.kind == Principal::kKey) {
          EXPECT_NE(r->status, 401) << r->body;
          EXPECT_NE(r->status, 403) << r->body;
        } else {
          EXPECT_TRUE(r->status == 401 || r->status == 403) << r->status << " " << r->body;
          const std::string status = json::parse(r->body)["error"]["status"];
          EXPECT_TRUE(status == "UNAUTHENTICATED" || status == "PERMISSION_DENIED") << r->body;
        }
        continue;
      }
      if (access.is_public) {
        EXPECT_NE(r->status, 401) << r->body;
        EXPECT_NE(r->status, 403) << r->body;
      } else if (!credentials) {
        EXPECT_EQ(r->status, 401) << r->body;
        EXPECT_EQ(json::parse(r->body)["error"]["code"], "unauthenticated");
      } else if ((access.roles.empty() || access.roles.contains(p.role)) &&
                 !(access.sessions_only && p.kind == Principal::kKey)) {
        EXPECT_NE(r->status, 401) << r->body;
        EXPECT_NE(r->status, 403) << r->body;
      } else {
        EXPECT_EQ(r->status, 403) << r->body;
        EXPECT_EQ(json::parse(r->body)["error"]["code"], "permission_denied") << r->body;
      }
    }
  }
  EXPECT_GE(checked, static_cast<int>(Spec().size() * principals.size()));
}

class SessionTest : public RoleRouteMatrixTest {};

TEST_F(SessionTest, LoginSetsAHardenedCookieAndReturnsTheUserAndCsrfToken) {
  CreateUser("Amira", Role::kReviewer, {"antisemitism", "anti_muslim"});
  auto r = server_.Client().Post(
      "/v1/auth/login", R"({"username":"amira","password":")" + std::string(kPassword) + R"("})",
      "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string cookie = r->get_header_value("Set-Cookie");
  // Served as over TLS (the default): Secure, and the __Host- prefix.
  const std::string name = "__Host-bulwark_session=";
  EXPECT_EQ(cookie.rfind(name, 0), 0u) << cookie;
  const std::string token = cookie.substr(name.size(), cookie.find(';') - name.size());
  EXPECT_EQ(token.size(), 64u);
  for (const char* attribute : {"; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age="}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " in " << cookie;
  }
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Domain"), std::string::npos) << "__Host- forbids Domain: " << cookie;
  auto body = json::parse(r->body);
  EXPECT_EQ(body["user"]["username"], "Amira");
  EXPECT_EQ(body["user"]["role"], "reviewer");
  EXPECT_EQ(body["user"]["expertise"], json({"anti_muslim", "antisemitism"}));
  EXPECT_FALSE(body["user"].contains("password_hash"));
  EXPECT_EQ(body["csrf_token"].get<std::string>().size(), 64u);
  EXPECT_EQ(r->body.find(token), std::string::npos) << "the token travels only in the cookie";

  // The bare name is not the session cookie of a server behind TLS.
  EXPECT_EQ(server_.Client().Get("/v1/auth/me", {{"Cookie", "bulwark_session=" + token}})->status,
            401);
  auto me = server_.Client().Get("/v1/auth/me", {{"Cookie", name + token}});
  ASSERT_EQ(me->status, 200) << me->body;
  auto mj = json::parse(me->body);
  EXPECT_EQ(mj["authenticated_by"], "session");
  EXPECT_EQ(mj["user"]["username"], "Amira");
  EXPECT_EQ(mj["csrf_token"], body["csrf_token"]);
}

TEST_F(SessionTest, AppealsPageNeedsTheAppealsExpertiseAndTheLogIsForOversight) {
  CreateUser("rosa", Role::kReviewer, {"threat"});
  CreateUser("sam", Role::kReviewer, {"threat", "appeals"});
  auto rosa = Login("rosa");
  auto sam = Login("sam");
  ASSERT_TRUE(rosa && sam);
  auto c = server_.Client();
  auto denied = c.Get("/console/appeals", {{"Cookie", rosa->cookie}});
  EXPECT_EQ(denied->status, 403);
  EXPECT_NE(denied->body.find("appeals"), std::string::npos);
  EXPECT_EQ(c.Get("/console/appeals", {{"Cookie", sam->cookie}})->status, 200);
  EXPECT_EQ(c.Get("/console/decisions", {{"Cookie", sam->cookie}})->status, 403);
  // The navigation links only to pages the reviewer may open.
  auto rosa_queues = c.Get("/console/queues", {{"Cookie", rosa->cookie}});
  ASSERT_EQ(rosa_queues->status, 200);
  EXPECT_EQ(rosa_queues->body.find("href=\"/console/appeals\""), std::string::npos);
  EXPECT_EQ(rosa_queues->body.find("href=\"/console/decisions\""), std::string::npos);
  auto sam_queues = c.Get("/console/queues", {{"Cookie", sam->cookie}});
  EXPECT_NE(sam_queues->body.find("href=\"/console/appeals\""), std::string::npos);
}

TEST_F(SessionTest, GroupPagesNeedAGroupQueuesExpertise) {
  CreateUser("rosa", Role::kReviewer, {"threat"});
  CreateUser("ezra", Role::kReviewer, {"extremism"});
  auto rosa = Login("rosa");
  auto ezra = Login("ezra");
  ASSERT_TRUE(rosa && ezra);
  auto c = server_.Client();
  auto denied = c.Get("/console/groups", {{"Cookie", rosa->cookie}});
  EXPECT_EQ(denied->status, 403);
  EXPECT_NE(denied->body.find("extremism"), std::string::npos);
  EXPECT_EQ(c.Get("/console/groups/g1", {{"Cookie", rosa->cookie}})->status, 403);
  EXPECT_EQ(c.Get("/console/groups", {{"Cookie", ezra->cookie}})->status, 200);
  EXPECT_EQ(c.Get("/console/groups/nope", {{"Cookie", ezra->cookie}})->status, 404);
  EXPECT_EQ(c.Get("/console/queues", {{"Cookie", rosa->cookie}})->body.find("/console/groups"),
            std::string::npos);
  EXPECT_NE(c.Get("/console/queues", {{"Cookie", ezra->cookie}})->body.find("/console/groups"),
            std::string::npos);
}

TEST_F(SessionTest, ReviewersAreNotToldHowManyChecksAreWaiting) {
  CreateUser("rosa", Role::kReviewer, {"threat"});
  auto rosa = Login("rosa");
  ASSERT_TRUE(rosa);
  auto c = server_.Client();
  auto mine = c.Get("/v1/review/queues", {{"Cookie", rosa->cookie}});
  ASSERT_EQ(mine->status, 200) << mine->body;
  auto queues = json::parse(mine->body)["queues"];
  ASSERT_FALSE(queues.empty());
  for (const auto& q : queues) EXPECT_FALSE(q.contains("checks_waiting")) << q.dump();
  auto oversight =
      c.Get("/v1/review/queues", {{"Authorization", "Bearer " + server_.CreateKey(Role::kAdmin)}});
  ASSERT_EQ(oversight->status, 200);
  const json oversight_body = json::parse(oversight->body);
  for (const auto& q : oversight_body["queues"]) {
    EXPECT_TRUE(q.contains("checks_waiting")) << q.dump();
  }
}

TEST_F(SessionTest, StateChangesWithTheCookieNeedTheCsrfToken) {
  CreateUser("root", Role::kAdmin);
  auto s = Login("root");
  ASSERT_TRUE(s);
  auto c = server_.Client();
  const std::string create = R"({"username":"newbie","role":"auditor"})";

  auto missing = c.Post("/v1/admin/users", {{"Cookie", s->cookie}}, create, "application/json");
  EXPECT_EQ(missing->status, 403);
  EXPECT_EQ(json::parse(missing->body)["error"]["field"], "csrf_token");
  EXPECT_EQ(json::parse(missing->body)["error"]["code"], "permission_denied");

  std::string wrong = s->csrf;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  auto bad = c.Post("/v1/admin/users", {{"Cookie", s->cookie}, {"X-CSRF-Token", wrong}}, create,
                    "application/json");
  EXPECT_EQ(bad->status, 403);
  EXPECT_EQ(json::parse(bad->body)["error"]["field"], "csrf_token");
  // Another session's token does not fit this one.
  auto other = Login("root");
  auto crossed = c.Post("/v1/admin/users", {{"Cookie", s->cookie}, {"X-CSRF-Token", other->csrf}},
                        create, "application/json");
  EXPECT_EQ(crossed->status, 403);
  EXPECT_EQ(server_.db().users().FindUserByUsername("newbie").status().code(), Code::kNotFound);

  // Reads need no token; the right token lets the write through.
  EXPECT_EQ(c.Get("/v1/admin/users", {{"Cookie", s->cookie}})->status, 200);
  auto ok = c.Post("/v1/admin/users", {{"Cookie", s->cookie}, {"X-CSRF-Token", s->csrf}}, create,
                   "application/json");
  EXPECT_EQ(ok->status, 201) << ok->body;

  // An HTML form carries it as the csrf_token field: the check reads it (this route then
  // refuses the form body itself, 415, which shows the CSRF check passed).
  auto form_ok = c.Post("/v1/admin/users", {{"Cookie", s->cookie}},
                        "username=x&csrf_token=" + s->csrf, "application/x-www-form-urlencoded");
  EXPECT_EQ(form_ok->status, 415) << form_ok->body;
  auto form_bad = c.Post("/v1/admin/users", {{"Cookie", s->cookie}},
                         "username=x&csrf_token=" + wrong, "application/x-www-form-urlencoded");
  EXPECT_EQ(form_bad->status, 403) << form_bad->body;

  // A bearer key is no ambient credential: no CSRF token needed.
  std::string key = server_.CreateKey(Role::kAdmin);
  auto with_key = c.Post("/v1/admin/users", {{"Authorization", "Bearer " + key}},
                         R"({"username":"keyed","role":"auditor"})", "application/json");
  EXPECT_EQ(with_key->status, 201) << with_key->body;
}

TEST_F(SessionTest, ReviewerSessionsCannotReachUserManagement) {
  CreateUser("amira", Role::kReviewer, {"antisemitism"});
  const std::string victim = CreateUser("victim", Role::kAuditor);
  auto s = Login("amira");
  ASSERT_TRUE(s);
  auto c = server_.Client();
  httplib::Headers h = {{"Cookie", s->cookie}, {"X-CSRF-Token", s->csrf}};
  EXPECT_EQ(c.Get("/v1/admin/users", h)->status, 403);
  EXPECT_EQ(c.Post("/v1/admin/users", h, R"({"username":"x","role":"admin"})", "application/json")
                ->status,
            403);
  EXPECT_EQ(c.Post(("/v1/admin/users/" + victim + "/disable").c_str(), h, "{}", "application/json")
                ->status,
            403);
  EXPECT_EQ(c.Post(("/v1/admin/users/" + victim + "/password").c_str(), h, "{}", "application/json")
                ->status,
            403);
  EXPECT_FALSE(server_.db().users().FindUserById(victim)->disabled_at);
  EXPECT_EQ(server_.db().users().FindUserByUsername("x").status().code(), Code::kNotFound);
}

TEST_F(SessionTest, ADisabledUsersSessionIsRejectedAtOnce) {
  CreateUser("root", Role::kAdmin);
  const std::string amira = CreateUser("amira", Role::kReviewer, {"antisemitism"});
  auto admin = Login("root");
  auto s = Login("amira");
  ASSERT_TRUE(admin && s);
  auto c = server_.Client();
  EXPECT_EQ(c.Get("/v1/auth/me", {{"Cookie", s->cookie}})->status, 200);
  auto disabled =
      c.Post(("/v1/admin/users/" + amira + "/disable").c_str(),
             {{"Cookie", admin->cookie}, {"X-CSRF-Token", admin->csrf}}, "", "application/json");
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  EXPECT_TRUE(json::parse(disabled->body)["user"]["disabled_at"].is_string());
  auto after = c.Get("/v1/review/queues", {{"Cookie", s->cookie}});
  EXPECT_EQ(after->status, 401);
  EXPECT_EQ(json::parse(after->body)["error"]["code"], "unauthenticated");
  // And the account cannot log in again (with the same answer as a wrong password).
  auto login = c.Post("/v1/auth/login", json{{"username", "amira"}, {"password", kPassword}}.dump(),
                      "application/json");
  EXPECT_EQ(login->status, 401);
  EXPECT_EQ(json::parse(login->body)["error"]["message"], "invalid username or password");
}

TEST_F(SessionTest, LogoutInvalidatesTheSessionAndClearsTheCookie) {
  CreateUser("amira", Role::kAuditor);
  auto s = Login("amira");
  auto keep = Login("amira");
  ASSERT_TRUE(s && keep);
  auto c = server_.Client();
  auto without_token = c.Post("/v1/auth/logout", {{"Cookie", s->cookie}}, "", "application/json");
  EXPECT_EQ(without_token->status, 403);  // logout is a state change too
  auto out = c.Post("/v1/auth/logout", {{"Cookie", s->cookie}, {"X-CSRF-Token", s->csrf}}, "",
                    "application/json");
  ASSERT_EQ(out->status, 200) << out->body;
  const std::string cleared = out->get_header_value("Set-Cookie");
  EXPECT_EQ(cleared.rfind("__Host-bulwark_session=;", 0), 0u) << cleared;
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;
  EXPECT_NE(cleared.find("HttpOnly"), std::string::npos) << cleared;
  EXPECT_EQ(c.Get("/v1/auth/me", {{"Cookie", s->cookie}})->status, 401);
  // The user's other session is untouched.
  EXPECT_EQ(c.Get("/v1/auth/me", {{"Cookie", keep->cookie}})->status, 200);
}

}  // namespace
}  // namespace bulwark
