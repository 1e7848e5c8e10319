// The bulwark command line: keys, ingest, db, help.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/migrations.h"
#include "store/store.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = testing::BulwarkBinary();
    db_ = "sqlite:" + dir_.File("cli.db");
  }
  int Run(const std::string& args, std::string* out, bool with_stderr = true) {
    out->clear();
    return testing::RunCommand(bin_ + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"), out);
  }
  std::string bin_, db_;
  testing::TempDir dir_;
};

TEST_F(CliTest, HelpExplainsEveryCommandWithAnExample) {
  std::string out;
  EXPECT_EQ(Run("--help", &out), 0);
  for (const char* cmd : {"serve", "keys", "ingest", "db", "log", "train", "eval", "policy",
                          "enforce", "scan", "version", "demo", "review"}) {
    EXPECT_NE(out.find(cmd), std::string::npos) << cmd;
  }
  for (const char* cmd :
       {"serve", "keys create", "keys list", "keys revoke", "ingest", "db migrate", "db stats",
        "demo", "review check", "review stats", "log verify", "log checkpoint"}) {
    EXPECT_EQ(Run(std::string(cmd) + " --help", &out), 0) << cmd;
    EXPECT_NE(out.find("Example: bulwark"), std::string::npos) << cmd << "\n" << out;
  }
  EXPECT_NE(Run("frobnicate", &out), 0);
}

TEST_F(CliTest, KeysCreateListRevoke) {
  std::string out;
  ASSERT_EQ(Run("keys create --db " + db_ + " --name acme --role auditor", &out, false), 0) << out;
  ASSERT_EQ(out.rfind("bwk_", 0), 0u) << out;
  std::string id = out.substr(4, 12);
  ASSERT_EQ(Run("keys list --db " + db_, &out), 0);
  EXPECT_NE(out.find(id), std::string::npos);
  EXPECT_NE(out.find("auditor"), std::string::npos);
  EXPECT_EQ(out.find("bwk_"), std::string::npos) << "list must never show secrets";
  ASSERT_EQ(Run("keys revoke --db " + db_ + " " + id, &out), 0) << out;
  EXPECT_NE(Run("keys revoke --db " + db_ + " 000000000000", &out), 0);
  EXPECT_NE(Run("keys create --db " + db_ + " --name x --role emperor", &out), 0);
  EXPECT_NE(out.find("unknown role"), std::string::npos);
}

TEST_F(CliTest, IngestLoadsAFileAndRejectsABadOneWhole) {
  std::string good = dir_.File("good.jsonl");
  {
    std::ofstream f(good);
    for (int i = 0; i < 2500; ++i) {
      f << R"({"id":"i)" << i << R"(","author_id":"u","text":"post )" << i
        << R"(","created_at":"2026-01-01T00:00:00Z"})"
        << "\n";
    }
    f << R"({"id":"i0","author_id":"u","text":"edited","created_at":"2026-01-01T00:00:00Z"})"
      << "\n";
  }
  std::string out;
  ASSERT_EQ(Run("ingest " + good + " --db " + db_ + " --quiet", &out), 0) << out;
  EXPECT_NE(out.find("2500 created, 1 revised"), std::string::npos) << out;

  std::string bad = dir_.File("bad.jsonl");
  {
    std::ofstream f(bad);
    f << R"({"id":"n1","author_id":"u","text":"ok","created_at":"2026-01-01T00:00:00Z"})"
      << "\n";
    f << R"({"id":"n2","author_id":"u","text":"ok","created_at":"never"})"
      << "\n";
  }
  EXPECT_NE(Run("ingest " + bad + " --db " + db_ + " --quiet", &out), 0);
  EXPECT_NE(out.find("bad.jsonl:2: created_at"), std::string::npos) << out;

  ASSERT_EQ(Run("db stats --db " + db_, &out), 0) << out;
  EXPECT_NE(out.find("items           2500"), std::string::npos) << out;  // n1 not loaded
  EXPECT_NE(out.find("item_revisions  2501"), std::string::npos) << out;
}

