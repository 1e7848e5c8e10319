// Conformance suite for store::Database. Every backend must pass it; today the factory list has
// the embedded SQLite backend (PostgreSQL joins it when its backend lands).

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/sqlite/connection.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::store {
namespace {

using testing::MakeItem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = Open(); }
  std::unique_ptr<Database> Open(OpenOptions o = {}) {
    auto db = OpenDatabase("sqlite:" + dir_.File("test.db"), o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(StoreTest, OpensAtLatestSchemaAndReopensWithoutMigrating) {
  EXPECT_EQ(db_->schema_version(), db_->latest_schema_version());
  db_.reset();
  OpenOptions o;
  o.migrate = false;
  auto again = Open(o);
  EXPECT_EQ(again->schema_version(), again->latest_schema_version());
  auto applied = again->Migrate();
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 0);
}

TEST_F(StoreTest, RefusesADatabaseFromTheFuture) {
  db_.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("test.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "INSERT INTO schema_migrations VALUES (999, 'future', 0)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto db = OpenDatabase("sqlite:" + dir_.File("test.db"), OpenOptions{});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kFailedPrecondition);
}

TEST_F(StoreTest, AuthorHistoryCountsItemsAndEnforcementOnThem) {
  std::vector<Item> batch = {MakeItem("a1", "one"), MakeItem("a2", "two"), MakeItem("b1", "x")};
  batch[0].author_id = batch[1].author_id = "alice";
  batch[2].author_id = "bob";
  ASSERT_TRUE(db_->items().UpsertItems(batch, 1000).ok());
  auto decision = [](std::string item, ActionType a) {
    Decision d;
    d.item_id = std::move(item);
    d.item_revision = 1;
    d.action = a;
    d.actor = "system";
    d.created_at = 2000;
    return d;
  };
  ASSERT_TRUE(db_->decisions()
                  .AppendDecisions(
                      {decision("a1", ActionType::kRemove), decision("a1", ActionType::kReview),
                       decision("a2", ActionType::kLabel), decision("b1", ActionType::kRemove)})
                  .ok());
  auto alice = db_->items().GetAuthorHistory("alice", "");
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(alice->items, 2);
  EXPECT_EQ(alice->enforced, 2);  // the review is not an enforcement
  EXPECT_EQ(alice->removed, 1);
  EXPECT_EQ(alice->first_seen_at, 1000);
  auto nobody = db_->items().GetAuthorHistory("nobody", "");
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(nobody->items, 0);
  EXPECT_EQ(nobody->enforced, 0);

  // A reviewer removes a2. Its second reviewer must not learn that from the count (issue 9,
  // item 3); the reviewer of any other item sees it.
  Decision by_reviewer = decision("a2", ActionType::kRemove);
  by_reviewer.actor = "reviewer:user:7";
  ASSERT_TRUE(db_->decisions().AppendDecisions({by_reviewer}).ok());
  auto blind = db_->items().GetAuthorHistory("alice", "a2");
  ASSERT_TRUE(blind.ok());
  EXPECT_EQ(blind->enforced, 2);  // the automated label on a2 still counts
  EXPECT_EQ(blind->removed, 1);
  auto other = db_->items().GetAuthorHistory("alice", "a1");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->enforced, 3);
  EXPECT_EQ(other->removed, 2);
}

TEST_F(StoreTest, UpsertCreatesRevisesAndKeepsEveryRevision) {
  std::vector<Item> batch = {MakeItem("a", "first"), MakeItem("b", "other")};
  auto r = db_->items().UpsertItems(batch, 1000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->created, 2);

  batch = {MakeItem("a", "edited"), MakeItem("b", "other")};
  batch[1].lang = "en";
  r = db_->items().UpsertItems(batch, 2000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->revised, 1);
  EXPECT_EQ(r->unchanged, 1);

  auto a = db_->items().GetItem("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->item.text, "edited");
  EXPECT_EQ(a->revision, 2);
  ASSERT_EQ(a->revisions.size(), 2u);
  EXPECT_EQ(a->revisions[0].text, "first");
  EXPECT_EQ(a->revisions[0].received_at, 1000);
  EXPECT_EQ(a->revisions[1].text, "edited");
  EXPECT_EQ(a->first_seen_at, 1000);
  EXPECT_EQ(a->updated_at, 2000);

  auto b = db_->items().GetItem("b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->revision, 1);
  EXPECT_EQ(b->item.lang, "en");  // metadata updates without a new revision
}

TEST_F(StoreTest, KeepsGroupVisibilityAndPublicFigureFlag) {
  Item item = MakeItem("p", "text", "senator");
  item.author_is_public_figure = true;
  item.group_id = "g";
  item.group_visibility = Visibility::kPrivate;
  item.kind = ItemKind::kComment;
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{item}, 1).ok());
  auto got = db_->items().GetItem("p");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->item.author_is_public_figure);
  EXPECT_EQ(got->item.group_id, "g");
  EXPECT_EQ(got->item.group_visibility, Visibility::kPrivate);
  EXPECT_EQ(got->item.kind, ItemKind::kComment);
}

