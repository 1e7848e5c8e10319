// The HTTP API over real loopback sockets: authentication, every endpoint, and the bad-input
// contract (every client mistake is a 4xx JSON error naming the field; batches are atomic).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/log_signing.h"
#include "core/sha256.h"
#include "server/api_json.h"
#include "server/http_server.h"
#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

const char* kJson = "application/json";

std::string ItemJson(const std::string& id, const std::string& extra = "") {
  return R"({"id":")" + id + R"(","author_id":"u1","text":"text of )" + id +
         R"(","created_at":"2026-01-01T00:00:00Z")" + extra + "}";
}

std::string ItemsBody(int n, const std::string& prefix = "p") {
  std::string body = R"({"items":[)";
  for (int i = 0; i < n; ++i) {
    if (i) body += ',';
    body += ItemJson(prefix + std::to_string(i));
  }
  return body + "]}";
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { key_ = server_.CreateKey(Role::kPlatform); }

  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& key = "") {
    auto c = server_.Client();
    httplib::Headers h = {{"Authorization", "Bearer " + (key.empty() ? key_ : key)}};
    return c.Post(path.c_str(), h, body, kJson);
  }
  httplib::Result Get(const std::string& path, const std::string& key = "") {
    auto c = server_.Client();
    httplib::Headers h = {{"Authorization", "Bearer " + (key.empty() ? key_ : key)}};
    return c.Get(path.c_str(), h);
  }
  static json ErrorOf(const httplib::Result& r) {
    auto j = json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r->body;
    EXPECT_TRUE(j.contains("error")) << r->body;
    return j.is_discarded() ? json::object() : j["error"];
  }

  testing::TestServer server_;
  std::string key_;
};

TEST_F(ApiTest, HealthzIsPublic) {
  auto r = server_.Client().Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = json::parse(r->body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_GE(j["schema_version"].get<int>(), 1);
}

TEST_F(ApiTest, IngestThenReadBack) {
  auto r = Post("/v1/items", ItemsBody(3));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["created"], 3);

  auto edit = Post("/v1/items", R"({"items":[)" +
                                    std::string(R"({"id":"p1","author_id":"u1","text":"edited",)"
                                                R"("created_at":"2026-01-01T00:00:00Z"})") +
                                    "]}");
  ASSERT_EQ(edit->status, 200) << edit->body;
  EXPECT_EQ(json::parse(edit->body)["revised"], 1);

  auto g = Get("/v1/items/p1");
  ASSERT_EQ(g->status, 200) << g->body;
  auto item = json::parse(g->body);
  EXPECT_EQ(item["text"], "edited");
  EXPECT_EQ(item["revision"], 2);
  EXPECT_EQ(item["revisions"].size(), 2u);
  EXPECT_EQ(item["revisions"][0]["text"], "text of p1");

  EXPECT_EQ(Get("/v1/items/nope")->status, 404);
}

