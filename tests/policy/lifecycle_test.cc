// The policy lifecycle with a real database, the shipped detectors and the real backtest:
// every legal and illegal transition, the role rules, separation of duties, stale backtests,
// the bootstrap import and the activation entry in the decision log.

#include "policy/lifecycle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "detect/detector.h"
#include "enforce/backtest.h"
#include "enforce/backtest_jobs.h"
#include "testing/temp_dir.h"

namespace bulwark::policy {
namespace {

using nlohmann::json;
using store::PolicyState;

std::string DefaultText() {
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The default policy under another version string.
std::string Versioned(std::string text, const std::string& version) {
  const std::string line = "version = 1.0.0";
  size_t at = text.find(line);
  EXPECT_NE(at, std::string::npos);
  return text.replace(at, line.size(), "version = " + version);
}

// A proposal that weakens threat removal to a label (lint-clean, but looser).
std::string Weakened(const std::string& version) {
  std::string text = Versioned(DefaultText(), version);
  const std::string from =
      "[rule threat.remove]\ncategory    = threat\nscore      >= 0.80\n"
      "action      = remove";
  const std::string to =
      "[rule threat.remove]\ncategory    = threat\nscore      >= 0.80\n"
      "action      = label:violent";
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos);
  return text.replace(at, from.size(), to);
}

// A proposal the lint rejects: public figures exempted from threat removal.
std::string Exempting(const std::string& version) {
  return Versioned(DefaultText(), version) +
         "\n[rule threat.politicians_exempt]\ncategory = threat\nscore >= 0.5\n"
         "author_is_public_figure = true\naction = none\nreason_code = newsworthy\n"
         "reason = Public figures may say this\n";
}

const Actor kAlice{"alice", Role::kPolicyAuthor};
const Actor kBob{"bob", Role::kPolicyAuthor};
const Actor kCarol{"carol", Role::kCivilRights};
const Actor kErin{"erin", Role::kCivilRights};
const Actor kDave{"dave", Role::kAdmin};
const Actor kAudrey{"audrey", Role::kAuditor};

class LifecycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    detect::DetectorConfig dc;
    dc.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
    dc.lexicon_cache_dir =
        (std::filesystem::temp_directory_path() / "bulwark-test-lexicon-cache").string();
    detectors_ = new detect::DetectorHandle(dc);
    ASSERT_TRUE(detectors_->Reload().ok());
  }
  static void TearDownTestSuite() { delete detectors_; }
  void SetUp() override {
    db_ =
        std::move(store::OpenDatabase("sqlite:" + dir_.File("l.db"), store::OpenOptions{})).value();
    std::vector<Item> items = {
        testing::MakeItem("t", "I am going to kill you and your whole family"),
        testing::MakeItem("h", "Muslims are vermin and should be driven out of this country"),
        testing::MakeItem("n", "Lovely weather for the town picnic today")};
    ASSERT_TRUE(db_->items().UpsertItems(items, 1).ok());
    lifecycle_ = std::make_unique<Lifecycle>(db_->policies(), clock_,
                                             enforce::StoredItemsBacktest(*db_, *detectors_));
  }

  std::int64_t Drafted(const std::string& text, const Actor& author = kAlice) {
    auto d = lifecycle_->Draft(text, "proposal.policy", author);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->version.id : 0;
  }
  std::int64_t Submitted(const std::string& text) {
    std::int64_t id = Drafted(text);
    auto s = lifecycle_->Submit(id, kAlice);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return id;
  }
  std::int64_t Approved(const std::string& text) {
    std::int64_t id = Submitted(text);
    auto a = lifecycle_->Approve(id, kCarol, "looked at the backtest");
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return id;
  }
  std::int64_t Active(const std::string& text) {
    std::int64_t id = Approved(text);
    auto a = lifecycle_->Activate(id, kDave);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return id;
  }
  PolicyState StateOf(std::int64_t id) { return db_->policies().GetVersion(id)->state; }
  static void ExpectState(const Status& s, const std::string& context) {
    EXPECT_EQ(s.code(), Code::kFailedPrecondition) << context << ": " << s.ToString();
    EXPECT_EQ(s.field(), "state") << context;
  }

