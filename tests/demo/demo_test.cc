// `bulwark demo`: the shipped templates load, a small demo fills every part of a real SQLite
// database through ingest and enforcement, the same seed gives the same database, and a
// database that already holds data is refused unless forced.

#include "demo/demo.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "auth/accounts.h"
#include "demo/demo_data.h"
#include "demo/generator.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark::demo {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(BULWARK_SOURCE_DIR) / "data";
constexpr UnixMillis kNow = 1'796'126'400'000;  // 2026-12-01T12:00:00Z

std::int64_t Rows(store::Database& db, const std::string& table) {
  auto stats = db.Stats();
  EXPECT_TRUE(stats.ok());
  for (const auto& t : stats->tables) {
    if (t.table == table) return t.rows;
  }
  ADD_FAILURE() << "no table " << table;
  return -1;
}

TEST(DemoData, ShippedTemplatesLoadAndCoverEveryCategoryAndBenignClass) {
  auto data = LoadDemoData(kData);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  std::set<std::string> classes;
  for (const Template& t : data->templates) classes.insert(t.content_class);
  for (Category c : kAllCategories) {
    EXPECT_TRUE(classes.count(std::string(CategoryName(c)))) << CategoryName(c);
  }
  for (const char* c : kBenignClasses) EXPECT_TRUE(classes.count(c)) << c;
  bool private_hate_group = false;
  for (const GroupSpec& g : data->groups) {
    private_hate_group |= g.harmful && g.visibility == Visibility::kPrivate;
  }
  EXPECT_TRUE(private_hate_group);
  EXPECT_GE(data->groups.size(), 30u);
  EXPECT_GE(data->public_figures.size(), 3u);
  EXPECT_GE(data->advertisers.size(), 3u);
}

TEST(DemoData, AFormatErrorNamesItsFileAndLine) {
  testing::TempDir dir;
  const fs::path root = dir.path();
  fs::create_directories(root / "demo" / "templates");
  fs::create_directory_symlink(kData / "lexicon", root / "lexicon");
  fs::create_directory_symlink(kData / "claims", root / "claims");
  fs::copy_file(kData / "demo" / "vocabulary.json", root / "demo" / "vocabulary.json");
  fs::copy_file(kData / "demo" / "platform.json", root / "demo" / "platform.json");
  std::ofstream(root / "demo" / "templates" / "bad.txt")
      << "# a comment\n@topic general\n@class benign\nHello {nosuchslot}\n";
  auto data = LoadDemoData(root);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(data.status().field(), "bad.txt:4");
  EXPECT_NE(data.status().message().find("{nosuchslot}"), std::string::npos);

  std::ofstream(root / "demo" / "templates" / "bad.txt") << "@topic general\n@class nice\nHi\n";
  data = LoadDemoData(root);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().field(), "bad.txt:2");
}

TEST(DemoGenerator, SameSeedSameEventsAndHeavyTailedViews) {
  auto data = LoadDemoData(kData);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  GenerateOptions o;
  o.seed = 3;
  o.accounts = 300;
  o.posts = 3000;
  o.now = kNow;
  auto a = Generate(*data, o), b = Generate(*data, o);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->items.size(), b->items.size());
  for (size_t i = 0; i < a->items.size(); ++i) {
    ASSERT_EQ(a->items[i].item.id, b->items[i].item.id);
    ASSERT_EQ(a->items[i].item.text, b->items[i].item.text);
    ASSERT_EQ(a->items[i].item.created_at, b->items[i].item.created_at);
  }
  EXPECT_EQ(a->views.size(), b->views.size());
  EXPECT_EQ(a->reports.size(), b->reports.size());
  o.seed = 4;
  auto c = Generate(*data, o);
  ASSERT_TRUE(c.ok());
  size_t same_text = 0;
  for (size_t i = 0; i < std::min(a->items.size(), c->items.size()); ++i) {
    same_text += a->items[i].item.text == c->items[i].item.text;
  }
  EXPECT_LT(same_text, a->items.size() / 2) << "another seed gives another platform";

  // Everything happens inside the period, and every reference points backwards in time.
  for (const GeneratedItem& g : a->items) EXPECT_LT(g.item.created_at, a->end);
  for (const ViewEvent& v : a->views) {
    EXPECT_GE(v.viewed_at, a->start);
    EXPECT_LT(v.viewed_at, a->end);
  }
}

class DemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    detect::DetectorConfig dc;
    dc.data_dir = kData;
    // Shared with the other enforcement tests: the lexicon compiles once per machine.
    dc.lexicon_cache_dir = (fs::temp_directory_path() / "bulwark-test-lexicon-cache").string();
    detectors_ = new detect::DetectorHandle(dc);
    ASSERT_TRUE(detectors_->Reload().ok());
    policy_ = new enforce::PolicyHandle((kData / "policy" / "default.policy").string());
    ASSERT_TRUE(policy_->Reload().ok());
  }
  static void TearDownTestSuite() {
    delete detectors_;
    delete policy_;
  }

  static DemoOptions Small(std::uint64_t seed) {
    DemoOptions o;
    o.seed = seed;
    o.accounts = 200;
    o.posts = 2000;
    o.now = kNow;
    o.data_dir = kData;
    o.passwords = auth::PasswordOptions::Minimal();
    return o;
  }
  std::unique_ptr<store::Database> Open(const std::string& name) {
    store::OpenOptions open;
    open.synchronous_full = false;
    auto db = store::OpenDatabase("sqlite:" + dir_.File(name), open);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
  Result<DemoSummary> Run(store::Database& db, const DemoOptions& o) {
    return RunDemo(o, db, *detectors_, *policy_);
  }

  static detect::DetectorHandle* detectors_;
  static enforce::PolicyHandle* policy_;
  testing::TempDir dir_;
};
detect::DetectorHandle* DemoTest::detectors_ = nullptr;
enforce::PolicyHandle* DemoTest::policy_ = nullptr;