TEST_F(CliTest, DbMigrateIsIdempotent) {
  std::string out;
  ASSERT_EQ(Run("db migrate --db " + db_, &out), 0) << out;
  EXPECT_NE(out.find("schema version 0 -> " + std::to_string(store::LatestSchemaVersion())),
            std::string::npos)
      << out;
  ASSERT_EQ(Run("db migrate --db " + db_, &out), 0) << out;
  EXPECT_NE(out.find("0 migrations applied"), std::string::npos) << out;
  EXPECT_NE(Run("db stats --db sqlite:" + dir_.File("missing/none.db"), &out), 0);
}

}  // namespace
}  // namespace bulwark

namespace bulwark {
namespace {

TEST_F(CliTest, LogVerifyPassesCleanAndNamesTheFirstEditedEntry) {
  std::string out;
  std::string items = dir_.File("items.jsonl");
  {
    std::ofstream f(items);
    f << R"({"id":"a","author_id":"u","text":"x","created_at":"2026-01-01T00:00:00Z"})"
      << "\n";
  }
  ASSERT_EQ(Run("ingest " + items + " --db " + db_ + " --quiet", &out), 0) << out;
  {
    auto db = std::move(store::OpenDatabase(db_, store::OpenOptions{})).value();
    std::vector<Decision> ds(4);
    for (auto& d : ds) {
      d.item_id = "a";
      d.action = ActionType::kReview;
      d.reason = "r";
    }
    ASSERT_TRUE(db->decisions().AppendDecisions(ds).ok());
  }
  ASSERT_EQ(Run("log verify --db " + db_, &out), 0) << out;
  EXPECT_NE(out.find("OK: 4 entries"), std::string::npos) << out;

  // Edit entry 3 directly in the file, as someone with disk access could.
  std::string path = dir_.File("cli.db");
  std::string sql =
      "DROP TRIGGER decisions_no_update; UPDATE decisions SET action='none' WHERE seq=3;";
  ASSERT_EQ(testing::RunCommand("sqlite3 " + path + " \"" + sql + "\" 2>&1", &out), 0) << out;
  EXPECT_EQ(Run("log verify --db " + db_, &out), 1) << out;
  EXPECT_NE(out.find("BROKEN at entry 3"), std::string::npos) << out;
}

TEST_F(CliTest, LogVerifyDetectsTruncationAgainstAPublishedHead) {
  std::string out;
  std::string items = dir_.File("items.jsonl");
  {
    std::ofstream f(items);
    f << R"({"id":"a","author_id":"u","text":"x","created_at":"2026-01-01T00:00:00Z"})"
      << "\n";
  }
  ASSERT_EQ(Run("ingest " + items + " --db " + db_ + " --quiet", &out), 0) << out;
  {
    auto db = std::move(store::OpenDatabase(db_, store::OpenOptions{})).value();
    std::vector<Decision> ds(3);
    for (auto& d : ds) d.item_id = "a";
    ASSERT_TRUE(db->decisions().AppendDecisions(ds).ok());
  }
  ASSERT_EQ(Run("log head --db " + db_, &out, false), 0);
  std::string published = out.substr(out.find(' ') + 1, 64);
  ASSERT_EQ(Run("log verify --db " + db_ + " --expect-head " + published, &out), 0) << out;
  std::string path = dir_.File("cli.db");
  ASSERT_EQ(testing::RunCommand("sqlite3 " + path +
                                    " \"DROP TRIGGER decisions_no_delete; DELETE FROM decisions "
                                    "WHERE seq=3;\" 2>&1",
                                &out),
            0)
      << out;
  EXPECT_EQ(Run("log verify --db " + db_, &out), 0) << "a truncated chain is still a chain";
  EXPECT_EQ(Run("log verify --db " + db_ + " --expect-head " + published, &out), 1) << out;
  EXPECT_NE(out.find("not in the log"), std::string::npos) << out;
}

}  // namespace
}  // namespace bulwark