TEST_F(ApiTest, ARefundStatementFollowsTheLog) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(2))->status, 200);
  auto imp =
      Post("/v1/ad-impressions",
           R"({"impressions":[{"id":"i1","ad_id":"a","advertiser_id":"adv","price_micros":1200,)"
           R"("shown_at":"2026-01-05T00:00:00Z","adjacent":[{"item_id":"p0","position":-1}]},)"
           R"({"id":"i2","ad_id":"a","advertiser_id":"adv","price_micros":900,)"
           R"("shown_at":"2026-01-05T00:00:00Z","adjacent":[{"item_id":"p1","position":3}]}]})");
  ASSERT_EQ(imp->status, 200) << imp->body;
  Decision d;
  d.item_id = "p0";
  d.item_revision = 1;
  d.action = ActionType::kRemove;
  d.category = "hate";
  d.rule_id = "hate.remove";
  d.actor = "system";
  d.created_at = *ParseRfc3339("2026-01-06T00:00:00Z");
  ASSERT_TRUE(server_.db().decisions().AppendDecisions({d}).ok());
  auto r = Get("/v1/advertisers/adv/statements/2026-01");
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  ASSERT_EQ(j["lines"].size(), 1u);
  EXPECT_EQ(j["lines"][0]["impression_id"], "i1");
  EXPECT_EQ(j["lines"][0]["decision_seq"], 1);
  EXPECT_EQ(j["totals"][0]["net_micros"], 1200);
  auto csv = Get("/v1/advertisers/adv/statements/2026-01?format=csv");
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv->body.find("1,i1,p0,1,hate.remove,hate,1,1000000,USD,1200,"), std::string::npos);
  auto html = Get("/v1/advertisers/adv/statements/2026-01?format=html");
  ASSERT_EQ(html->status, 200);
  EXPECT_EQ(html->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(html->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  EXPECT_NE(html->body.find("<td>i1</td><td>p0</td><td class=\"num\">1</td><td>hate.remove</td>"),
            std::string::npos);
  EXPECT_NE(html->body.find("0.001200 USD"), std::string::npos);
  EXPECT_EQ(html->body.find("<script"), std::string::npos);
  EXPECT_NE(Get("/v1/advertisers/adv/statements/2026-02?format=html")
                ->body.find("No refund lines this month."),
            std::string::npos);
  EXPECT_EQ(json::parse(Get("/v1/advertisers/adv/statements/2026-02")->body)["lines"].size(), 0u);
  EXPECT_EQ(ErrorOf(Get("/v1/advertisers/adv/statements/2026-13"))["field"], "month");
  EXPECT_EQ(ErrorOf(Get("/v1/advertisers/adv/statements/2026-01?format=pdf"))["field"], "format");

  // Issued: frozen, served byte for byte with its hash; issuing twice is a conflict.
  auto issued = Post("/v1/advertisers/adv/statements/2026-01/issue", "");
  ASSERT_EQ(issued->status, 201) << issued->body;
  const json iss = json::parse(issued->body);
  EXPECT_EQ(iss["month"], "2026-01");
  EXPECT_EQ(iss["through_seq"], 1);
  auto frozen = Get("/v1/advertisers/adv/statements/2026-01");
  ASSERT_EQ(frozen->status, 200);
  EXPECT_EQ(frozen->get_header_value("X-Statement-SHA256"), iss["sha256"]);
  EXPECT_EQ(json::parse(frozen->body)["issued"]["through_seq"], 1);
  auto twice = Post("/v1/advertisers/adv/statements/2026-01/issue", "");
  EXPECT_EQ(twice->status, 409);
  EXPECT_EQ(ErrorOf(twice)["field"], "month");
  EXPECT_EQ(ErrorOf(Post("/v1/advertisers/adv/statements/2026-1/issue", ""))["field"], "month");
  EXPECT_NE(Get("/v1/advertisers/adv/statements/2026-01?format=html")
                ->body.find("data-testid=\"statement-issued\""),
            std::string::npos);
}

TEST_F(ApiTest, ViewsReportsAndImpressions) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(2))->status, 200);
  auto v = Post("/v1/views", R"({"views":[{"item_id":"p0","count":40},{"item_id":"p1"}]})");
  ASSERT_EQ(v->status, 200) << v->body;
  EXPECT_EQ(json::parse(v->body)["accepted"], 2);
  auto rep = Post("/v1/reports", R"({"reports":[{"id":"r1","item_id":"p0","reporter_id":"u7",)"
                                 R"("reason":"hate","created_at":"2026-01-01T00:00:00Z"}]})");
  ASSERT_EQ(rep->status, 200) << rep->body;
  auto imp =
      Post("/v1/ad-impressions",
           R"({"impressions":[{"id":"i1","ad_id":"a","advertiser_id":"adv","price_micros":1200,)"
           R"("shown_at":"2026-01-01T00:00:00Z","adjacent":[{"item_id":"p0","position":-1},)"
           R"({"item_id":"p1","position":1}]}]})");
  ASSERT_EQ(imp->status, 200) << imp->body;
  auto item = json::parse(Get("/v1/items/p0")->body);
  EXPECT_EQ(item["views"], 40);
  EXPECT_EQ(item["reports"], 1);

  // The reporter hears what became of the report, never who decided.
  auto status = Get("/v1/reports/r1");
  ASSERT_EQ(status->status, 200) << status->body;
  json st = json::parse(status->body);
  EXPECT_EQ(st["id"], "r1");
  EXPECT_EQ(st["item_id"], "p0");
  EXPECT_EQ(st["reason"], "hate");
  EXPECT_TRUE(st["status"] == "received" || st["status"] == "in_review") << st.dump();
  Decision d;
  d.item_id = "p0";
  d.item_revision = 1;
  d.action = ActionType::kRemove;
  d.category = "hate";
  d.actor = "reviewer:user:7f3a";
  d.reason = "hate.dehumanisation: dehumanising speech about a protected group";
  d.created_at = 4'000'000'000'000;
  ASSERT_TRUE(server_.db().decisions().AppendDecisions({d}).ok());
  status = Get("/v1/reports/r1");
  st = json::parse(status->body);
  EXPECT_EQ(st["status"], "actioned");
  EXPECT_EQ(st["outcome"]["action"], "remove");
  EXPECT_EQ(st["outcome"]["reason_code"], "hate.dehumanisation");
  EXPECT_EQ(st["outcome"]["decided_by"], "reviewer");
  EXPECT_EQ(status->body.find("7f3a"), std::string::npos);
  auto missing = Get("/v1/reports/nope");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ErrorOf(missing)["code"], "not_found");
}