  static detect::DetectorHandle* detectors_;
  testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Lifecycle> lifecycle_;
};
detect::DetectorHandle* LifecycleTest::detectors_ = nullptr;

TEST_F(LifecycleTest, DraftSubmitApproveActivateRetiresTheOldVersionAndIsLogged) {
  auto boot = lifecycle_->Bootstrap(DefaultText(), "default.policy");
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  const std::int64_t v1 = boot->active.id;

  auto drafted = lifecycle_->Draft(Weakened("1.1.0"), "proposal.policy", kAlice, "why");
  ASSERT_TRUE(drafted.ok()) << drafted.status().ToString();
  EXPECT_FALSE(HasLintErrors(drafted->lint));
  const std::int64_t v2 = drafted->version.id;
  EXPECT_EQ(drafted->version.state, PolicyState::kDraft);
  EXPECT_EQ(drafted->version.name, "default");
  EXPECT_EQ(drafted->version.version, "1.1.0");
  EXPECT_EQ(drafted->version.author, "alice");
  EXPECT_EQ(drafted->version.sha256.size(), 64u);

  auto submitted = lifecycle_->Submit(v2, kAlice);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_EQ(submitted->state, PolicyState::kInReview);
  EXPECT_EQ(submitted->submitted_by, "alice");
  EXPECT_EQ(submitted->backtest_against, v1);
  // The stored backtest summary: what the change does, by category and target group.
  json bt = json::parse(submitted->backtest);
  EXPECT_EQ(bt["items"], 3);
  EXPECT_EQ(bt["changed"], 1);
  EXPECT_EQ(bt["looser"], 1);
  EXPECT_EQ(bt["stricter"], 0);
  EXPECT_EQ(bt["against"]["policy_version"], "default@1.0.0");
  EXPECT_EQ(bt["proposed"]["policy_version"], "default@1.1.0");
  ASSERT_EQ(bt["changes"].size(), 1u);
  EXPECT_EQ(bt["changes"][0]["category"], "threat");
  EXPECT_EQ(bt["changes"][0]["old"].get<std::string>().rfind("remove", 0), 0u);
  EXPECT_FALSE(bt["detectors"]["lexicon"].get<std::string>().empty());

  auto approved = lifecycle_->Approve(v2, kCarol, "threat labels are acceptable here");
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->state, PolicyState::kApproved);
  EXPECT_EQ(approved->approved_by, "carol");
  EXPECT_EQ(approved->approval_comment, "threat labels are acceptable here");
  EXPECT_GT(approved->approved_at, 0);

  auto activated = lifecycle_->Activate(v2, kDave, "go");
  ASSERT_TRUE(activated.ok()) << activated.status().ToString();
  EXPECT_EQ(activated->activated.state, PolicyState::kActive);
  EXPECT_EQ(activated->activated.activated_by, "dave");
  ASSERT_TRUE(activated->retired.has_value());
  EXPECT_EQ(activated->retired->id, v1);
  EXPECT_EQ(StateOf(v1), PolicyState::kRetired);
  EXPECT_EQ(db_->policies().ActiveVersion()->id, v2);

  // The activation is an entry of the hash-chained decision log.
  const bulwark::Decision& entry = activated->log_entry;
  EXPECT_EQ(entry.action, ActionType::kActivatePolicy);
  EXPECT_EQ(entry.item_id, "");
  EXPECT_EQ(entry.actor, "admin:dave");
  EXPECT_EQ(entry.policy_version, "default@1.1.0");
  EXPECT_NE(entry.reason.find("approved by carol"), std::string::npos) << entry.reason;
  EXPECT_NE(entry.reason.find("retires default@1.0.0"), std::string::npos) << entry.reason;
  json ev = json::parse(entry.evidence);
  EXPECT_EQ(ev["sha256"], activated->activated.sha256);
  EXPECT_EQ(ev["approved_by"], "carol");
  EXPECT_EQ(ev["retired"]["policy_version_id"], v1);
  EXPECT_EQ(ev["backtest"]["changed"], 1);
  auto log = db_->decisions().ListDecisions(0, 10);
  ASSERT_EQ(log->size(), 2u);  // the bootstrap import, then this activation
  EXPECT_EQ((*log)[0].actor, "bootstrap");
  EXPECT_EQ((*log)[1].hash, entry.hash);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);

  // Every transition is in the history: who, role, from, to, comment.
  auto history = db_->policies().History(v2);
  ASSERT_EQ(history->size(), 4u);
  const char* expected[][3] = {{"", "draft", "alice"},
                               {"draft", "in_review", "alice"},
                               {"in_review", "approved", "carol"},
                               {"approved", "active", "dave"}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*history)[i].from, expected[i][0]);
    EXPECT_EQ((*history)[i].to, expected[i][1]);
    EXPECT_EQ((*history)[i].actor, expected[i][2]);
  }
  EXPECT_EQ((*history)[2].role, "civil_rights");
  EXPECT_EQ((*history)[2].comment, "threat labels are acceptable here");
  EXPECT_EQ(db_->policies().History(v1)->back().to, "retired");
}