TEST_F(DemoTest, ASmallDemoFillsEveryPartOfTheDatabaseAndIsEnforced) {
  auto db = Open("demo.db");
  auto s = Run(*db, Small(1));
  ASSERT_TRUE(s.ok()) << s.status().ToString();

  for (const char* table :
       {"accounts", "platform_groups", "items", "view_counts", "view_samples", "reports",
        "ad_impressions", "ad_adjacency", "decisions", "review_cases"}) {
    EXPECT_GT(Rows(*db, table), 0) << table;
  }
  EXPECT_EQ(Rows(*db, "items"), s->items);
  EXPECT_EQ(Rows(*db, "accounts"), 200 + 6) << "every account has a profile; 6 advertisers";
  EXPECT_EQ(Rows(*db, "reports"), s->reports);
  EXPECT_EQ(Rows(*db, "ad_impressions"), s->impressions);
  EXPECT_EQ(*db->enforcement().PendingCount(), 0) << "every item was enforced";

  // Staff users to try the console with, every one able to sign in with the printed password.
  ASSERT_GE(s->staff_users.size(), 8u);
  auth::StaffAccounts accounts(db->users(), {auth::PasswordOptions::Minimal(), {}, {}});
  std::set<std::string> roles;
  for (const DemoStaffUser& u : s->staff_users) {
    roles.insert(u.role);
    auto login = accounts.Login(u.username, u.password, WallNowMillis());
    EXPECT_TRUE(login.ok()) << u.username << ": " << login.status().ToString();
  }
  for (const char* role : {"admin", "civil_rights", "reviewer", "auditor"}) {
    EXPECT_TRUE(roles.contains(role)) << role;
  }

  // Groups went through POST /v1/groups and /v1/memberships, and the group rules looked at
  // every one of them.
  EXPECT_GT(s->memberships, 0);
  ASSERT_EQ(s->group_findings.size(), static_cast<size_t>(s->groups));
  auto first_group = db->groups().GetGroup(s->group_findings.front().id);
  ASSERT_TRUE(first_group.ok()) << first_group.status().ToString();
  EXPECT_TRUE(first_group->described);
  EXPECT_GT(first_group->members, 0);
  EXPECT_FALSE(first_group->group.owner_id.empty());

  // Enforcement acted: removals, review cases, and a log that verifies.
  EXPECT_GT(s->decisions_by_action[static_cast<int>(ActionType::kRemove)], 0);
  EXPECT_GT(s->decisions_by_action[static_cast<int>(ActionType::kReview)], 0);
  EXPECT_GT(s->review_cases, 0);
  EXPECT_GT(s->impressions_next_to_removed, 0);
  // Refunds come out of the real accrual path: never more than what was spent.
  EXPECT_GT(s->refunded_impressions, 0);
  EXPECT_GT(s->refund_net_micros, 0);
  EXPECT_LE(s->refund_net_micros, s->spend_micros);
  auto verify = db->decisions().VerifyLog();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->ok) << verify->problem;
  // The platform's decisions, then one entry per staff account created.
  EXPECT_EQ(verify->entries_checked,
            s->decisions + static_cast<std::int64_t>(s->staff_users.size()));
  // Views through recommendations were answered by the guard as they were shown.
  EXPECT_GT(s->recommended_views[0] + s->recommended_views[1] + s->recommended_views[2], 0);
  // Repeat offenders: each consequence the strike rules gave is in the log, with the account's
  // state to match, and comes from strikes (standing removals) the account has.
  const AccountFigures& af = s->account_figures;
  EXPECT_GT(af.restricted + af.suspended, 0);
  EXPECT_GE(af.with_strikes, af.restricted + af.suspended);
  auto whole = db->decisions().ListDecisions(0, 1'000'000);
  ASSERT_TRUE(whole.ok());
  std::int64_t restricts = 0, suspends = 0;
  for (const Decision& d : *whole) {
    if (d.target_kind != TargetKind::kAccount) continue;
    (d.action == ActionType::kSuspend ? suspends : restricts) += 1;
    auto a = db->accounts().GetAccount(d.item_id);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->state_seq, d.seq);
    EXPECT_GE(nlohmann::json::parse(d.evidence)["counted"].get<int>(), 3);
  }
  EXPECT_EQ(restricts, af.restricted);
  EXPECT_EQ(suspends, af.suspended);
  auto at_head = db->decisions().ListDecisions(s->log_head.seq - 1, 1);
  ASSERT_TRUE(at_head.ok() && at_head->size() == 1);
  EXPECT_EQ(at_head->front().hash, s->log_head.hash);
  auto account_entries = db->decisions().ListDecisions(s->log_head.seq, 1000);
  ASSERT_TRUE(account_entries.ok());
  ASSERT_EQ(account_entries->size(), s->staff_users.size());
  for (const Decision& d : *account_entries) EXPECT_EQ(d.action, ActionType::kAccount);

  // Every category is present, and enforcement found most of each; benign content is left alone.
  for (Category c : kAllCategories) {
    const ClassStats& cs = s->by_class[std::string(CategoryName(c))];
    EXPECT_GT(cs.items, 0) << CategoryName(c);
  }
  const ClassStats& hate = s->by_class["hate"];
  EXPECT_GT(hate.actioned * 2, hate.items) << "most hate is acted on";
  const ClassStats& benign = s->by_class["benign"];
  EXPECT_GT(benign.items, 1000);
  EXPECT_LT(benign.actioned * 50, benign.items) << "under 2% of benign content acted on";

  // At least one private group built around hate, whose content is enforced like public content.
  EXPECT_GE(s->private_harmful_groups, 1);
  auto data = LoadDemoData(kData);
  ASSERT_TRUE(data.ok());
  std::set<std::string> private_hate_groups;
  for (const GroupSpec& g : data->groups) {
    if (g.harmful && g.visibility == Visibility::kPrivate) private_hate_groups.insert(g.id);
  }
  int private_hate_items = 0, private_hate_actioned = 0;
  std::vector<std::int64_t> views;
  bool public_figure_seen = false;
  for (std::string after;;) {
    auto page = db->enforcement().ItemsAfter(after, 1000);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    after = page->back().item.id;
    for (const store::EnforcementItem& e : *page) {
      views.push_back(e.views);
      public_figure_seen |= e.item.author_is_public_figure;
      if (!private_hate_groups.count(e.item.group_id)) continue;
      EXPECT_EQ(e.item.group_visibility, Visibility::kPrivate);
      ++private_hate_items;
      private_hate_actioned += !db->decisions().DecisionsForItem(e.item.id)->empty();
    }
  }
  EXPECT_GT(private_hate_items, 0);
  EXPECT_GT(private_hate_actioned, 0) << "private groups are not a blind spot";
  EXPECT_TRUE(public_figure_seen);

  // Heavy-tailed views: the top 1% of items hold a large share, the median item few.
  std::sort(views.rbegin(), views.rend());
  std::int64_t total = 0, top = 0;
  for (size_t i = 0; i < views.size(); ++i) {
    total += views[i];
    if (i < views.size() / 100) top += views[i];
  }
  EXPECT_EQ(total, s->views);
  EXPECT_GT(top * 4, total) << "top 1% hold over a quarter of all views";
  EXPECT_LT(views[views.size() / 2] * 3, total / static_cast<std::int64_t>(views.size()))
      << "median far below the mean";
  // Reports concentrate on violating content.
  EXPECT_LT(s->false_reports * 2, s->reports);
}

