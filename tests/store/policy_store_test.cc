// The policy store: versions with an append-only history, at most one active version (also in
// SQL), activation and retirement in one transaction with the decision-log entry.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "core/sha256.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::store {
namespace {

class PolicyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("sqlite:" + Path(), OpenOptions{})).value();
  }
  std::string Path() const { return dir_.File("policies.db"); }
  PolicyStore& store() { return db_->policies(); }

  static PolicyVersion Version(const std::string& version) {
    PolicyVersion v;
    v.name = "default";
    v.version = version;
    v.text = "format = bulwark-policy/1\npolicy = default\nversion = " + version + "\n";
    v.sha256 = Sha256Hex(v.text);
    v.author = "alice";
    v.created_at = 1000;
    return v;
  }
  static PolicyTransition By(const std::string& actor, const std::string& role, UnixMillis at) {
    PolicyTransition t;
    t.actor = actor;
    t.role = role;
    t.at = at;
    return t;
  }
  static ActivationEntryFn Entry() {
    return [](const PolicyVersion& v, const PolicyVersion*) -> Result<Decision> {
      Decision d;
      d.action = ActionType::kActivatePolicy;
      d.policy_version = v.name + "@" + v.version;
      d.actor = "admin:dave";
      d.reason = "activated";
      d.evidence = "{}";
      d.created_at = 5000;
      return d;
    };
  }
  // Moves a stored draft to approved through the generic transition.
  void Approve(std::int64_t id) {
    PolicyVersion v = *store().GetVersion(id);
    v.state = PolicyState::kInReview;
    ASSERT_TRUE(
        store().Transition(v, PolicyState::kDraft, By("alice", "policy_author", 2000)).ok());
    v.state = PolicyState::kApproved;
    v.approved_by = "carol";
    v.approved_at = 3000;
    ASSERT_TRUE(
        store().Transition(v, PolicyState::kInReview, By("carol", "civil_rights", 3000)).ok());
  }
  // Runs SQL against the file behind Bulwark's back; returns SQLite's error message ("" if none).
  std::string Raw(const std::string& sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(Path().c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(raw);
    return msg;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(PolicyStoreTest, StateNamesRoundTrip) {
  for (PolicyState s : {PolicyState::kDraft, PolicyState::kInReview, PolicyState::kApproved,
                        PolicyState::kActive, PolicyState::kRetired, PolicyState::kRejected}) {
    EXPECT_EQ(ParsePolicyState(PolicyStateName(s)), s);
  }
  EXPECT_EQ(PolicyStateName(PolicyState::kInReview), "in_review");
  EXPECT_FALSE(ParsePolicyState("live").has_value());
}

TEST_F(PolicyStoreTest, CreatesDraftsWithIdsAndLogsTheirCreation) {
  auto a = store().CreateVersion(Version("1"), By("alice", "policy_author", 1000));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = store().CreateVersion(Version("2"), By("alice", "policy_author", 1001));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->id, 1);
  EXPECT_EQ(b->id, 2);
  EXPECT_EQ(a->state, PolicyState::kDraft);
  EXPECT_EQ(store().GetVersion(1)->text, Version("1").text);
  auto list = store().ListVersions();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, 2);           // newest first
  EXPECT_TRUE((*list)[0].text.empty());  // the listing leaves texts out
  auto h = store().History(1);
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ((*h)[0].from, "");
  EXPECT_EQ((*h)[0].to, "draft");
  EXPECT_EQ((*h)[0].actor, "alice");
  EXPECT_EQ(store().GetVersion(9).status().code(), Code::kNotFound);
  EXPECT_EQ(store().ActiveVersion().status().code(), Code::kNotFound);
  EXPECT_EQ(*store().ActiveVersionId(), 0);
}

TEST_F(PolicyStoreTest, ANameAndVersionStringIsStoredOnceUnlessRejected) {
  ASSERT_TRUE(store().CreateVersion(Version("1"), By("alice", "policy_author", 1)).ok());
  auto again = store().CreateVersion(Version("1"), By("bob", "policy_author", 2));
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_NE(again.status().message().find("new version string"), std::string::npos);
  PolicyVersion v = *store().GetVersion(1);
  v.state = PolicyState::kInReview;
  ASSERT_TRUE(store().Transition(v, PolicyState::kDraft, By("alice", "policy_author", 3)).ok());
  v.state = PolicyState::kRejected;
  ASSERT_TRUE(store().Transition(v, PolicyState::kInReview, By("carol", "civil_rights", 4)).ok());
  // A rejected version never went live: its version string may be reused by a corrected text.
  EXPECT_TRUE(store().CreateVersion(Version("1"), By("alice", "policy_author", 5)).ok());
}