TEST_F(ApiTest, WritesNeedAValidKeyWithAWritingRole) {
  auto c = server_.Client();
  auto none = c.Post("/v1/items", ItemsBody(1), kJson);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(ErrorOf(none)["code"], "unauthenticated");
  EXPECT_EQ(Post("/v1/items", ItemsBody(1), "bwk_nothex_x")->status, 401);
  std::string forged = key_;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(Post("/v1/items", ItemsBody(1), forged)->status, 401);

  std::string auditor = server_.CreateKey(Role::kAuditor);
  auto denied = Post("/v1/items", ItemsBody(1), auditor);
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(ErrorOf(denied)["code"], "permission_denied");

  ASSERT_EQ(Post("/v1/items", ItemsBody(1))->status, 200);
  EXPECT_EQ(Get("/v1/items/p0", auditor)->status, 200);  // reads: any role
  EXPECT_EQ(server_.Client().Get("/v1/items/p0")->status, 401);

  std::string id = key_.substr(4, 12);
  ASSERT_TRUE(server_.db().keys().RevokeKey(id, 1).ok());
  auto revoked = Post("/v1/items", ItemsBody(1));
  EXPECT_EQ(revoked->status, 401);
  EXPECT_EQ(ErrorOf(revoked)["message"], "API key has been revoked");
}

TEST_F(ApiTest, ErrorsNameTheFieldAndIndex) {
  auto r = Post("/v1/items", R"({"items":[)" + ItemJson("a") + "," +
                                 ItemJson("b", R"(,"created_at2":1)") + "]}");
  ASSERT_EQ(r->status, 400);
  auto e = ErrorOf(r);
  EXPECT_EQ(e["code"], "invalid_argument");
  EXPECT_EQ(e["field"], "items[1].created_at2");
  EXPECT_EQ(e["index"], 1);
}

TEST_F(ApiTest, BatchIsAllOrNothing) {
  std::string body = R"({"items":[)" + ItemJson("good") + "," +
                     ItemJson("child", R"(,"parent_id":"ghost")") + "]}";
  auto r = Post("/v1/items", body);
  ASSERT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(ErrorOf(r)["field"], "items[1].parent_id");
  EXPECT_EQ(Get("/v1/items/good")->status, 404);

  auto imp =
      Post("/v1/ad-impressions",
           R"({"impressions":[{"id":"i1","ad_id":"a","advertiser_id":"adv","price_micros":1,)"
           R"("shown_at":"2026-01-01T00:00:00Z","adjacent":[{"item_id":"ghost","position":1}]}]})");
  EXPECT_EQ(imp->status, 422);
  EXPECT_EQ(ErrorOf(imp)["field"], "impressions[0].adjacent[0].item_id");
}

TEST_F(ApiTest, HostileBodies) {
  struct Case {
    std::string name, path, body;
    int status;
    std::string field;
  };
  std::string deep = R"({"items":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::vector<Case> cases = {
      {"bad json", "/v1/items", "{\"items\":[", 400, ""},
      {"wrong type", "/v1/items", R"({"items":"all of them"})", 400, "items"},
      {"missing field", "/v1/items",
       R"({"items":[{"id":"a","author_id":"u","created_at":"2026-01-01T00:00:00Z"}]})", 400,
       "items[0].text"},
      {"deep nesting", "/v1/items", deep, 400, ""},
      {"invalid utf8", "/v1/items",
       "{\"items\":[{\"id\":\"a\",\"author_id\":\"u\",\"text\":\"\xc3\x28\","
       "\"created_at\":\"2026-01-01T00:00:00Z\"}]}",
       400, "items[0].text"},
      {"negative price", "/v1/ad-impressions",
       R"({"impressions":[{"id":"i","ad_id":"a","advertiser_id":"v","price_micros":-100,)"
       R"("shown_at":"2026-01-01T00:00:00Z","adjacent":[]}]})",
       400, "impressions[0].price_micros"},
      {"duplicate ids", "/v1/items", R"({"items":[)" + ItemJson("x") + "," + ItemJson("x") + "]}",
       400, "items[1].id"},
      {"100k batch", "/v1/items", ItemsBody(100000), 413, "items"},
  };
  for (const Case& c : cases) {
    auto r = Post(c.path, c.body);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->status, c.status) << c.name << ": " << r->body;
    auto e = ErrorOf(r);
    if (!c.field.empty()) {
      EXPECT_EQ(e["field"], c.field) << c.name;
    }
    EXPECT_TRUE(e["message"].is_string()) << c.name;
  }
  EXPECT_EQ(Get("/v1/items/a")->status, 404);
}

