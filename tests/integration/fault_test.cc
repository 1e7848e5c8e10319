// The disk fills up under a running server: it must answer 503 (or 507) with a generic message,
// lose no item it acknowledged, and recover by itself once space is freed.
//
// The database lives on a 4 MiB tmpfs mounted in a private mount namespace of this test process
// (root, or a kernel that allows it); the test skips where it cannot mount one. The server, a
// child process, inherits the namespace. A filler file takes the free space; deleting it is the
// fault clearing.
//
// Not covered here: the database made read-only while the server runs. A read-only remount is
// refused (EBUSY) while the server holds its files open for writing, which is exactly the state
// to test; SQLITE_READONLY's mapping to 503 has a unit test (SqliteStatusTest).

#include <gtest/gtest.h>
#include <httplib.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark {
namespace {

using nlohmann::json;

// Writes zeros to `path` until the file system is full; returns the bytes written.
long long Fill(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  static const std::string chunk(64 * 1024, '\0');
  long long total = 0;
  std::setvbuf(f, nullptr, _IONBF, 0);
  for (size_t n; (n = std::fwrite(chunk.data(), 1, chunk.size(), f)) > 0;) {
    total += static_cast<long long>(n);
    if (n < chunk.size()) break;
  }
  // Byte by byte for the last partial page.
  while (std::fwrite("", 1, 1, f) == 1) ++total;
  std::fclose(f);
  return total;
}

std::string Batch(int first, int count) {
  std::string body = R"({"items":[)";
  const std::string text(2000, 'x');
  for (int i = 0; i < count; ++i) {
    body += (i ? "," : "") + std::string(R"({"id":"f)") + std::to_string(first + i) +
            R"(","author_id":"u","text":")" + text + R"(","created_at":"2026-01-01T00:00:00Z"})";
  }
  return body + "]}";
}

TEST(FaultTest, ADiskThatFillsUpIs503AndLosesNothingAndRecovers) {
  testing::TempDir dir;
  const std::string mnt = dir.path() + "/small";
  ASSERT_EQ(::mkdir(mnt.c_str(), 0700), 0);
  if (::unshare(CLONE_NEWNS) != 0 ||
      ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=4m") != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (" << std::strerror(errno)
                 << "): needs root or unprivileged mount namespaces";
  }
  // Unmounted before the temporary directory is removed.
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  const std::string bin = testing::BulwarkBinary();
  const std::string db = "sqlite:" + mnt + "/fault.db";
  std::string out;
  ASSERT_EQ(testing::RunCommand(bin + " keys create --db " + db + " --name fault", &out), 0);
  const std::string key = out.substr(0, out.find('\n'));
  const std::string port_file = dir.File("port");
  testing::Process server({bin, "serve", "--db", db, "--port", "0", "--port-file", port_file,
                           "--no-detectors", "--insecure-http", "--ingest-rate", "0"});
  const int port = testing::WaitForPortFile(port_file);
  ASSERT_GT(port, 0);
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  httplib::Headers h = {{"Authorization", "Bearer " + key}};

  std::set<std::string> acked;
  int next = 0;
  auto post = [&](int count) {
    const int first = next;
    next += count;
    auto r = c.Post("/v1/items", h, Batch(first, count), "application/json");
    if (r && r->status == 200) {
      for (int i = 0; i < count; ++i) acked.insert("f" + std::to_string(first + i));
    }
    return r;
  };
  ASSERT_EQ(post(5)->status, 200);

  // The disk fills up.
  const std::string filler = mnt + "/filler";
  ASSERT_GT(Fill(filler), 0);
  int faults = 0;
  for (int attempt = 0; attempt < 200 && faults < 3; ++attempt) {
    auto r = post(20);
    ASSERT_TRUE(r) << "the server must keep answering";
    if (r->status == 200) continue;  // pages SQLite already had
    ++faults;
    EXPECT_TRUE(r->status == 503 || r->status == 507) << r->status << " " << r->body;
    EXPECT_FALSE(r->get_header_value("Retry-After").empty());
    auto body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r->body;
    EXPECT_EQ(body["error"]["code"], "unavailable");
    // A generic message: nothing of SQLite's internals.
    EXPECT_EQ(r->body.find("SQLITE"), std::string::npos) << r->body;
    EXPECT_EQ(r->body.find("database or disk"), std::string::npos) << r->body;
  }
  ASSERT_GE(faults, 1) << "the disk never filled up";

  // The fault clears: the server recovers by itself, without a restart.
  ASSERT_EQ(std::remove(filler.c_str()), 0);
  bool recovered = false;
  for (int attempt = 0; attempt < 50 && !recovered; ++attempt) {
    auto r = post(5);
    recovered = r && r->status == 200;
    if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(recovered) << "still failing after the space came back";

  // Nothing acknowledged was lost, before, during or after the fault.
  for (const std::string& id : acked) {
    auto r = c.Get(("/v1/items/" + id).c_str(), h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << id << " was acknowledged and is gone";
  }
  // And across a restart of the server on the same file.
  server.Kill(SIGTERM);
  testing::Process again({bin, "serve", "--db", db, "--port", "0", "--port-file", port_file + "2",
                          "--no-detectors", "--insecure-http"});
  const int port2 = testing::WaitForPortFile(port_file + "2");
  ASSERT_GT(port2, 0);
  httplib::Client c2("127.0.0.1", port2);
  int missing = 0;
  for (const std::string& id : acked) {
    missing += c2.Get(("/v1/items/" + id).c_str(), h)->status != 200;
  }
  EXPECT_EQ(missing, 0) << "of " << acked.size() << " acknowledged items";
}

}  // namespace
}  // namespace bulwark
