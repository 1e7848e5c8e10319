// `bulwark users`: staff accounts from the command line, and the first admin logging in to a
// real `bulwark serve` process.

#include <httplib.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark {
namespace {

using nlohmann::json;

class UsersCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = testing::BulwarkBinary();
    db_ = "sqlite:" + dir_.File("users.db");
  }
  int Run(const std::string& args, std::string* out, bool with_stderr = true) {
    out->clear();
    return testing::RunCommand(bin_ + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"), out);
  }
  // Runs with `input` on stdin.
  int RunWithInput(const std::string& input, const std::string& args, std::string* out) {
    out->clear();
    return testing::RunCommand("printf '%s\\n' '" + input + "' | " + bin_ + " " + args + " 2>&1",
                               out);
  }
  // The `users list` line of `username`.
  std::string ListLine(const std::string& username) {
    std::string out;
    EXPECT_EQ(Run("users list --db " + db_, &out), 0);
    EXPECT_EQ(out.find("argon2"), std::string::npos) << "list must never show hashes";
    size_t at = out.find(" " + username + " ");  // after the id column
    if (at == std::string::npos) return "";
    size_t start = out.rfind('\n', at) + 1;
    return out.substr(start, out.find('\n', at) - start);
  }
  static int Count(const std::string& s, const std::string& what) {
    int n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  }
  std::string bin_, db_;
  testing::TempDir dir_;
};

TEST_F(UsersCliTest, HelpHasAnExampleForEverySubcommand) {
  std::string out;
  ASSERT_EQ(Run("--help", &out), 0);
  EXPECT_NE(out.find("users"), std::string::npos);
  for (const char* cmd :
       {"users", "users create", "users list", "users disable", "users password"}) {
    EXPECT_EQ(Run(std::string(cmd) + " --help", &out), 0) << cmd;
    EXPECT_NE(out.find("Example: bulwark"), std::string::npos) << cmd << "\n" << out;
  }
}

TEST_F(UsersCliTest, CreateListDisable) {
  std::string out;
  // Generated password: printed once on stdout, nothing else there.
  ASSERT_EQ(Run("users create --db " + db_ + " --username root --role admin", &out, false), 0)
      << out;
  ASSERT_EQ(out.size(), 25u) << out;  // 24 characters and a newline

  ASSERT_EQ(RunWithInput("correct horse battery",
                         "users create --db " + db_ +
                             " --username amira --role reviewer --expertise "
                             "antisemitism,anti_muslim --display-name 'Amira K.' --password-stdin",
                         &out),
            0)
      << out;

  EXPECT_NE(Run("users create --db " + db_ + " --username AMIRA --role auditor", &out), 0);
  EXPECT_NE(out.find("already taken"), std::string::npos) << out;
  EXPECT_NE(Run("users create --db " + db_ + " --username x --role platform", &out), 0);
  EXPECT_NE(out.find("role"), std::string::npos) << out;
  EXPECT_NE(RunWithInput("short",
                         "users create --db " + db_ +
                             " --username bob --role auditor "
                             "--password-stdin",
                         &out),
            0);
  EXPECT_NE(out.find("password"), std::string::npos) << out;

  std::string line = ListLine("amira");
  EXPECT_NE(line.find("reviewer"), std::string::npos) << line;
  EXPECT_NE(line.find("anti_muslim,antisemitism"), std::string::npos) << line;
  EXPECT_EQ(Count(line, "Z "), 1) << "created, not disabled: " << line;

  ASSERT_EQ(Run("users disable --db " + db_ + " Amira", &out), 0) << out;
  line = ListLine("amira");
  EXPECT_EQ(Count(line, "Z "), 2) << "created and disabled: " << line;
  EXPECT_NE(Run("users disable --db " + db_ + " nobody", &out), 0);
}

TEST_F(UsersCliTest, TheFirstAdminCreatedOnTheCommandLineLogsInToTheServer) {
  std::string password;
  ASSERT_EQ(Run("users create --db " + db_ + " --username root --role admin", &password, false), 0);
  password = password.substr(0, password.find('\n'));

  std::string port_file = dir_.File("port");
  testing::Process server(
      {bin_, "serve", "--db", db_, "--port", "0", "--port-file", port_file, "--no-detectors"});
  int port = testing::WaitForPortFile(port_file);
  ASSERT_GT(port, 0);
  httplib::Client c("127.0.0.1", port);
  auto login = c.Post("/v1/auth/login", json{{"username", "root"}, {"password", password}}.dump(),
                      "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  std::string cookie = login->get_header_value("Set-Cookie");
  // `serve` expects TLS in front of it unless told --insecure-http.
  EXPECT_EQ(cookie.rfind("__Host-bulwark_session=", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  httplib::Headers h = {{"Cookie", cookie.substr(0, cookie.find(';'))},
                        {"X-CSRF-Token", json::parse(login->body)["csrf_token"]}};
  auto created =
      c.Post("/v1/admin/users", h, R"({"username":"amira","role":"reviewer"})", "application/json");
  EXPECT_EQ(created->status, 201) << created->body;
  server.Kill(SIGTERM);

  // The password is reset from the command line (for an admin who forgot theirs).
  std::string fresh;
  ASSERT_EQ(Run("users password --db " + db_ + " root", &fresh, false), 0);
  EXPECT_EQ(fresh.size(), 25u) << fresh;
}

}  // namespace
}  // namespace bulwark