TEST_F(ApiTest, FiftyMegabyteBodyIsRefusedWith413) {
  std::string big(50u << 20, ' ');
  auto r = Post("/v1/items", big);
  ASSERT_TRUE(r) << "connection failed instead of a 413";
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorOf(r)["field"], "body");
  EXPECT_EQ(server_.Client().Get("/healthz")->status, 200);  // server still fine
}

TEST_F(ApiTest, ContentTypeMethodAndRouteErrors) {
  auto c = server_.Client();
  httplib::Headers h = {{"Authorization", "Bearer " + key_}};
  auto form = c.Post("/v1/items", h, ItemsBody(1), "application/x-www-form-urlencoded");
  EXPECT_EQ(form->status, 415);
  EXPECT_EQ(ErrorOf(form)["field"], "Content-Type");
  auto with_charset = c.Post("/v1/items", h, ItemsBody(1), "application/json; charset=utf-8");
  EXPECT_EQ(with_charset->status, 200);
  auto wrong_method = c.Delete("/v1/items", h);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");
  EXPECT_EQ(c.Get("/v2/nothing", h)->status, 404);
  EXPECT_EQ(Get("/v1/items/%zz")->status, 400);
}

int RawRequest(std::uint16_t port, const std::string& raw, std::string* response) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return -1;
  (void)!write(fd, raw.data(), raw.size());
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) response->append(buf, static_cast<size_t>(n));
  close(fd);
  return 0;
}

TEST_F(ApiTest, MalformedHttpGetsAJsonError) {
  std::string resp;
  ASSERT_EQ(RawRequest(server_.port(), "NONSENSE\r\n\r\n", &resp), 0);
  EXPECT_NE(resp.find("400"), std::string::npos) << resp;
  EXPECT_NE(resp.find("\"error\""), std::string::npos) << resp;

  resp.clear();
  std::string huge_header =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n";
  ASSERT_EQ(RawRequest(server_.port(), huge_header, &resp), 0);
  EXPECT_NE(resp.find("431"), std::string::npos) << resp.substr(0, 200);
}

TEST_F(ApiTest, OpenApiDescribesEveryRoute) {
  auto r = server_.Client().Get("/v1/openapi.json");
  ASSERT_EQ(r->status, 200);
  auto doc = json::parse(r->body, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  for (const auto& [method, pattern] : server_.api().Routes()) {
    // The console's HTML pages are documented in docs/api.md ("Reviewer console"), not in the
    // JSON API's OpenAPI document.
    if (pattern.rfind("/console", 0) == 0) continue;
    std::string m = method;
    for (char& ch : m) ch = static_cast<char>(std::tolower(ch));
    EXPECT_TRUE(doc["paths"].contains(pattern)) << pattern;
    EXPECT_TRUE(doc["paths"][pattern].contains(m)) << method << " " << pattern;
  }
}

TEST_F(ApiTest, MetricsCountRequestsIngestAndDatabaseTime) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(5))->status, 200);
  Post("/v1/items", "nope");
  auto m = server_.Client().Get("/metrics");
  ASSERT_EQ(m->status, 200);
  const std::string& t = m->body;
  EXPECT_NE(
      t.find(R"(bulwark_http_requests_total{route="/v1/items",method="POST",status="200"} 1)"),
      std::string::npos)
      << t;
  EXPECT_NE(t.find(R"(status="400"} 1)"), std::string::npos);
  EXPECT_NE(t.find(R"(bulwark_ingest_events_total{kind="item"} 5)"), std::string::npos);
  EXPECT_NE(t.find(R"(bulwark_db_transaction_seconds_count{backend="sqlite",op="upsert_items"} 1)"),
            std::string::npos);
  EXPECT_NE(t.find("bulwark_http_request_seconds_bucket"), std::string::npos);
}

TEST_F(ApiTest, MetricsMapUnknownMethodsToOther) {
  // Every invented method token used to become its own `method` label value: an unbounded
  // number of metric series from unauthenticated requests.
  for (const char* method : {"FOO1", "PROPFIND", "X"}) {
    server::HttpRequest req;
    req.method = method;
    req.path = "/v1/items";
    server_.api().Handle(req);
  }
  auto m = server_.Client().Get("/metrics");
  ASSERT_EQ(m->status, 200);
  EXPECT_EQ(m->body.find("FOO1"), std::string::npos) << m->body;
  EXPECT_EQ(m->body.find("PROPFIND"), std::string::npos);
  EXPECT_NE(m->body.find(R"(method="other")"), std::string::npos);
}

