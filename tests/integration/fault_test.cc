// Storage faults under a running server: the disk fills up, and the storage turns read-only. The
// server must answer 503 (or 507) with a generic message, lose no item it acknowledged, and
// recover by itself once the fault clears.
//
// Disk full: the database lives on a 4 MiB tmpfs mounted in a private mount namespace of this
// test process (root, or a kernel that allows it); the test skips where it cannot mount one. The
// server, a child process, inherits the namespace. A filler file takes the free space; deleting
// it is the fault clearing.
//
// Read-only: a read-only remount is refused (EBUSY) while the server holds its files open for
// writing, which is exactly the state to test. Instead the server runs with a preloaded library
// (readonly_preload.cc) that makes every write, truncate and sync of a file in the database's
// directory fail with EROFS while a flag file exists, as the kernel does on a read-only file
// system; removing the flag is the fault clearing.

#include <gtest/gtest.h>
#include <httplib.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
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

// Posts batches of new items and remembers which ones the server acknowledged.
struct Ingester {
  httplib::Client& client;
  httplib::Headers headers;
  std::set<std::string> acked;
  int next = 0;

  httplib::Result Post(int count) {
    const int first = next;
    next += count;
    auto r = client.Post("/v1/items", headers, Batch(first, count), "application/json");
    if (r && r->status == 200) {
      for (int i = 0; i < count; ++i) acked.insert("f" + std::to_string(first + i));
    }
    return r;
  }
  // Retries small batches until one is acknowledged (the fault has cleared).
  bool Recovers() {
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto r = Post(5);
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

// A storage fault's answer: 503/507 with Retry-After and a message that says nothing of SQLite.
void ExpectGenericUnavailable(const httplib::Result& r) {
  EXPECT_TRUE(r->status == 503 || r->status == 507) << r->status << " " << r->body;
  EXPECT_FALSE(r->get_header_value("Retry-After").empty());
  auto body = json::parse(r->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r->body;
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_EQ(r->body.find("SQLITE"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("database or disk"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("disk I/O"), std::string::npos) << r->body;
}

// Every acknowledged item is served by a server on `port`.
int MissingItems(int port, const httplib::Headers& h, const std::set<std::string>& acked) {
  httplib::Client c("127.0.0.1", port);
  int missing = 0;
  for (const std::string& id : acked) {
    auto r = c.Get(("/v1/items/" + id).c_str(), h);
    missing += !r || r->status != 200;
  }
  return missing;
}

// Nothing acknowledged was lost, before, during or after the fault: on the running server, and
// on a fresh one (no fault injected) on the same file after it stops.
void ExpectNothingLost(testing::Process& server, int port, const std::string& bin,
                       const std::string& db, const std::string& port_file, const Ingester& in) {
  EXPECT_EQ(MissingItems(port, in.headers, in.acked), 0) << "of " << in.acked.size();
  server.Kill(SIGTERM);
  testing::Process again({bin, "serve", "--db", db, "--port", "0", "--port-file", port_file + "2",
                          "--no-detectors", "--insecure-http"});
  const int port2 = testing::WaitForPortFile(port_file + "2");
  ASSERT_GT(port2, 0);
  EXPECT_EQ(MissingItems(port2, in.headers, in.acked), 0) << "of " << in.acked.size();
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

  Ingester in{c, {{"Authorization", "Bearer " + key}}};
  ASSERT_EQ(in.Post(5)->status, 200);

  // The disk fills up.
  const std::string filler = mnt + "/filler";
  ASSERT_GT(Fill(filler), 0);
  int faults = 0;
  for (int attempt = 0; attempt < 200 && faults < 3; ++attempt) {
    auto r = in.Post(20);
    ASSERT_TRUE(r) << "the server must keep answering";
    if (r->status == 200) continue;  // pages SQLite already had
    ++faults;
    ExpectGenericUnavailable(r);
  }
  ASSERT_GE(faults, 1) << "the disk never filled up";

  // The fault clears: the server recovers by itself, without a restart.
  ASSERT_EQ(std::remove(filler.c_str()), 0);
  EXPECT_TRUE(in.Recovers()) << "still failing after the space came back";

  ExpectNothingLost(server, port, bin, db, port_file, in);
}

TEST(FaultTest, StorageThatTurnsReadOnlyIs503AndLosesNothingAndRecovers) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  ASSERT_EQ(::mkdir(data.c_str(), 0700), 0);
  const std::string flag = dir.File("read-only");
  const std::string bin = testing::BulwarkBinary();
  const std::string db = "sqlite:" + data + "/fault.db";
  std::string out;
  ASSERT_EQ(testing::RunCommand(bin + " keys create --db " + db + " --name fault", &out), 0);
  const std::string key = out.substr(0, out.find('\n'));
  const std::string port_file = dir.File("port");
  // A sanitizer runtime must come first among the preloaded libraries unless told otherwise.
  const char* asan = std::getenv("ASAN_OPTIONS");
  testing::Process server(
      {"/usr/bin/env", std::string("LD_PRELOAD=") + BULWARK_FAULT_READONLY_LIB,
       "BULWARK_FAULT_RO_FLAG=" + flag, "BULWARK_FAULT_RO_DIR=" + data,
       "ASAN_OPTIONS=" + std::string(asan ? asan : "") + ":verify_asan_link_order=0", bin, "serve",
       "--db", db, "--port", "0", "--port-file", port_file, "--no-detectors", "--insecure-http",
       "--ingest-rate", "0"});
  const int port = testing::WaitForPortFile(port_file);
  ASSERT_GT(port, 0);
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  Ingester in{c, {{"Authorization", "Bearer " + key}}};
  ASSERT_EQ(in.Post(5)->status, 200);

  // The storage turns read-only: every write is refused, reads go on.
  { std::ofstream(flag) << "on\n"; }
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto r = in.Post(10);
    ASSERT_TRUE(r) << "the server must keep answering";
    ExpectGenericUnavailable(r);
  }
  auto read = c.Get("/v1/items/f0", in.headers);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200) << "reads need no writes";

  // The fault clears: the server recovers by itself, without a restart.
  ASSERT_EQ(std::remove(flag.c_str()), 0);
  EXPECT_TRUE(in.Recovers()) << "still failing after the storage became writable";
  ExpectNothingLost(server, port, bin, db, port_file, in);
}

}  // namespace
}  // namespace bulwark