TEST_F(LifecycleTest, EveryIllegalTransitionIsRefusedAndChangesNothing) {
  const std::int64_t active = Active(Versioned(DefaultText(), "1"));
  const std::int64_t retired = Active(Versioned(DefaultText(), "2"));  // retires "1"...
  const std::int64_t current = Active(Versioned(DefaultText(), "3"));  // ...and "2"
  ASSERT_EQ(StateOf(active), PolicyState::kRetired);
  ASSERT_EQ(StateOf(retired), PolicyState::kRetired);
  ASSERT_EQ(StateOf(current), PolicyState::kActive);
  const std::int64_t draft = Drafted(Versioned(DefaultText(), "4"));
  const std::int64_t review = Submitted(Versioned(DefaultText(), "5"));
  const std::int64_t approved = Approved(Versioned(DefaultText(), "6"));
  const std::int64_t rejected = Submitted(Versioned(DefaultText(), "7"));
  ASSERT_TRUE(lifecycle_->Reject(rejected, kCarol, "no").ok());

  struct Case {
    std::int64_t id;
    const char* name;
  };
  const std::vector<Case> all = {{draft, "draft"},       {review, "in_review"},
                                 {approved, "approved"}, {current, "active"},
                                 {retired, "retired"},   {rejected, "rejected"}};
  auto states_before = [&] {
    std::vector<PolicyState> s;
    for (const Case& c : all) s.push_back(StateOf(c.id));
    return s;
  };
  const auto before = states_before();
  const auto log_head = db_->decisions().Head()->seq;
  for (const Case& c : all) {
    const std::string s = c.name;
    if (s != "draft" && s != "approved")
      ExpectState(lifecycle_->Submit(c.id, kAlice).status(), "submit " + s);
    if (s != "in_review") ExpectState(lifecycle_->Approve(c.id, kCarol).status(), "approve " + s);
    if (s != "in_review" && s != "approved") {
      ExpectState(lifecycle_->Reject(c.id, kCarol, "no").status(), "reject " + s);
    }
    if (s != "approved") ExpectState(lifecycle_->Activate(c.id, kDave).status(), "activate " + s);
  }
  EXPECT_EQ(states_before(), before);
  EXPECT_EQ(db_->decisions().Head()->seq, log_head);
  EXPECT_EQ(db_->policies().ActiveVersion()->id, current);
  auto msg = lifecycle_->Activate(draft, kDave).status().message();
  EXPECT_NE(msg.find("is draft: only an approved version can be activated"), std::string::npos)
      << msg;
  EXPECT_EQ(lifecycle_->Submit(999, kAlice).status().code(), Code::kNotFound);
}