TEST_F(StoreTest, UnknownItemIsNotFound) {
  EXPECT_EQ(db_->items().GetItem("nope").status().code(), Code::kNotFound);
}

TEST_F(StoreTest, DanglingParentRejectsTheWholeBatch) {
  Item child = MakeItem("c", "reply");
  child.parent_id = "missing";
  std::vector<Item> batch = {MakeItem("ok", "fine"), child};
  auto r = db_->items().UpsertItems(batch, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().field(), "[1].parent_id");
  EXPECT_EQ(db_->items().GetItem("ok").status().code(), Code::kNotFound);  // all or nothing
}

TEST_F(StoreTest, ParentEarlierInTheSameBatchIsAccepted) {
  Item child = MakeItem("c", "reply");
  child.parent_id = "p";
  std::vector<Item> batch = {MakeItem("p", "post"), child};
  ASSERT_TRUE(db_->items().UpsertItems(batch, 1).ok());
  EXPECT_EQ(db_->items().GetItem("c")->item.parent_id, "p");
}

TEST_F(StoreTest, DuplicateIdsInABatchAreRejected) {
  std::vector<Item> batch = {MakeItem("x", "1"), MakeItem("x", "2")};
  auto r = db_->items().UpsertItems(batch, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "[1].id");
}

TEST_F(StoreTest, ViewsAccumulateAndSamplesAreKept) {
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{MakeItem("a", "t")}, 1).ok());
  std::vector<ViewEvent> views = {{"a", 5, 100, "feed"}, {"a", 7, 50, "group"}};
  std::vector<ViewSample> samples = {{"a", 100, "feed", 0.5}};
  auto r = db_->events().AppendViews(views, samples, 200);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 2);
  EXPECT_EQ(db_->items().GetItem("a")->views, 12);
  auto stats = db_->Stats();
  ASSERT_TRUE(stats.ok());
  for (const auto& t : stats->tables) {
    if (t.table == "view_samples") {
      EXPECT_EQ(t.rows, 1);
    }
  }
}

TEST_F(StoreTest, ViewOfUnknownItemRejectsTheBatch) {
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{MakeItem("a", "t")}, 1).ok());
  std::vector<ViewEvent> views = {{"a", 1, 1, ""}, {"ghost", 1, 1, ""}};
  auto r = db_->events().AppendViews(views, {}, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "[1].item_id");
  EXPECT_EQ(db_->items().GetItem("a")->views, 0);
}

TEST_F(StoreTest, ReportsAreIdempotentByIdAndCounted) {
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{MakeItem("a", "t")}, 1).ok());
  Report rep{"r1", "a", "u9", ReportReason::kHate, "slur", 10};
  auto r = db_->events().AppendReports(std::vector<Report>{rep}, 11);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1);
  r = db_->events().AppendReports(std::vector<Report>{rep}, 12);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(db_->items().GetItem("a")->reports, 1);
  Report bad{"r2", "ghost", "u9", ReportReason::kHate, "", 10};
  EXPECT_EQ(db_->events().AppendReports(std::vector<Report>{bad}, 12).status().code(),
            Code::kFailedPrecondition);
}