TEST_F(ApiTest, ControlCharactersInAPathAreRefused) {
  // %0D%0A used to survive decoding into a console redirect's Location header.
  for (const char* path : {"/v1/items/a%0D%0ALocation:%20evil", "/v1/items/a%0Ab",
                           "/v1/items/a%7Fb", "/v1/items/a\rb"}) {
    server::HttpRequest req;
    req.method = "GET";
    req.path = path;
    server::HttpResponse r = server_.api().Handle(req);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_NE(r.body.find("\"field\":\"path\""), std::string::npos) << r.body;
    for (const auto& [k, v] : r.headers) {
      EXPECT_EQ(v.find('\n'), std::string::npos) << k;
    }
  }
}

TEST(ApiJson, FirstIndexOfAFieldPathIsBounded) {
  EXPECT_EQ(server::FirstIndex("items[3].text"), 3);
  EXPECT_EQ(server::FirstIndex("texts[0]"), 0);
  EXPECT_EQ(server::FirstIndex("text"), -1);
  EXPECT_EQ(server::FirstIndex("items[x]"), -1);
  // 20 digits overflowed a long long (undefined behaviour, reachable without a key).
  EXPECT_EQ(server::FirstIndex("[99999999999999999999]"), -1);
  EXPECT_EQ(server::FirstIndex("[999999999999999]"), 999999999999999LL);
  EXPECT_EQ(server::MethodLabel("GET"), "GET");
  EXPECT_EQ(server::MethodLabel("get"), "other");
}

TEST_F(ApiTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto c = server_.Client();
  c.set_keep_alive(true);
  for (int i = 0; i < 50; ++i) {
    auto r = c.Get("/healthz");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
}

}  // namespace
}  // namespace bulwark

namespace bulwark {
namespace {

TEST_F(ApiTest, DecisionFeedPagesWithACursorAndHeadIsPublic) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(3))->status, 200);
  std::vector<Decision> ds(5);
  for (int i = 0; i < 5; ++i) {
    ds[i].item_id = "p" + std::to_string(i % 3);
    ds[i].action = ActionType::kRemove;
    ds[i].rule_id = "threat.remove";
    ds[i].evidence = R"({"score":0.97})";
  }
  ASSERT_TRUE(server_.db().decisions().AppendDecisions(ds).ok());

  auto head = server_.Client().Get("/v1/log/head");
  ASSERT_EQ(head->status, 200);
  auto h = json::parse(head->body);
  EXPECT_EQ(h["seq"], 5);
  EXPECT_EQ(h["hash"].get<std::string>().size(), 64u);

  auto page1 = Get("/v1/decisions?limit=2");
  ASSERT_EQ(page1->status, 200) << page1->body;
  auto p1 = json::parse(page1->body);
  ASSERT_EQ(p1["decisions"].size(), 2u);
  EXPECT_EQ(p1["decisions"][0]["action"], "remove");
  EXPECT_EQ(p1["decisions"][0]["evidence"]["score"], 0.97);
  EXPECT_TRUE(p1["has_more"].get<bool>());
  auto page2 = Get("/v1/decisions?after=" + p1["next_cursor"].get<std::string>() + "&limit=10");
  auto p2 = json::parse(page2->body);
  ASSERT_EQ(p2["decisions"].size(), 3u);
  EXPECT_EQ(p2["decisions"][0]["seq"], 3);
  EXPECT_EQ(p2["decisions"][2]["hash"], h["hash"]);
  EXPECT_FALSE(p2["has_more"].get<bool>());

  EXPECT_EQ(ErrorOf(Get("/v1/decisions?limit=0"))["field"], "limit");
  EXPECT_EQ(ErrorOf(Get("/v1/decisions?after=-1"))["field"], "after");
  EXPECT_EQ(Get("/v1/decisions?limit=abc")->status, 400);
  EXPECT_EQ(server_.Client().Get("/v1/decisions")->status, 401);
  EXPECT_EQ(Get("/v1/decisions", server_.CreateKey(Role::kReviewer))->status, 403);
  EXPECT_EQ(Get("/v1/decisions", server_.CreateKey(Role::kAuditor))->status, 200);
}