namespace bulwark {
namespace {

TEST_F(CliTest, PolicyCheckPassesTheDefaultAndRejectsAPoliticianExemption) {
  std::string out;
  const std::string src = BULWARK_SOURCE_DIR;
  ASSERT_EQ(Run("policy check " + src + "/data/policy/default.policy --golden " + src +
                    "/tests/policy/golden_cases",
                &out),
            0)
      << out;
  std::string bad = dir_.File("exempt.policy");
  {
    std::string text;
    std::ifstream in(src + "/data/policy/default.policy");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    text +=
        "\n[rule threat.politicians_exempt]\ncategory = threat\nscore >= 0.5\n"
        "author_is_public_figure = true\naction = none\nreason_code = newsworthy\n"
        "reason = Public figures may say this\n";
    std::ofstream(bad) << text;
  }
  EXPECT_EQ(Run("policy check " + bad, &out), 1) << out;
  EXPECT_NE(out.find("exempt.policy:"), std::string::npos) << out;
  EXPECT_NE(out.find("public-figure-exemption"), std::string::npos) << out;
}

TEST_F(CliTest, EnforceRecordsExplainedDecisionsThatVerify) {
  std::string out;
  std::string items = dir_.File("items.jsonl");
  {
    std::ofstream f(items);
    f << R"({"id":"t","author_id":"u","text":"I am going to kill you","created_at":"2026-01-01T00:00:00Z"})"
      << "\n"
      << R"({"id":"n","author_id":"u","text":"See you at the lake on Sunday","created_at":"2026-01-01T00:00:00Z"})"
      << "\n";
  }
  ASSERT_EQ(Run("ingest " + items + " --db " + db_ + " --quiet", &out), 0) << out;
  const std::string src = BULWARK_SOURCE_DIR;
  std::string flags =
      " --db " + db_ + " --data-dir " + src + "/data --policy " + src +
      "/data/policy/default.policy --cache-dir " +
      (std::filesystem::temp_directory_path() / "bulwark-test-lexicon-cache").string();
  ASSERT_EQ(Run("enforce" + flags, &out), 0) << out;
  EXPECT_NE(out.find("enforced 2 items"), std::string::npos) << out;
  EXPECT_NE(out.find("remove"), std::string::npos) << out;
  ASSERT_EQ(Run("enforce" + flags, &out), 0) << out;
  EXPECT_NE(out.find("enforced 0 items"), std::string::npos) << out;  // nothing pending
  ASSERT_EQ(Run("enforce --all" + flags, &out), 0) << out;
  EXPECT_NE(out.find("enforced 2 items"), std::string::npos) << out;  // re-scan appends
  ASSERT_EQ(Run("log verify --db " + db_, &out), 0) << out;

  // The threat went to the threat queue; review stats reads the database.
  ASSERT_EQ(Run("review stats --db " + db_ + " --queues " + src + "/data/review/queues.json", &out),
            0)
      << out;
  EXPECT_NE(out.find("threat "), std::string::npos) << out;
  EXPECT_NE(out.find("overall: 0 pairs"), std::string::npos) << out;
  ASSERT_EQ(Run("review stats --json --db " + db_ + " --queues " + src +
                    "/data/review/queues.json --since 2020-01-01T00:00:00Z",
                &out),
            0)
      << out;
  EXPECT_NE(out.find("\"since\": \"2020-01-01T00:00:00.000Z\""), std::string::npos) << out;
  EXPECT_NE(Run("review stats --db " + db_ + " --queues " + src +
                    "/data/review/queues.json --since yesterday",
                &out),
            0);
  EXPECT_NE(out.find("--since"), std::string::npos) << out;
}

TEST_F(CliTest, ReviewCheckFindsAPolicyQueueMissingFromTheConfiguration) {
  std::string out;
  const std::string src = BULWARK_SOURCE_DIR;
  const std::string queues = " --queues " + src + "/data/review/queues.json";
  ASSERT_EQ(Run("review check" + queues + " --policy " + src + "/data/policy/default.policy", &out),
            0)
      << out;
  EXPECT_NE(out.find("0 errors"), std::string::npos) << out;
  std::string policy = dir_.File("new-team.policy");
  {
    std::string text;
    std::ifstream in(src + "/data/policy/default.policy");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    text +=
        "\n[rule hate.review.new_team]\ncategory = hate\nscore >= 0.5\n"
        "action = review:new_team priority:4\nreason_code = hate.review\nreason = r\n";
    std::ofstream(policy) << text;
  }
  EXPECT_EQ(Run("review check" + queues + " --policy " + policy, &out), 1) << out;
  EXPECT_NE(out.find("new-team.policy:"), std::string::npos) << out;
  EXPECT_NE(out.find("queue 'new_team'"), std::string::npos) << out;
  std::string bad = dir_.File("queues.json");
  std::ofstream(bad) << R"({"format":"bulwark-review-queues/1","queues":[{"id":"x"}]})";
  EXPECT_EQ(Run("review check --queues " + bad + " --policy " + policy, &out), 1) << out;
  EXPECT_NE(out.find("queues[0].title"), std::string::npos) << out;
}

}  // namespace
}  // namespace bulwark

