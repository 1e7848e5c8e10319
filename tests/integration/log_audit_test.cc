// The decision log proving itself to an outsider (issue 9, item 8): `serve` creates the log
// signing key and refuses a loose or malformed one; `bulwark log checkpoint` writes signed
// heads; `bulwark log verify --from-feed` recomputes every hash from what a running server
// serves and catches a chain rewritten with every later hash recomputed, given a checkpoint.

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/decision.h"
#include "core/log_signing.h"
#include "store/store.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark {
namespace {

using testing::Process;

class LogAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = testing::BulwarkBinary();
    path_ = dir_.File("log.db");
    db_ = "sqlite:" + path_;
    auto db = std::move(store::OpenDatabase(db_, store::OpenOptions{})).value();
    std::vector<Item> items = {testing::MakeItem("a", "x"), testing::MakeItem("b", "y")};
    ASSERT_TRUE(db->items().UpsertItems(items, 1).ok());
    std::vector<Decision> ds(5);
    for (int i = 0; i < 5; ++i) {
      ds[i].item_id = i % 2 ? "b" : "a";
      ds[i].item_revision = 1;
      ds[i].action = i == 3 ? ActionType::kRemove : ActionType::kReview;
      ds[i].category = "hate";
      ds[i].actor = "system";
      ds[i].reason = "HATE_SLUR: slur aimed at a protected group";
      ds[i].evidence = R"({"score":0.91})";
      ds[i].created_at = 1'764'000'000'000 + i;
    }
    ASSERT_TRUE(db->decisions().AppendDecisions(ds).ok());
    std::string out;
    ASSERT_EQ(Run("keys create --db " + db_ + " --name auditor --role auditor", &out, false), 0);
    key_ = out.substr(0, out.find('\n'));
  }

  int Run(const std::string& args, std::string* out, bool with_stderr = true) {
    out->clear();
    return testing::RunCommand(bin_ + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"), out);
  }

  std::unique_ptr<Process> Serve(int* port) {
    std::string port_file = dir_.File("port" + std::to_string(starts_++));
    auto p = std::make_unique<Process>(std::vector<std::string>{
        bin_, "serve", "--db", db_, "--port", "0", "--threads", "2", "--port-file", port_file,
        "--no-detectors", "--data-dir", std::string(BULWARK_SOURCE_DIR) + "/data"});
    *port = testing::WaitForPortFile(port_file);
    return p;
  }

  std::string PublicKey() {
    auto k = LogSigningKey::Load(path_ + ".logkey");
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? k->public_key() : "";
  }

  // Rewrites entry 2's reason and recomputes every hash from there on, as someone with write
  // access to the file could: the chain stays internally consistent.
  void RewriteChain(const std::string& reason = "NONE: nothing here",
                    const std::string& reason_sql = "'NONE: nothing here'") {
    auto db = std::move(store::OpenDatabase(db_, store::OpenOptions{})).value();
    auto all = db->decisions().ListDecisions(0, 100);
    ASSERT_TRUE(all.ok());
    std::string sql = "DROP TRIGGER decisions_no_update;";
    std::string prev = (*all)[0].hash;
    for (size_t i = 1; i < all->size(); ++i) {
      Decision d = (*all)[i];
      if (d.seq == 2) d.reason = reason;
      d.prev_hash = prev;
      d.hash = ChainHash(prev, d);
      sql += "UPDATE decisions SET " +
             (d.seq == 2 ? "reason=" + reason_sql + ", " : std::string()) + "prev_hash='" +
             d.prev_hash + "', hash='" + d.hash + "' WHERE seq=" + std::to_string(d.seq) + ";";
      prev = d.hash;
    }
    std::string out;
    ASSERT_EQ(testing::RunCommand("sqlite3 " + path_ + " \"" + sql + "\" 2>&1", &out), 0) << out;
  }

  std::string bin_, path_, db_, key_;
  testing::TempDir dir_;
  int starts_ = 0;
};

