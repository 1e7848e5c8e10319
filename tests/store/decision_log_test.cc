// The decision log: append-only, hash-chained, and `VerifyLog` names the first entry that was
// edited, deleted or reordered directly in the database.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "core/log_signing.h"
#include "store/log_checkpoint.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::store {
namespace {

class DecisionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("sqlite:" + Path(), OpenOptions{})).value();
    std::vector<Item> items = {testing::MakeItem("a", "x"), testing::MakeItem("b", "y")};
    ASSERT_TRUE(db_->items().UpsertItems(items, 1).ok());
    std::vector<Decision> ds;
    for (int i = 0; i < 5; ++i) {
      Decision d;
      d.item_id = i % 2 ? "b" : "a";
      d.item_revision = 1;
      d.action = i == 3 ? ActionType::kRemove : ActionType::kReview;
      d.category = "hate";
      d.rule_id = "hate.review";
      d.policy_version = "default@1";
      d.model_version = "m1";
      d.actor = "system";
      d.reason = "HATE_SLUR: slur aimed at a protected group";
      d.evidence = R"({"score":0.91})";
      d.created_at = 1000 + i;
      ds.push_back(d);
    }
    auto r = db_->decisions().AppendDecisions(ds);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::string Path() const { return dir_.File("log.db"); }

  // Runs SQL against the file behind Bulwark's back, as an attacker with disk access would.
  void Tamper(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(Path().c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(raw);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(DecisionLogTest, AppendsAChainAndVerifiesClean) {
  auto head = db_->decisions().Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 5);
  auto all = db_->decisions().ListDecisions(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].prev_hash, GenesisHash());
  for (size_t i = 1; i < all->size(); ++i) EXPECT_EQ((*all)[i].prev_hash, (*all)[i - 1].hash);
  EXPECT_EQ(all->back().hash, head->hash);
  auto v = db_->decisions().VerifyLog();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries_checked, 5);
  EXPECT_EQ(v->head.hash, head->hash);
}

TEST_F(DecisionLogTest, CursorPagesAndPerItemHistory) {
  auto page = db_->decisions().ListDecisions(2, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 3);
  EXPECT_EQ((*page)[1].seq, 4);
  auto b = db_->decisions().DecisionsForItem("b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[1].action, ActionType::kRemove);
}

TEST_F(DecisionLogTest, ChainContinuesAcrossAppendsAndChecksItems) {
  Decision d;
  d.item_id = "a";
  d.action = ActionType::kRestore;
  d.actor = "appeal:7";
  auto r = db_->decisions().AppendDecisions({d});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].seq, 6);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
  d.item_id = "ghost";
  auto bad = db_->decisions().AppendDecisions({d});
  EXPECT_EQ(bad.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(db_->decisions().Head()->seq, 6);
}

TEST_F(DecisionLogTest, TheDatabaseRefusesUpdatesAndDeletes) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &raw), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "UPDATE decisions SET action='none' WHERE seq=2", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM decisions WHERE seq=2", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

TEST_F(DecisionLogTest, EditedEntryIsNamed) {
  Tamper("DROP TRIGGER decisions_no_update; UPDATE decisions SET action='none' WHERE seq=4");
  auto v = db_->decisions().VerifyLog();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_seq, 4);
  EXPECT_NE(v->problem.find("edited"), std::string::npos) << v->problem;
}

TEST_F(DecisionLogTest, EditedReasonWithOnlyItsOwnHashRecomputedBreaksTheNextLink) {
  auto all = db_->decisions().ListDecisions(0, 100);
  ASSERT_TRUE(all.ok());
  Decision edited = (*all)[1];
  edited.reason = "ok";
  Tamper("DROP TRIGGER decisions_no_update; UPDATE decisions SET reason='ok', hash='" +
         ChainHash(edited.prev_hash, edited) + "' WHERE seq=2");
  auto v = db_->decisions().VerifyLog();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_seq, 3);
  EXPECT_NE(v->problem.find("prev_hash"), std::string::npos) << v->problem;
}