TEST_F(StoreTest, AdImpressionsCheckEveryAdjacentItem) {
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{MakeItem("a", "t")}, 1).ok());
  AdImpression imp{"i1", "ad", "adv", 1500, "USD", 5, {{"a", -1}}};
  auto r = db_->events().AppendAdImpressions(std::vector<AdImpression>{imp}, 6);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1);
  EXPECT_EQ(db_->events().AppendAdImpressions(std::vector<AdImpression>{imp}, 6)->duplicates, 1);
  AdImpression dangling{"i2", "ad", "adv", 1500, "USD", 5, {{"a", -1}, {"ghost", 1}}};
  auto bad = db_->events().AppendAdImpressions(std::vector<AdImpression>{dangling}, 6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "[0].adjacent[1].item_id");
}

TEST_F(StoreTest, KeysCreateFindListRevoke) {
  ApiKeyRecord k{"abc", "platform-a", Role::kPlatform, "hash", 5, std::nullopt};
  ASSERT_TRUE(db_->keys().CreateKey(k).ok());
  EXPECT_EQ(db_->keys().CreateKey(k).code(), Code::kAlreadyExists);
  auto found = db_->keys().FindKey("abc");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->secret_hash, "hash");
  EXPECT_FALSE(found->revoked_at.has_value());
  ASSERT_TRUE(db_->keys().RevokeKey("abc", 9).ok());
  EXPECT_EQ(db_->keys().FindKey("abc")->revoked_at, 9);
  EXPECT_EQ(db_->keys().RevokeKey("zzz", 9).code(), Code::kNotFound);
  EXPECT_EQ(db_->keys().ListKeys()->size(), 1u);
}

TEST_F(StoreTest, ConcurrentReadersSeeCommittedBatchesWhileWriting) {
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, failures{0};
  std::thread writer([&] {
    for (int b = 0; b < 50; ++b) {
      std::vector<Item> batch;
      for (int i = 0; i < 20; ++i) {
        batch.push_back(MakeItem("i" + std::to_string(b * 20 + i), "text"));
      }
      if (!db_->items().UpsertItems(batch, b).ok()) failures++;
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        auto r = db_->items().GetItem("i0");
        if (r.ok()) {
          reads++;
        } else if (r.status().code() != Code::kNotFound) {
          failures++;
        }
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(db_->items().GetItem("i999").ok());
}

}  // namespace
}  // namespace bulwark::store

namespace bulwark::store {
namespace {

TEST_F(StoreTest, RepeatedAuthorsStillRecordAChangedPublicFigureFlag) {
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{MakeItem("a", "x", "mayor")}, 1).ok());
  Item b = MakeItem("b", "y", "mayor");
  b.author_is_public_figure = true;  // the platform now marks the author as a public figure
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{b}, 2).ok());
  EXPECT_TRUE(db_->items().GetItem("a")->item.author_is_public_figure);
}

TEST_F(StoreTest, ARolledBackBatchLeavesNoRememberedAuthor) {
  Item bad = MakeItem("c", "reply", "newcomer");
  bad.author_is_public_figure = true;
  bad.parent_id = "missing";
  ASSERT_FALSE(db_->items().UpsertItems(std::vector<Item>{bad}, 1).ok());
  Item ok = MakeItem("d", "post", "newcomer");
  ok.author_is_public_figure = true;
  ASSERT_TRUE(db_->items().UpsertItems(std::vector<Item>{ok}, 2).ok());
  EXPECT_TRUE(db_->items().GetItem("d")->item.author_is_public_figure);
}

}  // namespace
}  // namespace bulwark::store