TEST_F(LifecycleTest, LegalSideStepsRejectAnApprovedVersionAndResubmitIt) {
  const std::int64_t a = Approved(Versioned(DefaultText(), "1"));
  auto rejected = lifecycle_->Reject(a, kErin, "signed off too early");
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  EXPECT_EQ(rejected->state, PolicyState::kRejected);
  EXPECT_TRUE(rejected->approved_by.empty()) << "the withdrawn sign-off no longer stands";
  EXPECT_EQ(db_->policies().History(a)->back().comment, "signed off too early");

  const std::int64_t b = Approved(Versioned(DefaultText(), "2"));
  auto again = lifecycle_->Submit(b, kBob);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->state, PolicyState::kInReview);
  EXPECT_TRUE(again->approved_by.empty()) << "a resubmitted version needs a new sign-off";
  auto history = db_->policies().History(b);  // the old approval stays in the history
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[2].to, "approved");
  EXPECT_EQ((*history)[3].from, "approved");
  EXPECT_EQ((*history)[3].to, "in_review");
}

TEST_F(LifecycleTest, ASignOffNeedsAPasswordTheApproverChose) {
  const std::int64_t review = Submitted(Versioned(DefaultText(), "2"));
  // A staff session whose password an admin set (created or reset it): refused, naming actor.
  Actor set_by_admin{"carol", Role::kCivilRights, std::string("user:dave")};
  Status s = lifecycle_->Approve(review, set_by_admin).status();
  EXPECT_EQ(s.code(), Code::kPermissionDenied) << s.ToString();
  EXPECT_EQ(s.field(), "actor");
  EXPECT_NE(s.message().find("user:dave"), std::string::npos) << s.message();
  // Unknown provenance (an account from before the column existed) is not the owner's choice.
  Actor legacy{"carol", Role::kCivilRights, std::string()};
  EXPECT_EQ(lifecycle_->Approve(review, legacy).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(StateOf(review), PolicyState::kInReview);
  // Once the owner has chosen it, the sign-off goes through.
  Actor own{"carol", Role::kCivilRights, std::string("user:carol")};
  auto ok = lifecycle_->Approve(review, own, "read the backtest");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->approved_by, "carol");
}

TEST_F(LifecycleTest, RolesAreEnforced) {
  auto denied = [](const Status& s, const std::string& what) {
    EXPECT_EQ(s.code(), Code::kPermissionDenied) << what << ": " << s.ToString();
  };
  denied(lifecycle_->Draft(DefaultText(), "p", kCarol).status(), "civil rights drafts");
  denied(lifecycle_->Draft(DefaultText(), "p", kAudrey).status(), "auditor drafts");
  EXPECT_TRUE(lifecycle_->Draft(Versioned(DefaultText(), "9"), "p", kDave).ok()) << "admin drafts";
  const std::int64_t draft = Drafted(Versioned(DefaultText(), "1"));
  denied(lifecycle_->Submit(draft, kCarol).status(), "civil rights submits");
  const std::int64_t review = Submitted(Versioned(DefaultText(), "2"));
  for (const Actor& a : {kDave, kBob, kAudrey}) {
    Status s = lifecycle_->Approve(review, a).status();
    denied(s, "approve as " + std::string(RoleName(a.role)));
    EXPECT_NE(s.message().find("only role civil_rights may approve"), std::string::npos)
        << s.message();
    denied(lifecycle_->Reject(review, a, "no").status(), "reject as " + a.id);
  }
  ASSERT_TRUE(lifecycle_->Approve(review, kCarol).ok());
  denied(lifecycle_->Activate(review, kAlice).status(), "a policy author activates");
  denied(lifecycle_->Activate(review, kAudrey).status(), "an auditor activates");
  EXPECT_EQ(StateOf(review), PolicyState::kApproved);
  auto by_civil_rights = lifecycle_->Activate(review, kErin);
  ASSERT_TRUE(by_civil_rights.ok()) << by_civil_rights.status().ToString();
  EXPECT_EQ(by_civil_rights->log_entry.actor, "civil_rights:erin");
}