TEST_F(DemoTest, TheSameSeedGivesTheSameDatabase) {
  auto a = Open("a.db"), b = Open("b.db"), c = Open("c.db");
  auto sa = Run(*a, Small(11)), sb = Run(*b, Small(11)), sc = Run(*c, Small(12));
  ASSERT_TRUE(sa.ok() && sb.ok() && sc.ok());
  EXPECT_EQ(sa->items, sb->items);
  EXPECT_EQ(sa->views, sb->views);
  EXPECT_EQ(sa->reports, sb->reports);
  EXPECT_EQ(sa->impressions, sb->impressions);
  EXPECT_EQ(sa->decisions_by_action, sb->decisions_by_action);
  EXPECT_EQ(sa->review_cases, sb->review_cases);
  EXPECT_EQ(sa->log_head.seq, sb->log_head.seq);
  EXPECT_EQ(sa->log_head.hash, sb->log_head.hash);
  auto stats = a->Stats();
  ASSERT_TRUE(stats.ok());
  for (const auto& t : stats->tables) EXPECT_EQ(t.rows, Rows(*b, t.table)) << t.table;
  EXPECT_NE(sa->log_head.hash, sc->log_head.hash) << "another seed, another platform";
}

TEST_F(DemoTest, ANonEmptyDatabaseIsRefusedUnlessForced) {
  auto db = Open("busy.db");
  // API keys alone do not count as platform data (run.sh may create one first).
  store::ApiKeyRecord key;
  key.id = "k1";
  key.name = "dev";
  key.secret_hash = std::string(64, '0');
  ASSERT_TRUE(db->keys().CreateKey(key).ok());
  EXPECT_TRUE(CheckEmpty(*db).ok());

  std::vector<Item> items = {testing::MakeItem("mine", "Our own post")};
  ASSERT_TRUE(db->items().UpsertItems(items, 1).ok());
  DemoOptions o = Small(1);
  o.accounts = 40;
  o.posts = 300;
  auto refused = Run(*db, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(refused.status().field(), "db");
  EXPECT_NE(refused.status().message().find("--force"), std::string::npos);
  EXPECT_EQ(Rows(*db, "items"), 1) << "nothing written";

  o.force = true;
  auto forced = Run(*db, o);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(Rows(*db, "items"), 1 + forced->items);
  EXPECT_TRUE(db->items().GetItem("mine").ok());

  // The command line refuses before loading anything heavy, and says how to proceed.
  db.reset();
  std::string out;
  EXPECT_NE(
      testing::RunCommand(testing::BulwarkBinary() + " demo --db sqlite:" + dir_.File("busy.db") +
                              " --data-dir " + kData.string() + " 2>&1",
                          &out),
      0);
  EXPECT_NE(out.find("--force"), std::string::npos) << out;
}

}  // namespace
}  // namespace bulwark::demo
