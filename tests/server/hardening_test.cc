// Issue 9 (security hardening): bounded request bodies and JSON depth, the connection cap,
// exceptions that must not end the process. Each test fails on the code before its fix.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "auth/accounts.h"
#include "server/api.h"
#include "server/api_json.h"
#include "server/http_server.h"
#include "server/rate_limit.h"
#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

// A connected loopback socket, or -1.
int Connect(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Sends `raw` and reads until the server closes (or 10 s pass).
std::string Exchange(std::uint16_t port, const std::string& raw) {
  int fd = Connect(port);
  if (fd < 0) return "";
  (void)!write(fd, raw.data(), raw.size());
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) response.append(buf, static_cast<size_t>(n));
  close(fd);
  return response;
}

json ErrorOf(const httplib::Result& r) {
  auto j = json::parse(r->body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r->body;
  return j.is_discarded() ? json::object() : j.value("error", json::object());
}

TEST(JsonBody, DepthIsMeasuredOutsideStringsAndBoundedEarly) {
  EXPECT_EQ(server::JsonDepth(R"({"a":[1,{"b":2}]})", 32), 3);
  EXPECT_EQ(server::JsonDepth(R"({"a":"[[[[\"[[["})", 32), 1);  // brackets in a string
  EXPECT_EQ(server::JsonDepth(std::string(33, '['), 32), -1);
  EXPECT_EQ(server::JsonDepth(std::string(32, '['), 32), 32);
  EXPECT_EQ(server::JsonDepth(std::string(1 << 20, '['), 32), -1);

  auto deep = server::ParseJsonBody(std::string(4 << 20, '['));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().field(), "body");
  auto bad = server::ParseJsonBody("{\"a\":");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "body");
  auto ok = server::ParseJsonBody(R"({"username":"a","password":"b"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["username"], "a");
}

TEST(BodyLimits, EachRouteHasTheLimitItsContentNeeds) {
  testing::TestServer server;
  const server::Api& api = server.api();
  EXPECT_EQ(api.BodyLimit("POST", "/v1/auth/login"), server::kMaxBodyLogin);
  EXPECT_EQ(api.BodyLimit("POST", "/console/login"), server::kMaxBodyLogin);
  EXPECT_EQ(api.BodyLimit("POST", "/console/cases/7/decision"), server::kMaxBodyForm);
  EXPECT_EQ(api.BodyLimit("POST", "/v1/review/cases/7/decision?x=1"), server::kMaxBodyJson);
  EXPECT_EQ(api.BodyLimit("POST", "/v1/policies"), server::kMaxBodyPolicy);
  EXPECT_EQ(api.BodyLimit("POST", "/v1/classify"), server::kMaxBodyClassify);
  EXPECT_GE(api.BodyLimit("POST", "/v1/items"), 1u << 20);  // the ingest limit
  EXPECT_EQ(api.BodyLimit("GET", "/v1/items/a"), server::kMaxBodyNone);
  EXPECT_EQ(api.BodyLimit("POST", "/nowhere"), server::kMaxBodyNone);
}

TEST(BodyLimits, AnOversizedLoginIsRefusedBeforeItsBodyIsRead) {
  testing::TestServer server;
  auto c = server.Client();
  // 1 MiB of '[': under the server-wide limit, far over the login limit.
  auto r = c.Post("/v1/auth/login", std::string(1u << 20, '['), "application/json");
  ASSERT_TRUE(r) << "connection failed instead of a 413";
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorOf(r)["field"], "body");
  // The same with chunked transfer (no Content-Length): refused while reading.
  std::string chunk(8192, '[');
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", chunk.size());
  std::string raw =
      "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      std::string(size) + "\r\n" + chunk + "\r\n0\r\n\r\n";
  std::string resp = Exchange(server.port(), raw);
  EXPECT_NE(resp.find(" 413 "), std::string::npos) << resp.substr(0, 200);
  EXPECT_EQ(server.Client().Get("/healthz")->status, 200);
}

TEST(BodyLimits, DeeplyNestedJsonIsA400NamingTheBody) {
  testing::TestServer server;
  auto c = server.Client();
  std::string deep = std::string(2000, '[') + std::string(2000, ']');
  auto login = c.Post("/v1/auth/login", deep, "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 400);
  EXPECT_EQ(ErrorOf(login)["field"], "body");
  EXPECT_NE(ErrorOf(login)["message"].get<std::string>().find("nested"), std::string::npos);

  httplib::Headers h = {{"Authorization", "Bearer " + server.CreateKey(Role::kReviewer)}};
  auto decide = c.Post("/v1/review/cases/1/decision", h, deep, "application/json");
  ASSERT_TRUE(decide);
  EXPECT_EQ(decide->status, 400);
  EXPECT_EQ(ErrorOf(decide)["field"], "body");

  httplib::Headers admin = {{"Authorization", "Bearer " + server.CreateKey(Role::kAdmin)}};
  auto policy = c.Post("/v1/policies", admin, deep, "application/json");
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->status, 400);
  EXPECT_EQ(ErrorOf(policy)["field"], "body");
}

server::HttpResponse Ok() {
  server::HttpResponse r;
  r.body = "{}";
  return r;
}

TEST(HttpServerLimits, ConnectionsOverTheCapAre503AndTheCapFreesUp) {
  server::HttpServerOptions o;
  o.port = 0;
  o.threads = 1;
  o.max_connections = 2;
  auto srv = server::HttpServer::Start(o, [](const server::HttpRequest&) { return Ok(); });
  ASSERT_TRUE(srv.ok());
  std::uint16_t port = (*srv)->port();
  int a = Connect(port), b = Connect(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::string over = Exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(over.find(" 503 "), std::string::npos) << over;
  EXPECT_NE(over.find("too many connections"), std::string::npos) << over;
  close(a);
  close(b);
  // The two sessions end when they see the close; then there is room again.
  std::string resp;
  for (int i = 0; i < 100 && resp.find(" 200 ") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    resp = Exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
  EXPECT_NE(resp.find(" 200 "), std::string::npos) << resp;
}

TEST(HttpServerLimits, ExceptionsAreLoggedAnsweredAndServingGoesOn) {
  std::vector<std::string> lines;
  std::mutex mu;
  server::HttpServerOptions o;
  o.port = 0;
  o.log = [&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  };
  auto srv = server::HttpServer::Start(o, [](const server::HttpRequest& req) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    server::HttpResponse r = Ok();
    // Beast refuses a field name over 64 KiB by throwing.
    if (req.path == "/bad-header") r.headers.emplace_back(std::string(70000, 'X'), "v");
    return r;
  });
  ASSERT_TRUE(srv.ok());
  std::uint16_t port = (*srv)->port();
  std::string thrown =
      Exchange(port, "GET /throw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(thrown.find(" 500 "), std::string::npos) << thrown;
  EXPECT_EQ(thrown.find("boom"), std::string::npos) << "detail leaked to the client";
  std::string header =
      Exchange(port, "GET /bad-header HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(header.find(" 500 "), std::string::npos) << header.substr(0, 200);
  std::string fine = Exchange(port, "GET /fine HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(fine.find(" 200 "), std::string::npos) << fine;
  std::lock_guard lock(mu);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("boom"), std::string::npos) << lines[0];
}

TEST(RateLimiterTest, BucketsRefillAndSayWhenToComeBack) {
  server::RateLimiter limiter({/*rate_per_second=*/10, /*burst=*/20});
  std::int64_t retry = 0;
  EXPECT_TRUE(limiter.Take("key:a", 15, 1000, &retry));
  EXPECT_TRUE(limiter.Take("key:a", 5, 1000, &retry));
  EXPECT_FALSE(limiter.Take("key:a", 5, 1000, &retry));
  EXPECT_EQ(retry, 500);  // 5 tokens at 10 per second
  EXPECT_TRUE(limiter.Take("key:b", 20, 1000, &retry)) << "buckets are per caller";
  EXPECT_FALSE(limiter.Take("key:a", 5, 1400, &retry));
  EXPECT_EQ(retry, 100);
  EXPECT_TRUE(limiter.Take("key:a", 5, 1500, &retry));
  // Refilling stops at the burst.
  EXPECT_TRUE(limiter.Take("key:a", 20, 100000, &retry));
  EXPECT_FALSE(limiter.Take("key:a", 1, 100000, &retry));
  // A cost above the burst takes a full bucket rather than waiting forever.
  EXPECT_TRUE(limiter.Take("key:c", 50, 1000, &retry));
  EXPECT_FALSE(limiter.Take("key:c", 1, 1000, &retry));
  // Rate 0: no limit.
  server::RateLimiter off({0, 0});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(off.Take("key:a", 100, 0, &retry));
}

TEST(RateLimiterTest, IdleBucketsAreDroppedPastTheCap) {
  server::RateLimiter limiter({1, 1}, /*max_buckets=*/2);
  std::int64_t retry = 0;
  EXPECT_TRUE(limiter.Take("a", 1, 0, &retry));
  EXPECT_TRUE(limiter.Take("b", 1, 0, &retry));
  // Both empty: nothing to drop, the third still gets a bucket.
  EXPECT_TRUE(limiter.Take("c", 1, 0, &retry));
  // Later all have refilled and are forgotten; a forgotten caller starts full, as before.
  EXPECT_TRUE(limiter.Take("d", 1, 10000, &retry));
  EXPECT_TRUE(limiter.Take("a", 1, 10000, &retry));
  EXPECT_FALSE(limiter.Take("a", 1, 10000, &retry));
}

TEST(RateLimits, ClassifyIsChargedPerTextAndIngestPerRequestWith429AndRetryAfter) {
  // One token per 100 s: nothing refills while the test runs, even under sanitizers.
  testing::TestServer server({}, /*with_detectors=*/true, [](server::ApiContext* ctx) {
    ctx->classify_limit = {0.01, 3};
    ctx->ingest_limit = {0.01, 1};
  });
  auto c = server.Client();
  const std::string key = server.CreateKey(Role::kPlatform, "one");
  const std::string other = server.CreateKey(Role::kPlatform, "two");
  httplib::Headers h = {{"Authorization", "Bearer " + key}};
  const std::string two = R"({"texts":["hello there","nice weather"]})";
  auto first = c.Post("/v1/classify", h, two, "application/json");
  ASSERT_EQ(first->status, 200) << first->body;
  // One token left; two texts need two.
  auto limited = c.Post("/v1/classify", h, two, "application/json");
  ASSERT_EQ(limited->status, 429) << limited->body;
  EXPECT_EQ(json::parse(limited->body)["error"]["code"], "resource_exhausted");
  const int retry_after = std::stoi(limited->get_header_value("Retry-After"));
  EXPECT_GE(retry_after, 90);
  EXPECT_LE(retry_after, 100);
  // A refused request takes nothing: one text still fits.
  EXPECT_EQ(c.Post("/v1/classify", h, R"({"texts":["one"]})", "application/json")->status, 200);
  // Another key has its own bucket.
  httplib::Headers h2 = {{"Authorization", "Bearer " + other}};
  EXPECT_EQ(c.Post("/v1/classify", h2, two, "application/json")->status, 200);

  const std::string item =
      R"({"items":[{"id":"i1","author_id":"u","text":"hi","created_at":"2026-01-01T00:00:00Z"}]})";
  EXPECT_EQ(c.Post("/v1/items", h, item, "application/json")->status, 200);
  auto ingest_limited = c.Post("/v1/views", h, R"({"views":[]})", "application/json");
  EXPECT_EQ(ingest_limited->status, 429) << "one bucket for the ingest routes together";
  EXPECT_FALSE(ingest_limited->get_header_value("Retry-After").empty());
  EXPECT_EQ(c.Post("/v1/items", h2, item, "application/json")->status, 200);
  auto metrics = c.Get("/metrics");
  EXPECT_NE(metrics->body.find("bulwark_rate_limited_requests_total 2"), std::string::npos);
}

TEST(RateLimits, SignInsArePerClientAddressAndForwardedForOnlyWhenTrusted) {
  for (bool trusted : {false, true}) {
    SCOPED_TRACE(trusted ? "behind a trusted proxy" : "direct");
    testing::TestServer server({}, false, [trusted](server::ApiContext* ctx) {
      ctx->login_limit = {0.01, 2};
      ctx->trust_forwarded_for = trusted;
    });
    auto c = server.Client();
    auto attempt = [&](const std::string& forwarded) {
      httplib::Headers h;
      if (!forwarded.empty()) h.emplace("X-Forwarded-For", forwarded);
      return c.Post("/v1/auth/login", h, R"({"username":"nobody","password":"wrong guess"})",
                    "application/json");
    };
    EXPECT_EQ(attempt("203.0.113.7")->status, 401);
    EXPECT_EQ(attempt("203.0.113.7")->status, 401);
    auto limited = attempt("203.0.113.7");
    ASSERT_EQ(limited->status, 429) << limited->body;
    EXPECT_GE(std::stoi(limited->get_header_value("Retry-After")), 90);
    // Another address: its own bucket only when the proxy's header is trusted; otherwise every
    // client is the TCP peer (127.0.0.1 here) and a forged header changes nothing.
    EXPECT_EQ(attempt("198.51.100.1, 203.0.113.9")->status, trusted ? 401 : 429);
    // The console's form is counted in the same bucket, and answers with a page.
    auto form = c.Get("/console/login");
    ASSERT_EQ(form->status, 200);
    std::string cookie = form->get_header_value("Set-Cookie");
    cookie = cookie.substr(0, cookie.find(';'));
    const std::string token = cookie.substr(cookie.find('=') + 1);
    auto page =
        c.Post("/console/login", {{"X-Forwarded-For", "203.0.113.7"}, {"Cookie", cookie}},
               "username=a&password=b&csrf_token=" + token, "application/x-www-form-urlencoded");
    EXPECT_EQ(page->status, 429) << page->body;
    EXPECT_NE(page->body.find("Too many sign-in attempts"), std::string::npos);
  }
}

TEST(SignInSlots, APasswordCheckBeyondTheSlotsIsRefusedAtOnceAndCountsNothing) {
  testing::TempDir dir;
  auto db = std::move(store::OpenDatabase("sqlite:" + dir.File("slots.db"), {})).value();
  auth::AuthOptions options;
  options.passwords = auth::PasswordOptions::Minimal();
  options.max_concurrent_hashes = 1;
  auth::StaffAccounts accounts(db->users(), options);
  auth::NewUser n;
  n.username = "amira";
  n.role = Role::kReviewer;
  n.password = "correct horse battery";
  ASSERT_TRUE(accounts.CreateUser(n, 1000).ok());
  // Another sign-in holds the only slot.
  ASSERT_TRUE(accounts.hash_slots().TryAcquire());
  auto busy = accounts.Login("amira", "correct horse battery", 2000);
  EXPECT_EQ(busy.status().code(), Code::kUnavailable) << busy.status().ToString();
  EXPECT_EQ(db->users().GetLoginFailures(auth::UsernameKey("amira"))->failures, 0)
      << "a refusal for lack of a slot counts nothing against the username";
  accounts.hash_slots().Release();
  EXPECT_TRUE(accounts.Login("amira", "correct horse battery", 3000).ok());
  EXPECT_EQ(accounts.hash_slots().in_use(), 0) << "the slot is given back";
}

}  // namespace
}  // namespace bulwark