// Issue 9, item 8: the head is signed with the server's log key, and every feed entry carries
// the exact bytes its hash covers, so an outsider can recompute the chain without our code.
TEST_F(ApiTest, LogHeadIsSignedAndTheFeedServesTheHashedBytes) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(2))->status, 200);
  std::vector<Decision> ds(3);
  for (int i = 0; i < 3; ++i) {
    ds[i].item_id = "p" + std::to_string(i % 2);
    ds[i].action = ActionType::kLabel;
    ds[i].reason = "MISINFO: \"quoted\" ünïcode\n";
    ds[i].evidence = i == 2 ? "not json" : R"({"score":0.5,"spans":[[0,3]]})";
    ds[i].created_at = 1'764'000'000'000 + i;
  }
  ASSERT_TRUE(server_.db().decisions().AppendDecisions(ds).ok());

  auto r = server_.Client().Get("/v1/log/head");
  ASSERT_EQ(r->status, 200);
  auto h = json::parse(r->body);
  EXPECT_EQ(h["algorithm"], "ed25519");
  EXPECT_EQ(h["public_key"], server_.log_public_key());
  SignedHead head{h["seq"], h["hash"], h["signed_at"], h["signature"], h["public_key"]};
  EXPECT_EQ(head.seq, 3);
  EXPECT_TRUE(VerifySignedHead(head, server_.log_public_key()).ok());
  // Served again unchanged while the log is: one signature per head.
  EXPECT_EQ(json::parse(server_.Client().Get("/v1/log/head")->body), h);
  SignedHead tampered = head;
  tampered.seq = 2;
  EXPECT_FALSE(VerifySignedHead(tampered, server_.log_public_key()).ok());

  auto feed = json::parse(Get("/v1/decisions?after=0")->body)["decisions"];
  ASSERT_EQ(feed.size(), 3u);
  std::int64_t seq = 0;
  std::string prev = GenesisHash();
  for (const json& e : feed) {
    auto bytes = Base64Decode(e["hashed_bytes"].get<std::string>());
    ASSERT_TRUE(bytes.has_value());
    EXPECT_EQ(Sha256Hex(*bytes), e["hash"]);
    auto d = CheckChainEntry(seq, prev, e["hash"].get<std::string>(), *bytes);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->reason, e["reason"]);
    EXPECT_EQ(d->prev_hash, e["prev_hash"]);
    seq = d->seq;
    prev = d->hash;
  }
  EXPECT_EQ(feed[2]["evidence"], "not json");
  EXPECT_EQ(prev, head.hash);
}

}  // namespace
}  // namespace bulwark

namespace bulwark {
namespace {

TEST_F(ApiTest, ReviewersClaimAndDecideCasesThroughTheApi) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(2))->status, 200);
  std::vector<Decision> ds(2);
  std::vector<store::ReviewRequest> reviews;
  for (int i = 0; i < 2; ++i) {
    ds[i].item_id = "p" + std::to_string(i);
    ds[i].item_revision = 1;
    ds[i].action = ActionType::kReview;
    ds[i].category = "hate";
    ds[i].reason = "HATE: sent to review";
    reviews.push_back({static_cast<size_t>(i), "antisemitism", 5 + i});
  }
  ASSERT_TRUE(server_.db().enforcement().RecordEnforcement(ds, reviews, {}).ok());
  std::string alice = server_.CreateKey(Role::kReviewer, "alice");
  std::string bob = server_.CreateKey(Role::kReviewer, "bob");
  std::string admin = server_.CreateKey(Role::kAdmin, "admin");

  // An API key carries no expertise: a reviewer key sees no queue and claims none; an admin sees
  // every configured queue's figures, read-only.
  auto mine = json::parse(Get("/v1/review/queues", alice)->body);
  EXPECT_TRUE(mine["queues"].empty()) << mine;
  auto all = json::parse(Get("/v1/review/queues", admin)->body);
  ASSERT_GE(all["queues"].size(), 20u);
  json antisemitism;
  for (const auto& q : all["queues"]) {
    if (q["queue"] == "antisemitism") antisemitism = q;
  }
  EXPECT_EQ(antisemitism["waiting"], 2);
  EXPECT_EQ(antisemitism["expertise"], json::array({"antisemitism"}));
  EXPECT_EQ(antisemitism["sla"]["target_seconds"], 4 * 3600.0);
  EXPECT_EQ(antisemitism["wellbeing"], true);
  auto denied = Post("/v1/review/queues/antisemitism/claim", "{}", alice);
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(ErrorOf(denied)["field"], "queue");
  EXPECT_EQ(Post("/v1/review/queues/antisemitism/claim", "{}", admin)->status, 403);
  EXPECT_EQ(Post("/v1/review/queues/antisemitism/claim", "{}")->status, 403);  // platform key
  EXPECT_EQ(ErrorOf(Post("/v1/review/queues/nope/claim", "{}", alice))["field"], "queue");

  // Until staff sessions carry expertise, the claim is made in the service layer for alice's key.
  review::Reviewer as_alice{"key:" + alice.substr(4, 12), {"antisemitism"}, false};
  auto claimed = server_.review().Claim(as_alice, "antisemitism");
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->priority, 6);  // highest priority first
  std::int64_t id = claimed->id;

  // Bob cannot decide Alice's case; bad bodies name the field.
  std::string path = "/v1/review/cases/" + std::to_string(id) + "/decision";
  EXPECT_EQ(Post(path, R"({"action":"remove","reason_code":"hate.attack"})", bob)->status, 422);
  EXPECT_EQ(ErrorOf(Post(path, R"({"action":"obliterate","reason_code":"x"})", alice))["field"],
            "action");
  EXPECT_EQ(ErrorOf(Post(path, R"({"action":"remove"})", alice))["field"], "reason_code");
  EXPECT_EQ(ErrorOf(Post(path, R"({"action":"remove","reason_code":"x","x":"y"})", alice))["field"],
            "x");
  EXPECT_EQ(ErrorOf(Post(path, R"({"action":"remove","reason_code":"HATE_SLUR"})", alice))["field"],
            "reason_code");
  EXPECT_EQ(ErrorOf(Post(path, R"({"action":"none","reason_code":"hate.attack"})", alice))["field"],
            "reason_code");
  EXPECT_EQ(ErrorOf(Post("/v1/review/cases/999/decision",
                         R"({"action":"remove","reason_code":"hate.attack"})", alice))["field"],
            "id");

  auto decided =
      Post(path, R"({"action":"remove","reason_code":"hate.attack","reason":"slur"})", alice);
  ASSERT_EQ(decided->status, 200) << decided->body;
  auto body = json::parse(decided->body);
  auto d = body["decision"];
  EXPECT_EQ(d["action"], "remove");
  EXPECT_EQ(d["item_id"], "p1");
  EXPECT_EQ(d["actor"], "reviewer:key:" + alice.substr(4, 12));
  EXPECT_EQ(d["reason"], "hate.attack: slur");
  EXPECT_EQ(body["case"]["reason_code"], "hate.attack");
  EXPECT_EQ(body["case"]["round"], "first");

  // The decision is in the platform's feed; the other case is still waiting.
  auto feed = json::parse(Get("/v1/decisions?after=2")->body);
  ASSERT_EQ(feed["decisions"].size(), 1u);
  EXPECT_EQ(feed["decisions"][0]["action"], "remove");
}

}  // namespace
}  // namespace bulwark