TEST_F(LifecycleTest, TheAuthorMayNotSignOffTheirOwnVersion) {
  // Carol drafts as an admin and then tries to approve as a civil-rights officer.
  const Actor carol_admin{"carol", Role::kAdmin};
  auto d = lifecycle_->Draft(Versioned(DefaultText(), "1"), "p", carol_admin);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(lifecycle_->Submit(d->version.id, carol_admin).ok());
  Status own = lifecycle_->Approve(d->version.id, kCarol).status();
  EXPECT_EQ(own.code(), Code::kPermissionDenied);
  EXPECT_NE(own.message().find("carol wrote version"), std::string::npos) << own.message();
  EXPECT_EQ(lifecycle_->Reject(d->version.id, kCarol, "mine").status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(StateOf(d->version.id), PolicyState::kInReview);
  EXPECT_TRUE(lifecycle_->Approve(d->version.id, kErin).ok());
}

TEST_F(LifecycleTest, SubmissionNeedsAParsingLintCleanTextAndABacktest) {
  auto unparsable = lifecycle_->Draft(
      "format = bulwark-policy/1\npolicy = x\nversion = 1\ntitle = t\n"
      "[rule a]\ncategory = threats\n",
      "text", kAlice);
  EXPECT_EQ(unparsable.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(unparsable.status().field(), "text:6");
  EXPECT_NE(unparsable.status().message().find("unknown category"), std::string::npos)
      << unparsable.status().message();

  // A lint error is allowed in a draft and blocks its submission.
  auto exempting = lifecycle_->Draft(Exempting("2"), "text", kAlice);
  ASSERT_TRUE(exempting.ok()) << exempting.status().ToString();
  EXPECT_TRUE(HasLintErrors(exempting->lint));
  Status s = lifecycle_->Submit(exempting->version.id, kAlice).status();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.field().rfind("text:", 0), 0u) << s.field();
  EXPECT_NE(s.message().find("public-figure-exemption"), std::string::npos) << s.message();
  EXPECT_EQ(StateOf(exempting->version.id), PolicyState::kDraft);

  // No detectors, no backtest, no submission.
  Lifecycle blind(db_->policies(), clock_);
  const std::int64_t id = Drafted(Versioned(DefaultText(), "3"));
  EXPECT_EQ(blind.Submit(id, kAlice).status().code(), Code::kUnavailable);
  EXPECT_EQ(StateOf(id), PolicyState::kDraft);

  EXPECT_EQ(lifecycle_->Draft(Versioned(DefaultText(), "3"), "p", kBob).status().code(),
            Code::kAlreadyExists);
}

TEST_F(LifecycleTest, CommentsAreCheckedAndARejectionSaysWhy) {
  const std::int64_t id = Submitted(Versioned(DefaultText(), "1"));
  Status none = lifecycle_->Reject(id, kCarol, "").status();
  EXPECT_EQ(none.code(), Code::kInvalidArgument);
  EXPECT_EQ(none.field(), "comment");
  Status tall = lifecycle_->Approve(id, kCarol, std::string(kMaxCommentBytes + 1, 'x')).status();
  EXPECT_EQ(tall.code(), Code::kInvalidArgument);
  EXPECT_EQ(tall.field(), "comment");
  EXPECT_EQ(lifecycle_->Approve(id, {"", Role::kCivilRights}).status().field(), "actor");
  EXPECT_EQ(StateOf(id), PolicyState::kInReview);
}

TEST_F(LifecycleTest, ASignOffAgainstAReplacedVersionMustBeRedone) {
  const std::int64_t base = Active(Versioned(DefaultText(), "1"));
  const std::int64_t a = Approved(Versioned(DefaultText(), "2"));
  const std::int64_t b = Approved(Weakened("3"));
  const std::int64_t c = Submitted(Versioned(DefaultText(), "4"));
  ASSERT_TRUE(lifecycle_->Activate(a, kDave).ok());  // b and c were backtested against base

  Status stale = lifecycle_->Activate(b, kDave).status();
  ExpectState(stale, "activate stale");
  EXPECT_NE(stale.message().find("backtested against version " + std::to_string(base)),
            std::string::npos)
      << stale.message();
  EXPECT_NE(stale.message().find("submit it again"), std::string::npos);
  ExpectState(lifecycle_->Approve(c, kCarol).status(), "approve stale");
  EXPECT_EQ(db_->policies().ActiveVersion()->id, a);

  auto redone = lifecycle_->Submit(b, kAlice);
  ASSERT_TRUE(redone.ok()) << redone.status().ToString();
  EXPECT_EQ(redone->backtest_against, a);
  ASSERT_TRUE(lifecycle_->Approve(b, kCarol).ok());
  EXPECT_TRUE(lifecycle_->Activate(b, kDave).ok());
  EXPECT_EQ(StateOf(a), PolicyState::kRetired);
}

TEST_F(LifecycleTest, TheFirstVersionIsBacktestedAgainstEnforcingNothing) {
  const std::int64_t id = Submitted(Versioned(DefaultText(), "1"));
  json bt = json::parse(db_->policies().GetVersion(id)->backtest);
  EXPECT_TRUE(bt["against"].is_null());
  EXPECT_GE(bt["changed"].get<int>(), 2) << bt.dump();   // the threat and the hate item
  EXPECT_GE(bt["stricter"].get<int>(), 1) << bt.dump();  // the threat is removed
  ASSERT_TRUE(lifecycle_->Approve(id, kCarol).ok());
  auto a = lifecycle_->Activate(id, kDave);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->retired.has_value());
}