namespace bulwark::store {
namespace {

// Regression: Stats() left its count statements mid-result, so the pooled reader kept an old
// snapshot and later reads on it (e.g. the enforcement worker's) missed new items.
TEST_F(StoreTest, ReadsAfterStatsSeeLaterCommits) {
  OpenOptions one_reader;
  one_reader.read_connections = 1;
  db_.reset();
  db_ = Open(one_reader);
  ASSERT_TRUE(db_->Stats().ok());
  ASSERT_TRUE(db_->decisions().Head().ok());
  std::vector<Item> batch = {MakeItem("late", "written after the stats")};
  ASSERT_TRUE(db_->items().UpsertItems(batch, 1).ok());
  EXPECT_EQ(db_->enforcement().PendingEnforcement(10)->size(), 1u);
  EXPECT_EQ(*db_->enforcement().PendingCount(), 1);
}

TEST_F(StoreTest, EnforcementProgressMarksItemsAndEditsMakeThemPendingAgain) {
  std::vector<Item> batch = {MakeItem("a", "one"), MakeItem("b", "two")};
  ASSERT_TRUE(db_->items().UpsertItems(batch, 1).ok());
  ASSERT_TRUE(db_->events().AppendViews(std::vector<ViewEvent>{{"a", 9, 1, ""}}, {}, 1).ok());
  auto pending = db_->enforcement().PendingEnforcement(10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].item.text, "one");
  EXPECT_EQ((*pending)[0].views, 9);

  Decision d;
  d.item_id = "a";
  d.item_revision = 1;
  d.action = ActionType::kRemove;
  std::vector<EnforcedMark> done = {{"a", 1, 0}, {"b", 1, 0}};
  auto r = db_->enforcement().RecordEnforcement({d}, {}, done);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].seq, 1);
  EXPECT_EQ(*db_->enforcement().PendingCount(), 0);

  batch = {MakeItem("b", "two, edited")};
  ASSERT_TRUE(db_->items().UpsertItems(batch, 2).ok());
  pending = db_->enforcement().PendingEnforcement(10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].item.id, "b");
  EXPECT_EQ((*pending)[0].revision, 2);

  // A failed recording changes nothing: neither the log nor the progress.
  Decision ghost = d;
  ghost.item_id = "ghost";
  std::vector<EnforcedMark> b2 = {{"b", 2, 0}};
  EXPECT_FALSE(db_->enforcement().RecordEnforcement({ghost}, {}, b2).ok());
  EXPECT_EQ(*db_->enforcement().PendingCount(), 1);
  EXPECT_EQ(db_->decisions().Head()->seq, 1);

  auto all = db_->enforcement().ItemsAfter("", 10);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(db_->enforcement().ItemsAfter("a", 10)->size(), 1u);
}

}  // namespace
}  // namespace bulwark::store

