#include "server/pages.h"

#include <gtest/gtest.h>

#include <string>

#include "server/web_assets.h"

namespace bulwark::server {
namespace {

TEST(WebAssets, TemplatesAndStaticFilesAreEmbeddedSorted) {
  auto all = AllWebAssets();
  ASSERT_FALSE(all.empty());
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].path, all[i].path);
  for (std::string_view page :
       {"header", "footer", "login", "queues", "case", "appeals", "decisions", "error"}) {
    EXPECT_TRUE(FindWebAsset("templates/" + std::string(page) + ".mustache")) << page;
  }
  ASSERT_TRUE(FindWebAsset("static/console.css"));
  EXPECT_NE(FindWebAsset("static/console.css")->find("filter: blur"), std::string_view::npos);
  EXPECT_FALSE(FindWebAsset("static/nope.css"));
  EXPECT_FALSE(FindWebAsset("../CMakeLists.txt"));
  EXPECT_EQ(WebContentType("static/console.css"), "text/css; charset=utf-8");
  EXPECT_EQ(WebContentType("static/console.js"), "text/javascript; charset=utf-8");
}

TEST(WebAssets, TemplatesNeverUseUnescapedOutput) {
  for (const WebAsset& a : AllWebAssets()) {
    if (!a.path.starts_with("templates/")) continue;
    EXPECT_EQ(a.bytes.find("{{{"), std::string_view::npos) << a.path;
    EXPECT_EQ(a.bytes.find("{{&"), std::string_view::npos) << a.path;
  }
}

TEST(PageRenderer, EveryTemplateRendersWithAnEmptyView) {
  PageRenderer pages;
  for (const WebAsset& a : AllWebAssets()) {
    if (!a.path.starts_with("templates/")) continue;
    std::string name(a.path.substr(10, a.path.size() - 10 - 9));
    auto html = pages.Render(name, nlohmann::json::object());
    ASSERT_TRUE(html.ok()) << name << ": " << html.status().ToString();
  }
}

TEST(PageRenderer, EscapesValuesAndResolvesPartials) {
  PageRenderer pages;
  nlohmann::json view = {{"title", "Sign in"},
                         {"error", "<script>alert(1)</script> & \"quotes\""},
                         {"login_csrf", "tok\"en"},
                         {"version", "1.2.3"}};
  auto html = pages.Render("login", view);
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_NE(html->find("<!doctype html>"), std::string::npos);   // header partial
  EXPECT_NE(html->find("Bulwark 1.2.3"), std::string::npos);     // footer partial
  EXPECT_EQ(html->find("<script>alert(1)"), std::string::npos);  // escaped
  EXPECT_NE(html->find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
            std::string::npos);
  EXPECT_NE(html->find("value=\"tok&quot;en\""), std::string::npos);  // attribute-safe
}

TEST(PageRenderer, SectionsFollowJsonTruthiness) {
  PageRenderer pages;
  nlohmann::json view = {{"queues", nlohmann::json::array()}, {"has_queues", false}};
  auto empty = pages.Render("queues", view);
  ASSERT_TRUE(empty.ok());
  EXPECT_NE(empty->find("data-testid=\"no-queues\""), std::string::npos);
  view["queues"] = {{{"id", "antisemitism"}, {"title", "Antisemitism"}, {"open", 3}}};
  view["has_queues"] = true;
  auto full = pages.Render("queues", view);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->find("data-testid=\"no-queues\""), std::string::npos);
  EXPECT_NE(full->find("data-testid=\"open-antisemitism\">3<"), std::string::npos);
}

TEST(PageRenderer, AnEmptyStringOpensNoSection) {
  PageRenderer pages;
  nlohmann::json view = {{"group_id", "g1"}, {"name", "Club"}, {"state", "active"}, {"label", ""}};
  auto r = pages.Render("group", view);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::size_t at = r->find("data-testid=\"group-state\">");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(r->substr(at, 40).find("label"), std::string::npos) << r->substr(at, 80);
  view["label"] = "hate group";
  r = pages.Render("group", view);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->find("active · label: hate group"), std::string::npos);
}

TEST(PageRenderer, UnknownPageIsNotFound) {
  PageRenderer pages;
  auto r = pages.Render("nope", nlohmann::json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace bulwark::server