TEST_F(PolicyStoreTest, TransitionsAreCompareAndSetOnTheState) {
  ASSERT_TRUE(store().CreateVersion(Version("1"), By("alice", "policy_author", 1)).ok());
  PolicyVersion v = *store().GetVersion(1);
  v.state = PolicyState::kInReview;
  v.submitted_by = "alice";
  v.submitted_at = 2;
  v.backtest = R"({"items":3})";
  ASSERT_TRUE(store().Transition(v, PolicyState::kDraft, By("alice", "policy_author", 2)).ok());
  // Someone else submitted it meanwhile: this caller still believes it is a draft.
  auto stale = store().Transition(v, PolicyState::kDraft, By("bob", "policy_author", 3));
  EXPECT_EQ(stale.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(stale.status().field(), "state");
  PolicyVersion stored = *store().GetVersion(1);
  EXPECT_EQ(stored.state, PolicyState::kInReview);
  EXPECT_EQ(stored.backtest, R"({"items":3})");
  EXPECT_EQ(stored.submitted_at, 2);
  EXPECT_EQ(store().History(1)->size(), 2u);
  // Transition never activates.
  v.state = PolicyState::kActive;
  EXPECT_FALSE(store().Transition(v, PolicyState::kInReview, By("x", "admin", 4)).ok());
}

TEST_F(PolicyStoreTest, ActivationRetiresTheActiveVersionAndIsLogged) {
  ASSERT_TRUE(store().CreateVersion(Version("1"), By("alice", "policy_author", 1)).ok());
  ASSERT_TRUE(store().CreateVersion(Version("2"), By("alice", "policy_author", 1)).ok());
  Approve(1);
  Approve(2);
  auto first = store().Activate(1, By("dave", "admin", 4000), Entry());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->activated.state, PolicyState::kActive);
  EXPECT_EQ(first->activated.activated_by, "dave");
  EXPECT_FALSE(first->retired.has_value());
  EXPECT_EQ(first->log_entry.seq, 1);
  EXPECT_EQ(*store().ActiveVersionId(), 1);

  auto second = store().Activate(2, By("dave", "admin", 5000), Entry());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE(second->retired.has_value());
  EXPECT_EQ(second->retired->id, 1);
  EXPECT_EQ(second->retired->state, PolicyState::kRetired);
  EXPECT_EQ(store().GetVersion(1)->state, PolicyState::kRetired);
  EXPECT_EQ(store().ActiveVersion()->id, 2);
  auto h1 = store().History(1);
  EXPECT_EQ(h1->back().from, "active");
  EXPECT_EQ(h1->back().to, "retired");
  EXPECT_EQ(h1->back().actor, "dave");
  EXPECT_EQ(store().History(2)->back().to, "active");

  // Two entries about no item, in the verified chain.
  auto log = db_->decisions().ListDecisions(0, 10);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].action, ActionType::kActivatePolicy);
  EXPECT_EQ((*log)[1].item_id, "");
  EXPECT_EQ((*log)[1].policy_version, "default@2");
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

TEST_F(PolicyStoreTest, AFailedEntryAbortsTheWholeActivation) {
  ASSERT_TRUE(store().CreateVersion(Version("1"), By("alice", "policy_author", 1)).ok());
  Approve(1);
  auto refused =
      store().Activate(1, By("dave", "admin", 4000),
                       [](const PolicyVersion&, const PolicyVersion*) -> Result<Decision> {
                         return FailedPrecondition("no", "state");
                       });
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store().GetVersion(1)->state, PolicyState::kApproved);
  EXPECT_EQ(*store().ActiveVersionId(), 0);
  EXPECT_EQ(db_->decisions().Head()->seq, 0);
  EXPECT_EQ(store().History(1)->size(), 3u);
}

TEST_F(PolicyStoreTest, ImportActiveOnlyWhenNoVersionIsActive) {
  PolicyTransition boot = By("bootstrap", "", 100);
  auto imported = store().ImportActive(Version("1"), boot, Entry());
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->activated.state, PolicyState::kActive);
  EXPECT_EQ(imported->activated.activated_by, "bootstrap");
  EXPECT_EQ(store().History(imported->activated.id)->front().to, "active");
  EXPECT_EQ(db_->decisions().Head()->seq, 1);
  auto again = store().ImportActive(Version("2"), boot, Entry());
  EXPECT_EQ(again.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store().ListVersions()->size(), 1u);
}

TEST_F(PolicyStoreTest, TheDatabaseRefusesASecondActiveVersionAndHistoryEdits) {
  ASSERT_TRUE(store().ImportActive(Version("1"), By("bootstrap", "", 1), Entry()).ok());
  ASSERT_TRUE(store().CreateVersion(Version("2"), By("alice", "policy_author", 2)).ok());
  // Even behind Bulwark's back, SQL keeps at most one version active.
  EXPECT_NE(Raw("UPDATE policy_versions SET state = 'active' WHERE id = 2").find("UNIQUE"),
            std::string::npos);
  EXPECT_NE(Raw("UPDATE policy_transitions SET actor = 'mallory'").find("append-only"),
            std::string::npos);
  EXPECT_NE(Raw("DELETE FROM policy_transitions").find("append-only"), std::string::npos);
  EXPECT_NE(Raw("DELETE FROM policy_versions WHERE id = 2").find("never deleted"),
            std::string::npos);
  EXPECT_NE(Raw("UPDATE policy_versions SET text = 'x' WHERE id = 1").find("never change"),
            std::string::npos);
  EXPECT_NE(Raw("UPDATE policy_versions SET state = 'live' WHERE id = 2").find("CHECK"),
            std::string::npos);
}

TEST_F(PolicyStoreTest, OnlyActivationsMayNameNoItem) {
  Decision d;
  d.action = ActionType::kRemove;
  d.reason = "r";
  EXPECT_EQ(db_->decisions().AppendDecisions({d}).status().code(), Code::kFailedPrecondition);
  Decision a;
  a.action = ActionType::kActivatePolicy;
  a.item_id = "p1";
  EXPECT_EQ(db_->decisions().AppendDecisions({a}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::store