namespace bulwark {
namespace {

// Issue 9, item 9: a full or read-only disk is the server's fault, not the client's: 503
// (Unavailable) with a generic message, never 413 with SQLite's text.
TEST(SqliteStatusTest, StorageFaultsAreUnavailableWithAGenericMessage) {
  for (int rc : {SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_IOERR_WRITE}) {
    Status s = store::sqlite::SqliteStatus(rc, "insert into items", nullptr);
    EXPECT_EQ(s.code(), Code::kUnavailable) << rc;
    EXPECT_EQ(s.message().find("insert into items"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("nothing was stored"), std::string::npos) << s.message();
  }
  EXPECT_EQ(store::sqlite::SqliteStatus(SQLITE_BUSY, "x", nullptr).code(), Code::kUnavailable);
  EXPECT_EQ(store::sqlite::SqliteStatus(SQLITE_CORRUPT, "x", nullptr).code(), Code::kInternal);
}

}  // namespace
}  // namespace bulwark

namespace bulwark::store {
namespace {

using testing::MakeItem;

TEST(ReachStepTest, OneTwoFivePerDecadeFromOneHundred) {
  EXPECT_EQ(ReachStep(0), 0);
  EXPECT_EQ(ReachStep(99), 0);
  EXPECT_EQ(ReachStep(100), 1);
  EXPECT_EQ(ReachStep(199), 1);
  EXPECT_EQ(ReachStep(200), 2);
  EXPECT_EQ(ReachStep(500), 3);
  EXPECT_EQ(ReachStep(999), 3);
  EXPECT_EQ(ReachStep(1000), 4);
  EXPECT_EQ(ReachStep(10000), 7);
  EXPECT_EQ(ReachStep(1000000), 13);
  EXPECT_GT(ReachStep(INT64_MAX), ReachStep(INT64_MAX / 10));
}

// Reports and reach are signals: they make an enforced item pending again, once however many
// arrive before the pipeline gets to it, and the pipeline's mark says which signal it saw.
TEST_F(StoreTest, ReportsAndReachStepsMakeAnEnforcedItemPendingAgain) {
  std::vector<Item> batch = {MakeItem("a", "one"), MakeItem("b", "two")};
  ASSERT_TRUE(db_->items().UpsertItems(batch, 1).ok());
  auto pending = db_->enforcement().PendingEnforcement(10);
  ASSERT_EQ(pending->size(), 2u);
  std::vector<EnforcedMark> done = {{"a", 1, (*pending)[0].signal}, {"b", 1, (*pending)[1].signal}};
  ASSERT_TRUE(db_->enforcement().RecordEnforcement({}, {}, done).ok());
  ASSERT_EQ(*db_->enforcement().PendingCount(), 0);

  Report r{"r1", "a", "p1", ReportReason::kHate, "", 5, 0};
  std::vector<Report> reports = {r};
  auto s = db_->events().AppendReports(reports, 10);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->requeued, 1);
  EXPECT_EQ(db_->events().AppendReports(reports, 11)->requeued, 0) << "a retry is no new signal";
  pending = db_->enforcement().PendingEnforcement(10);
  ASSERT_EQ(pending->size(), 1u);
  const EnforcementItem seen = (*pending)[0];
  EXPECT_EQ(seen.item.id, "a");
  EXPECT_EQ(seen.reports, 1);
  ASSERT_EQ(seen.report_signals.size(), 1u);
  EXPECT_EQ(seen.report_signals[0].reporter_id, "p1");

  // A report that lands while the pipeline works on what it read keeps the item pending.
  reports = {{"r2", "a", "p2", ReportReason::kHate, "", 6, 1234}};
  ASSERT_EQ(db_->events().AppendReports(reports, 12)->requeued, 1);
  done = {{"a", seen.revision, seen.signal}};
  ASSERT_TRUE(db_->enforcement().RecordEnforcement({}, {}, done).ok());
  pending = db_->enforcement().PendingEnforcement(10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].report_signals.size(), 2u);
  EXPECT_EQ((*pending)[0].report_signals[1].reporter_created_at, 1234);
  done = {{"a", 1, (*pending)[0].signal}};
  ASSERT_TRUE(db_->enforcement().RecordEnforcement({}, {}, done).ok());
  ASSERT_EQ(*db_->enforcement().PendingCount(), 0);

  // Views: a batch that crosses a reach step requeues; one within a step does not.
  auto views = [&](std::int64_t n) {
    return db_->events().AppendViews(std::vector<ViewEvent>{{"b", n, 1, ""}}, {}, 1)->requeued;
  };
  EXPECT_EQ(views(50), 0);
  EXPECT_EQ(views(49), 0);
  EXPECT_EQ(views(1), 1) << "100 views";
  EXPECT_EQ(views(98), 0);
  EXPECT_EQ(views(5000), 1) << "5,198 views: several steps at once, one requeue";
  EXPECT_EQ(*db_->enforcement().PendingCount(), 1);
}

TEST_F(StoreTest, IdempotentEnforcementLogsAnOutcomeOnceAndRaisesItsWaitingCase) {
  std::vector<Item> batch = {MakeItem("a", "one")};
  ASSERT_TRUE(db_->items().UpsertItems(batch, 1).ok());
  Decision d;
  d.item_id = "a";
  d.item_revision = 1;
  d.action = ActionType::kReview;
  d.category = "harassment";
  d.rule_id = "harassment.reported";
  d.actor = "system";
  std::vector<ReviewRequest> reviews = {{0, "harassment", 300, 5}};
  auto first = db_->enforcement().RecordEnforcement({d}, reviews, {});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  reviews = {{0, "harassment", 450, 5}};
  for (int i = 0; i < 3; ++i) {
    auto again = db_->enforcement().RecordEnforcement({d}, reviews, {});
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->empty()) << "the same item, revision, rule and outcome";
  }
  EXPECT_EQ(db_->decisions().Head()->seq, 1);
  auto waiting = db_->review().WaitingCases("harassment", 0, 10);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].priority, 450) << "more reach or reports still raise the case";
  // Another outcome, or the same one on a new revision, is logged.
  Decision remove = d;
  remove.action = ActionType::kRemove;
  remove.rule_id = "harassment.remove";
  Decision next = d;
  next.item_revision = 2;
  auto more = db_->enforcement().RecordEnforcement({remove, next, remove}, {}, {});
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->size(), 2u) << "a repeat within one batch is dropped too";
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