// Issue 9, item 8: someone with write access drops the triggers, edits an entry and recomputes
// its hash and every later one. The chain is internally consistent again, so VerifyLog passes;
// only a head signed before the edit and kept elsewhere catches it.
TEST_F(DecisionLogTest, RewrittenChainWithEveryHashRecomputedIsCaughtOnlyByASignedHead) {
  auto key = LogSigningKey::FromSeed(std::string(32, 's'));
  ASSERT_TRUE(key.ok());
  auto before = db_->decisions().Head();
  ASSERT_TRUE(before.ok());
  const SignedHead checkpoint = key->Sign(before->seq, before->hash, 1'764'000'000'000);
  const SignedHead early = key->Sign(1, (*db_->decisions().ListDecisions(0, 1))[0].hash, 0);
  ASSERT_TRUE(CheckCheckpoint(db_->decisions(), checkpoint, key->public_key()).ok());

  // Rewrite entry 2's reason, then recompute the chain from entry 2 on.
  auto all = db_->decisions().ListDecisions(0, 100);
  ASSERT_TRUE(all.ok());
  std::string sql = "DROP TRIGGER decisions_no_update;";
  std::string prev = (*all)[0].hash;
  for (size_t i = 1; i < all->size(); ++i) {
    Decision d = (*all)[i];
    if (d.seq == 2) d.reason = "NONE: nothing to see";
    d.prev_hash = prev;
    d.hash = ChainHash(d.prev_hash, d);
    sql += "UPDATE decisions SET reason='" + d.reason + "', prev_hash='" + d.prev_hash +
           "', hash='" + d.hash + "' WHERE seq=" + std::to_string(d.seq) + ";";
    prev = d.hash;
  }
  Tamper(sql);
  ASSERT_EQ(db_->decisions().ListDecisions(1, 1)->front().reason, "NONE: nothing to see");

  auto v = db_->decisions().VerifyLog();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << "the rewritten chain is consistent: " << v->problem;
  EXPECT_EQ(v->head.seq, 5);
  EXPECT_NE(v->head.hash, before->hash);

  Status s = CheckCheckpoint(db_->decisions(), checkpoint, key->public_key());
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("entry 5"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("rewritten"), std::string::npos) << s.message();
  // A head from before the edited entry still holds; a forged "checkpoint" of the new head made
  // with another key does not verify against the published key.
  EXPECT_TRUE(CheckCheckpoint(db_->decisions(), early, key->public_key()).ok());
  auto other = LogSigningKey::FromSeed(std::string(32, 'x'));
  SignedHead forged = other->Sign(5, v->head.hash, 1'764'000'000'000);
  EXPECT_EQ(CheckCheckpoint(db_->decisions(), forged, key->public_key()).code(),
            Code::kInvalidArgument);
}

TEST_F(DecisionLogTest, CheckpointBeyondTheLogMeansEntriesWereRemoved) {
  auto key = LogSigningKey::FromSeed(std::string(32, 's'));
  SignedHead ahead = key->Sign(9, std::string(64, 'a'), 0);
  Status s = CheckCheckpoint(db_->decisions(), ahead, key->public_key());
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("removed"), std::string::npos) << s.message();
  EXPECT_TRUE(
      CheckCheckpoint(db_->decisions(), key->Sign(0, GenesisHash(), 0), key->public_key()).ok());
}

TEST_F(DecisionLogTest, DeletedEntryIsNamed) {
  Tamper("DROP TRIGGER decisions_no_delete; DELETE FROM decisions WHERE seq=3");
  auto v = db_->decisions().VerifyLog();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_seq, 4);
  EXPECT_NE(v->problem.find("expected entry 3"), std::string::npos) << v->problem;
}

TEST_F(DecisionLogTest, ReorderedEntriesAreNamed) {
  Tamper(
      "DROP TRIGGER decisions_no_update;"
      "UPDATE decisions SET seq=100 WHERE seq=2; UPDATE decisions SET seq=2 WHERE seq=3;"
      "UPDATE decisions SET seq=3 WHERE seq=100;");
  auto v = db_->decisions().VerifyLog();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_seq, 2);
}

}  // namespace
}  // namespace bulwark::store