namespace bulwark {
namespace {

class CliPolicyTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    src_ = BULWARK_SOURCE_DIR;
    detector_flags_ =
        " --data-dir " + src_ + "/data --cache-dir " +
        (std::filesystem::temp_directory_path() / "bulwark-test-lexicon-cache").string();
  }
  // The default policy under another version string, optionally weakened, written to a file.
  std::string PolicyFile(const std::string& version, bool weaker = false) {
    std::ifstream in(src_ + "/data/policy/default.policy");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("version = 1.0.0"), 15, "version = " + version);
    if (weaker) {
      const std::string from = "score      >= 0.80\naction      = remove";
      text.replace(text.find(from), from.size(), "score      >= 0.80\naction      = label:violent");
    }
    std::string path = dir_.File("policy-" + version + ".policy");
    std::ofstream(path) << text;
    return path;
  }
  std::string src_, detector_flags_;
};

TEST_F(CliPolicyTest, EveryLifecycleCommandHasHelpWithAnExample) {
  std::string out;
  for (const char* cmd : {"draft", "submit", "approve", "reject", "activate", "list", "show"}) {
    EXPECT_EQ(Run(std::string("policy ") + cmd + " --help", &out), 0) << cmd;
    EXPECT_NE(out.find("Example: bulwark policy " + std::string(cmd)), std::string::npos)
        << cmd << "\n"
        << out;
  }
}