namespace bulwark {
namespace {

TEST_F(ApiTest, AppealsAreDecidedByADifferentReviewerAndRestoreTheItem) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(1))->status, 200);
  Decision d;
  d.item_id = "p0";
  d.item_revision = 1;
  d.action = ActionType::kReview;
  d.category = "harassment";
  std::vector<store::ReviewRequest> reviews = {{0, "harassment", 5}};
  ASSERT_TRUE(server_.db().enforcement().RecordEnforcement({d}, reviews, {}).ok());
  std::string alice = server_.CreateKey(Role::kReviewer, "alice");
  std::string bob = server_.CreateKey(Role::kReviewer, "bob");
  review::Reviewer as_alice{"key:" + alice.substr(4, 12), {"harassment", "appeals"}, false};
  review::Reviewer as_bob{"key:" + bob.substr(4, 12), {"appeals"}, false};
  auto c = server_.review().Claim(as_alice, "harassment");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::string decide = "/v1/review/cases/" + std::to_string(c->id) + "/decision";
  auto removed =
      json::parse(Post(decide, R"({"action":"remove","reason_code":"harassment.attack"})", alice)
                      ->body)["decision"];
  ASSERT_EQ(removed["action"], "remove") << removed;

  // The platform relays the author's appeal.
  EXPECT_EQ(ErrorOf(Post("/v1/appeals", R"({"decision_seq":"x"})"))["field"], "decision_seq");
  EXPECT_EQ(Post("/v1/appeals", R"({"decision_seq":1})")->status, 422);  // a review, not appealable
  auto opened =
      Post("/v1/appeals", R"({"decision_seq":)" + std::to_string(removed["seq"].get<int>()) +
                              R"(,"statement":"I was quoting them"})");
  ASSERT_EQ(opened->status, 201) << opened->body;
  EXPECT_EQ(Post("/v1/appeals", "{}", alice)->status, 403);  // reviewers do not file appeals

  // Alice removed it: she may not judge the appeal.
  EXPECT_EQ(server_.review().Claim(as_alice, "appeals").status().code(), Code::kNotFound);
  auto appeal = server_.review().Claim(as_bob, "appeals");
  ASSERT_TRUE(appeal.ok()) << appeal.status().ToString();
  EXPECT_EQ(appeal->statement, "I was quoting them");
  std::string path = "/v1/review/cases/" + std::to_string(appeal->id) + "/decision";
  EXPECT_EQ(
      ErrorOf(Post(path, R"({"action":"remove","reason_code":"harassment.attack"})", bob))["field"],
      "action");
  EXPECT_EQ(
      ErrorOf(Post(path, R"({"action":"restore","reason_code":"no_violation"})", bob))["field"],
      "reason_code");
  auto restored = Post(path, R"({"action":"restore","reason_code":"appeal.overturned"})", bob);
  ASSERT_EQ(restored->status, 200) << restored->body;
  auto r = json::parse(restored->body)["decision"];
  EXPECT_EQ(r["action"], "restore");
  EXPECT_EQ(r["rule_id"], "appeal");
  auto feed = json::parse(Get("/v1/decisions?after=0")->body)["decisions"];
  EXPECT_EQ(feed.back()["action"], "restore");
}