TEST_F(StoreTest, AReviewersDecisionResolvesTheReportsAndBuildsTheReportersRecord) {
  std::vector<Item> batch = {MakeItem("a", "one"), MakeItem("b", "two")};
  ASSERT_TRUE(db_->items().UpsertItems(batch, 1).ok());
  std::vector<Report> reports = {{"r1", "a", "p1", ReportReason::kHate, "", 5, 0},
                                 {"r2", "b", "p1", ReportReason::kHate, "", 5, 0},
                                 {"r3", "b", "p2", ReportReason::kHate, "", 5, 0}};
  ASSERT_TRUE(db_->events().AppendReports(reports, 10).ok());
  auto rep = db_->events().GetReport("r1");
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->report.item_id, "a");
  EXPECT_EQ(rep->received_at, 10);
  EXPECT_EQ(rep->outcome, "");
  EXPECT_EQ(db_->events().GetReport("nope").status().code(), Code::kNotFound);

  auto decide = [&](const std::string& item, ActionType a, const std::string& actor) {
    Decision d;
    d.item_id = item;
    d.item_revision = 1;
    d.action = a;
    d.category = "hate";
    d.actor = actor;
    d.created_at = 20;
    ASSERT_TRUE(db_->decisions().AppendDecisions({d}).ok());
  };
  decide("a", ActionType::kRemove, "system");
  EXPECT_EQ(db_->events().GetReport("r1")->outcome, "") << "only a person's decision resolves";
  decide("a", ActionType::kRemove, "reviewer:user:rev1");
  decide("b", ActionType::kNone, "reviewer:user:rev2");
  EXPECT_EQ(db_->events().GetReport("r1")->outcome, "upheld");
  EXPECT_EQ(db_->events().GetReport("r3")->outcome, "rejected");
  decide("b", ActionType::kRemove, "reviewer:user:rev3");
  EXPECT_EQ(db_->events().GetReport("r3")->outcome, "rejected") << "resolved once";

  // p1: one upheld, one rejected; p2: one rejected. Enforcement sees the records.
  std::vector<Item> c = {MakeItem("c", "three")};
  ASSERT_TRUE(db_->items().UpsertItems(c, 30).ok());
  reports = {{"r4", "c", "p1", ReportReason::kHate, "", 40, 0},
             {"r5", "c", "p2", ReportReason::kHate, "", 41, 0}};
  ASSERT_TRUE(db_->events().AppendReports(reports, 50).ok());
  auto items = db_->enforcement().ItemsAfter("b", 1);
  ASSERT_EQ(items->size(), 1u);
  const auto& sig = (*items)[0].report_signals;
  ASSERT_EQ(sig.size(), 2u);
  EXPECT_EQ(sig[0].reporter_id, "p1");
  EXPECT_EQ(sig[0].upheld, 1);
  EXPECT_EQ(sig[0].rejected, 1);
  EXPECT_EQ(sig[1].upheld, 0);
  EXPECT_EQ(sig[1].rejected, 1);
}

}  // namespace
}  // namespace bulwark::store