TEST_F(CliPolicyTest, DraftSubmitSignOffActivateListShow) {
  std::string out;
  const std::string db = " --db " + db_;
  ASSERT_EQ(Run("policy draft " + PolicyFile("2.0.0") + " --author alice" + db, &out), 0) << out;
  EXPECT_NE(out.find("version 1: default@2.0.0  state draft"), std::string::npos) << out;
  EXPECT_EQ(Run("policy approve 1 --as carol --role civil_rights" + db, &out), 1) << out;
  EXPECT_NE(out.find("is draft"), std::string::npos) << out;
  ASSERT_EQ(Run("policy submit 1" + db + detector_flags_, &out), 0) << out;
  EXPECT_NE(out.find("state in_review"), std::string::npos) << out;
  EXPECT_NE(out.find("backtest against no policy"), std::string::npos) << out;

  // Separation of duties and the civil-rights role, as on the HTTP API.
  EXPECT_EQ(Run("policy approve 1 --as alice --role civil_rights" + db, &out), 1) << out;
  EXPECT_NE(out.find("alice wrote version 1"), std::string::npos) << out;
  EXPECT_EQ(Run("policy approve 1 --as dave --role admin" + db, &out), 1) << out;
  EXPECT_NE(out.find("only role civil_rights may approve"), std::string::npos) << out;
  EXPECT_EQ(Run("policy approve 1 --as carol --role emperor" + db, &out), 1) << out;
  ASSERT_EQ(Run("policy approve 1 --as carol --role civil_rights --comment fine" + db, &out), 0)
      << out;
  EXPECT_EQ(Run("policy activate 1 --as alice --role policy_author" + db, &out), 1) << out;
  ASSERT_EQ(Run("policy activate 1 --as dave --role admin" + db, &out), 0) << out;
  EXPECT_NE(out.find("state active"), std::string::npos) << out;
  EXPECT_NE(out.find("decision log entry 1"), std::string::npos) << out;

  ASSERT_EQ(Run("policy list" + db, &out), 0) << out;
  EXPECT_NE(out.find("active     default@2.0.0"), std::string::npos) << out;
  ASSERT_EQ(Run("policy show 1" + db, &out), 0) << out;
  for (const char* s : {"approved    carol", "in_review -> approved  carol as civil_rights: fine",
                        "approved  -> active    dave as admin"}) {
    EXPECT_NE(out.find(s), std::string::npos) << s << "\n" << out;
  }
  ASSERT_EQ(Run("policy show 1 --text" + db, &out, false), 0);
  std::ifstream in(dir_.File("policy-2.0.0.policy"));
  EXPECT_EQ(out, std::string((std::istreambuf_iterator<char>(in)), {}));  // byte for byte
  EXPECT_EQ(Run("policy show 7" + db, &out), 1);
  ASSERT_EQ(Run("log verify" + db, &out), 0) << out;
}

TEST_F(CliPolicyTest, EnforceImportsThePolicyFileOnceThenFollowsTheDatabase) {
  std::string out;
  std::string items = dir_.File("items.jsonl");
  std::ofstream(items)
      << R"({"id":"t","author_id":"u","text":"I am going to kill you","created_at":"2026-01-01T00:00:00Z"})"
      << "\n";
  ASSERT_EQ(Run("ingest " + items + " --db " + db_ + " --quiet", &out), 0) << out;
  const std::string flags = " --db " + db_ + detector_flags_;
  ASSERT_EQ(Run("enforce" + flags + " --policy " + src_ + "/data/policy/default.policy", &out), 0)
      << out;
  EXPECT_NE(out.find("imported"), std::string::npos) << out;
  EXPECT_NE(out.find("activated it (actor bootstrap"), std::string::npos) << out;
  ASSERT_EQ(Run("policy list --db " + db_, &out), 0) << out;
  EXPECT_NE(out.find("1     active     default@1.0.0                bootstrap"), std::string::npos)
      << out;

  // Another file no longer replaces the active version: it is named and ignored.
  const std::string other = PolicyFile("9.0.0", /*weaker=*/true);
  ASSERT_EQ(Run("enforce --all" + flags + " --policy " + other, &out), 0) << out;
  EXPECT_NE(out.find("differs and is not used"), std::string::npos) << out;
  // The database's version decided again: the same outcomes as before, so nothing new is logged
  // (enforcement is idempotent); the weaker file would have logged a new label outcome.
  EXPECT_NE(out.find("enforced 1 items: 0 decisions"), std::string::npos) << out;
  ASSERT_EQ(Run("policy list --db " + db_, &out), 0) << out;
  EXPECT_EQ(out.find("9.0.0"), std::string::npos) << out;
  ASSERT_EQ(Run("log verify --db " + db_, &out), 0) << out;
}

}  // namespace
}  // namespace bulwark