TEST_F(LifecycleTest, BootstrapImportsOnlyIntoADatabaseWithoutAnActiveVersion) {
  Drafted(Versioned(DefaultText(), "0.9.0"));  // drafts do not count
  auto b = lifecycle_->Bootstrap(DefaultText(), "data/policy/default.policy");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(b->imported);
  EXPECT_EQ(b->active.state, PolicyState::kActive);
  EXPECT_EQ(b->active.author, "bootstrap");
  EXPECT_EQ(b->active.activated_by, "bootstrap");
  EXPECT_EQ(b->active.text, DefaultText());
  auto history = db_->policies().History(b->active.id);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].from, "");
  EXPECT_EQ((*history)[0].to, "active");
  EXPECT_NE((*history)[0].comment.find("data/policy/default.policy"), std::string::npos);
  auto log = db_->decisions().ListDecisions(0, 10);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].action, ActionType::kActivatePolicy);
  EXPECT_EQ((*log)[0].actor, "bootstrap");
  EXPECT_NE((*log)[0].reason.find("not signed off"), std::string::npos);

  auto same = lifecycle_->Bootstrap(DefaultText(), "default.policy");
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->imported);
  EXPECT_TRUE(same->same_text);
  auto other = lifecycle_->Bootstrap(Weakened("2"), "other.policy");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->imported);
  EXPECT_FALSE(other->same_text);
  EXPECT_EQ(other->active.id, b->active.id);
  EXPECT_EQ(db_->policies().ListVersions()->size(), 2u);
  EXPECT_EQ(db_->decisions().Head()->seq, 1);
}

TEST_F(LifecycleTest, BootstrapRefusesAPolicyThatFailsTheLint) {
  Status s = lifecycle_->Bootstrap(Exempting("1"), "exempt.policy").status();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(*db_->policies().ActiveVersionId(), 0);
  EXPECT_TRUE(db_->policies().ListVersions()->empty());
}

TEST_F(LifecycleTest, AStoredTextThatNoLongerMatchesItsHashIsNotParsed) {
  auto b = lifecycle_->Bootstrap(DefaultText(), "default.policy");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(ParseVersion(b->active).ok());
  store::PolicyVersion altered = b->active;
  altered.text += "\n# edited\n";
  EXPECT_EQ(ParseVersion(altered).status().code(), Code::kInternal);
}