TEST_F(ApiTest, ReviewStatsForOversightRoles) {
  ASSERT_EQ(Post("/v1/items", ItemsBody(40))->status, 200);
  std::vector<Decision> ds(40);
  std::vector<store::ReviewRequest> reviews;
  for (int i = 0; i < 40; ++i) {
    ds[i].item_id = "p" + std::to_string(i);
    ds[i].item_revision = 1;
    ds[i].action = ActionType::kReview;
    ds[i].category = "threat";
    reviews.push_back({static_cast<size_t>(i), "public_figures", 8});  // share 0.2
  }
  ASSERT_TRUE(server_.db().enforcement().RecordEnforcement(ds, reviews, {}).ok());
  review::Reviewer first{"user:first", {"public_figures"}, false};
  review::Reviewer second{"user:second", {"public_figures"}, false};
  for (int i = 0; i < 40; ++i) {
    auto c = server_.review().Claim(first, "public_figures");
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(server_.review().Decide(first, c->id, {"remove", "violence.threat", ""}).ok());
  }
  int pairs = 0;
  while (true) {
    auto c = server_.review().Claim(second, "public_figures");
    if (!c.ok()) break;
    ASSERT_TRUE(server_.review().Decide(second, c->id, {"remove", "violence.threat", ""}).ok());
    ++pairs;
  }
  ASSERT_GT(pairs, 0) << "the keyed sample of 40 cases at 20% is not empty";

  std::string auditor = server_.CreateKey(Role::kAuditor);
  auto r = Get("/v1/review/stats", auditor);
  ASSERT_EQ(r->status, 200) << r->body;
  auto stats = json::parse(r->body);
  EXPECT_EQ(stats["overall"]["pairs"], pairs);
  EXPECT_EQ(stats["overall"]["percent_agreement"], 100.0);
  EXPECT_TRUE(stats["overall"]["kappa"].is_null()) << "one outcome only: kappa is undefined";
  json pf;
  for (const auto& q : stats["queues"]) {
    if (q["queue"] == "public_figures") pf = q;
  }
  EXPECT_EQ(pf["agreement"]["pairs"], pairs);
  EXPECT_EQ(pf["sla"]["time_to_first_review"]["count"], 40);
  EXPECT_EQ(pf["second_review_share"], 0.2);

  EXPECT_EQ(Get("/v1/review/stats", server_.CreateKey(Role::kCivilRights))->status, 200);
  EXPECT_EQ(Get("/v1/review/stats", server_.CreateKey(Role::kAdmin))->status, 200);
  EXPECT_EQ(Get("/v1/review/stats", server_.CreateKey(Role::kReviewer))->status, 403);
  EXPECT_EQ(Get("/v1/review/stats")->status, 403);  // platform
  EXPECT_EQ(ErrorOf(Get("/v1/review/stats?since=yesterday", auditor))["field"], "since");
  EXPECT_EQ(ErrorOf(Get("/v1/review/stats?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z",
                        auditor))["field"],
            "since");
  auto empty = json::parse(
      Get("/v1/review/stats?since=2020-01-01T00%3A00%3A00Z&until=2020-02-01T00:00:00Z", auditor)
          ->body);
  EXPECT_EQ(empty["overall"]["pairs"], 0);
  EXPECT_EQ(empty["since"], "2020-01-01T00:00:00.000Z");

  // SLA figures are published on /metrics.
  auto metrics = server_.Client().Get("/metrics");
  EXPECT_NE(metrics->body.find("bulwark_review_sla_target_seconds{queue=\"public_figures\"} 3600"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("bulwark_review_decisions_total{queue=\"public_figures\""),
            std::string::npos);
}

}  // namespace
}  // namespace bulwark