TEST_F(LogAuditTest, ServeCreatesTheKeyAndRefusesALooseOrMalformedOne) {
  const std::string key_file = path_ + ".logkey";
  ASSERT_FALSE(std::filesystem::exists(key_file));
  {
    int port = 0;
    auto server = Serve(&port);
    ASSERT_GT(port, 0);
    server->Kill(SIGTERM);
  }
  struct stat st {};
  ASSERT_EQ(stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string public_key = PublicKey();

  std::string out;
  const std::string serve = "serve --db " + db_ + " --port 0 --no-detectors";
  ASSERT_EQ(chmod(key_file.c_str(), 0640), 0);
  EXPECT_EQ(Run(serve, &out), 1) << out;
  EXPECT_NE(out.find("chmod 600"), std::string::npos) << out;

  { std::ofstream(key_file, std::ios::trunc) << "not a key\n"; }
  ASSERT_EQ(chmod(key_file.c_str(), 0600), 0);
  EXPECT_EQ(Run(serve, &out), 1) << out;
  EXPECT_NE(out.find("not a Bulwark log signing key"), std::string::npos) << out;

  // --log-key puts it elsewhere (and creates it there).
  const std::string elsewhere = dir_.File("keys-elsewhere");
  {
    int port = 0;
    std::string port_file = dir_.File("port-elsewhere");
    Process p({bin_, "serve", "--db", db_, "--port", "0", "--port-file", port_file,
               "--no-detectors", "--log-key", elsewhere});
    ASSERT_GT(port = testing::WaitForPortFile(port_file), 0);
  }
  EXPECT_TRUE(LogSigningKey::Load(elsewhere).ok());
  EXPECT_NE(LogSigningKey::Load(elsewhere)->public_key(), public_key);
}

TEST_F(LogAuditTest, VerifyFromFeedPassesCleanAndCatchesARecomputedChainWithACheckpoint) {
  int port = 0;
  auto server = Serve(&port);
  ASSERT_GT(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string public_key = PublicKey();
  const std::string heads = dir_.File("heads.jsonl");
  const std::string feed = "log verify --from-feed " + url + " --public-key " + public_key;
  std::string out;

  // The operator checkpoints; the auditor verifies everything from outside.
  ASSERT_EQ(Run("log checkpoint --db " + db_ + " --out " + heads, &out), 0) << out;
  EXPECT_NE(out.find("\"signature\""), std::string::npos) << out;
  ASSERT_EQ(Run(feed + " --key " + key_, &out), 0) << out;
  EXPECT_NE(out.find("OK: 5 entries recomputed from the feed"), std::string::npos) << out;
  ASSERT_EQ(testing::RunCommand("BULWARK_API_KEY=" + key_ + " " + bin_ + " " + feed +
                                    " --checkpoints " + heads + " 2>&1",
                                &out),
            0)
      << out;
  EXPECT_NE(out.find("1 checkpoints matched"), std::string::npos) << out;
  ASSERT_EQ(Run("log verify --db " + db_ + " --checkpoints " + heads, &out), 0) << out;

  // The auditor must name the key; a different one is refused.
  EXPECT_EQ(Run("log verify --from-feed " + url + " --key " + key_, &out), 1) << out;
  EXPECT_NE(out.find("--public-key"), std::string::npos) << out;
  EXPECT_EQ(Run("log verify --from-feed " + url + " --key " + key_ + " --public-key " +
                    std::string(64, 'a'),
                &out),
            1)
      << out;
  EXPECT_NE(out.find("not the key"), std::string::npos) << out;
  EXPECT_EQ(Run(feed + " --key bwk_nonsense", &out), 1) << out;

  RewriteChain();
  // The rewritten chain is consistent: neither the database check nor the live feed (which the
  // server signs afresh) can tell. The checkpoint recorded before can.
  EXPECT_EQ(Run("log verify --db " + db_, &out), 0) << out;
  EXPECT_EQ(Run(feed + " --key " + key_, &out), 0) << out;
  EXPECT_EQ(Run(feed + " --key " + key_ + " --checkpoints " + heads, &out), 1) << out;
  EXPECT_NE(out.find("BROKEN: entry 5 has hash"), std::string::npos) << out;
  EXPECT_NE(out.find("rewritten"), std::string::npos) << out;
  EXPECT_EQ(Run("log verify --db " + db_ + " --checkpoints " + heads, &out), 1) << out;
  EXPECT_NE(out.find("rewritten"), std::string::npos) << out;

  // An edit without recomputing: the served bytes no longer hash to the served hash.
  ASSERT_EQ(testing::RunCommand(
                "sqlite3 " + path_ + " \"UPDATE decisions SET reason='x' WHERE seq=4\" 2>&1", &out),
            0)
      << out;
  EXPECT_EQ(Run(feed + " --key " + key_, &out), 1) << out;
  EXPECT_NE(out.find("BROKEN: entry 4"), std::string::npos) << out;
  // And the operator's cron job refuses to sign a broken log.
  EXPECT_EQ(Run("log checkpoint --db " + db_ + " --out " + heads, &out), 1) << out;
  EXPECT_NE(out.find("not signing"), std::string::npos) << out;
}

// The fields a platform acts on must be the hashed ones: a reason the JSON encoder cannot serve
// as stored (invalid UTF-8, which only an edit can put there) is served differently from the
// hashed bytes, and the auditor's check says which field.
TEST_F(LogAuditTest, VerifyFromFeedComparesTheServedFieldsWithTheHashedBytes) {
  RewriteChain("\xff", "CAST(X'FF' AS TEXT)");
  int port = 0;
  auto server = Serve(&port);
  ASSERT_GT(port, 0);
  std::string out;
  EXPECT_EQ(Run("log verify --from-feed http://127.0.0.1:" + std::to_string(port) +
                    " --public-key " + PublicKey() + " --key " + key_,
                &out),
            1)
      << out;
  EXPECT_NE(out.find("BROKEN: entry 2: the served reason is not the hashed one"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace bulwark