// Over HTTP a submission only records the backtest as pending; the background runner completes
// it, writing progress as it goes, and approval waits for the result.
TEST_F(LifecycleTest, APendingBacktestBlocksApprovalUntilItHasRun) {
  auto boot = lifecycle_->Bootstrap(DefaultText(), "default.policy");
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  const std::int64_t id = Drafted(Weakened("1.1.0"));
  auto pending = lifecycle_->SubmitWithPendingBacktest(id, kAlice);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_EQ(pending->state, PolicyState::kInReview);
  EXPECT_EQ(pending->backtest_against, boot->active.id);
  json bt = json::parse(pending->backtest);
  EXPECT_EQ(bt["state"], "running");
  EXPECT_EQ(bt["items_scanned"], 0);
  EXPECT_EQ(bt["against"]["policy_version"], "default@1.0.0");

  Status early = lifecycle_->Approve(id, kCarol, "too soon").status();
  EXPECT_EQ(early.code(), Code::kFailedPrecondition) << early.ToString();
  EXPECT_EQ(early.field(), "backtest");
  EXPECT_NE(early.message().find("still running"), std::string::npos) << early.message();

  // A stop request leaves it pending.
  auto stopped = lifecycle_->RunBacktest(id, [] { return false; });
  EXPECT_EQ(stopped.status().code(), Code::kUnavailable);
  EXPECT_EQ(json::parse(db_->policies().GetVersion(id)->backtest)["state"], "running");

  auto ran = lifecycle_->RunBacktest(id);
  ASSERT_TRUE(ran.ok()) << ran.status().ToString();
  EXPECT_TRUE(*ran);
  bt = json::parse(db_->policies().GetVersion(id)->backtest);
  EXPECT_EQ(bt["state"], "done");
  EXPECT_EQ(bt["items"], 3);
  EXPECT_EQ(bt["changed"], 1);
  EXPECT_EQ(bt["against"]["policy_version"], "default@1.0.0");
  EXPECT_EQ(bt["proposed"]["policy_version"], "default@1.1.0");
  // Nothing left to run.
  auto again = lifecycle_->RunBacktest(id);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_TRUE(lifecycle_->Approve(id, kCarol, "read the backtest").ok());
}

TEST_F(LifecycleTest, AResubmissionMakesTheEarlierBacktestsWritesNoOps) {
  const std::int64_t id = Drafted(DefaultText());
  auto first = lifecycle_->SubmitWithPendingBacktest(id, kAlice);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Progress or a result of the first submission's run, written after a resubmission (a later
  // submitted_at), must not land on the new one.
  EXPECT_TRUE(*db_->policies().UpdateBacktest(id, first->submitted_at, R"({"state":"running"})"));
  EXPECT_FALSE(*db_->policies().UpdateBacktest(id, first->submitted_at + 1, R"({"state":"done"})"));
  EXPECT_EQ(json::parse(db_->policies().GetVersion(id)->backtest)["state"], "running");
}

TEST_F(LifecycleTest, BackgroundJobsRunQueuedAndInterruptedBacktests) {
  const std::int64_t a = Drafted(DefaultText());
  const std::int64_t b = Drafted(Weakened("1.1.0"));
  ASSERT_TRUE(lifecycle_->SubmitWithPendingBacktest(a, kAlice).ok());
  ASSERT_TRUE(lifecycle_->SubmitWithPendingBacktest(b, kAlice).ok());
  {
    // `a` is queued by its submission; `b` stands for a job a restart interrupted.
    enforce::BacktestJobs jobs(*db_, clock_, *detectors_);
    jobs.Enqueue(a);
    jobs.WaitIdle();
    EXPECT_EQ(jobs.finished(), 1);
    EXPECT_EQ(json::parse(db_->policies().GetVersion(a)->backtest)["state"], "done");
    EXPECT_EQ(json::parse(db_->policies().GetVersion(b)->backtest)["state"], "running");
  }
  enforce::BacktestJobs restarted(*db_, clock_, *detectors_);
  auto resumed = restarted.Resume();
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(*resumed, 1);
  restarted.WaitIdle();
  json bt = json::parse(db_->policies().GetVersion(b)->backtest);
  EXPECT_EQ(bt["state"], "done");
  EXPECT_EQ(bt["items"], 3);
}

}  // namespace
}  // namespace bulwark::policy
