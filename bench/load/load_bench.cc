// Mixed-traffic load test of the real server (loopback only, bounded in time and count).
//
// Starts `bulwark serve` (SQLite, durable commits, detectors loaded) on 127.0.0.1 and, for
// --seconds (default 60, at most 600), runs at once:
//   ingest      batches of 100 items to POST /v1/items (platform key)
//   classify    one short text to POST /v1/classify
//   console     GET /console/queues with a reviewer's session
//   login_bad   POST /v1/auth/login with wrong passwords (per-address limit and lockouts engage)
//   oversized   POST /v1/auth/login announcing a 10 MiB body (refused before it is read)
//   slow        a client that sends its request header one byte every 500 ms
//   healthz     GET /healthz: the same-run baseline (no auth, no database write)
// while --idle connections (default 1,000) stay open without sending anything.
//
// Prints requests/s and p50/p99 per route with the status classes, the number of 5xx answers
// (must be 0), the server's RSS with the idle connections open and its peak RSS (must stay under
// 1 GB). Exits 1 if either bar is missed.
//
//   load_bench [--seconds S] [--idle N] [--threads T] [--bin PATH] [--data-dir DIR]

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/serve_process.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int seconds = 60;
  int idle = 1000;
  int threads = 4;
  std::string bin = BULWARK_BINARY_PATH;
  std::string data_dir = BULWARK_SOURCE_DIR "/data";
};

using bulwark::bench::ProcStatusKb;
using bulwark::bench::RunCommand;

// Per-route tallies.
struct Route {
  std::mutex mu;
  std::vector<double> ms;
  std::map<int, long> by_status;  // 0: no answer (connection closed or timed out)
  void Add(double latency_ms, int status) {
    std::lock_guard lock(mu);
    ms.push_back(latency_ms);
    ++by_status[status];
  }
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string ItemBatch(int first, int count, std::mt19937& rng) {
  static const char* words[] = {"the",    "weather", "today", "match", "great", "recipe", "city",
                                "people", "music",   "train", "late",  "again", "love",   "new"};
  std::string body = R"({"items":[)";
  for (int i = 0; i < count; ++i) {
    std::string text;
    for (int w = 0; w < 12; ++w) text += std::string(w ? " " : "") + words[rng() % 14];
    body += (i ? "," : "") + std::string(R"({"id":"load-)") + std::to_string(first + i) +
            R"(","author_id":"u)" + std::to_string(rng() % 500) + R"(","text":")" + text +
            R"(","created_at":"2026-12-01T00:00:00Z"})";
  }
  return body + "]}";
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (f == "--seconds")
      a.seconds = std::atoi(next().c_str());
    else if (f == "--idle")
      a.idle = std::atoi(next().c_str());
    else if (f == "--threads")
      a.threads = std::atoi(next().c_str());
    else if (f == "--bin")
      a.bin = next();
    else if (f == "--data-dir")
      a.data_dir = next();
    else {
      std::fprintf(stderr,
                   "usage: load_bench [--seconds S<=600] [--idle N<=4000] [--threads T] "
                   "[--bin PATH] [--data-dir DIR]\n");
      return 2;
    }
  }
  a.seconds = std::clamp(a.seconds, 1, 600);
  a.idle = std::clamp(a.idle, 0, 4000);

  // Room for the idle connections in this process and in the server (which inherits it).
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, 16384);
  setrlimit(RLIMIT_NOFILE, &nofile);

  const auto dir =
      std::filesystem::temp_directory_path() / ("bulwark-load-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite:" + (dir / "load.db").string();
  std::string key = RunCommand(a.bin + " keys create --db " + db + " --name load 2>/dev/null");
  key = key.substr(0, key.find('\n'));
  std::string pw = RunCommand(a.bin + " users create --db " + db +
                              " --username rosa --role reviewer --expertise threat,antisemitism "
                              "2>/dev/null");
  pw = pw.substr(0, pw.find('\n'));
  if (key.empty() || pw.empty()) {
    std::fprintf(stderr, "could not create a key and a user with %s\n", a.bin.c_str());
    return 1;
  }

  const auto server =
      bulwark::bench::StartServe(a.bin,
                                 {"--db", db, "--threads", std::to_string(a.threads), "--data-dir",
                                  a.data_dir, "--insecure-http"},
                                 (dir / "port").string(), std::chrono::seconds(60));
  if (server.port == 0) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }
  const pid_t pid = server.pid;
  const int port = server.port;
  const long rss_start_kb = ProcStatusKb(pid, "VmRSS:");

  // The reviewer's session for the console route.
  std::string cookie;
  {
    httplib::Client c("127.0.0.1", port);
    auto r =
        c.Post("/v1/auth/login", std::string(R"({"username":"rosa","password":")") + pw + R"("})",
               "application/json");
    if (!r || r->status != 200) {
      std::fprintf(stderr, "reviewer login failed\n");
      kill(pid, SIGKILL);
      return 1;
    }
    cookie = r->get_header_value("Set-Cookie");
    cookie = cookie.substr(0, cookie.find(';'));
  }

  // Idle connections, opened first and held for the whole run (the server closes idle ones
  // after 30 s: they are reopened, so about --idle stay open throughout).
  std::vector<int> idle;
  for (int i = 0; i < a.idle; ++i) {
    int fd = Connect(port);
    if (fd >= 0) idle.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long rss_idle_kb = ProcStatusKb(pid, "VmRSS:");

  std::map<std::string, Route> routes;
  for (const char* n :
       {"ingest", "classify", "console", "login_bad", "oversized", "slow", "healthz"}) {
    routes[n];
  }
  const auto deadline = Clock::now() + std::chrono::seconds(a.seconds);
  std::atomic<long long> requests{0};
  constexpr long long kMaxRequests = 50'000'000;  // bounded in count as well as time
  auto timed = [&](const char* name, auto&& call) {
    auto s = Clock::now();
    int status = call();
    routes[name].Add(std::chrono::duration<double, std::milli>(Clock::now() - s).count(), status);
    ++requests;
  };
  auto running = [&] { return Clock::now() < deadline && requests < kMaxRequests; };

  std::vector<std::thread> workers;
  workers.emplace_back([&] {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    httplib::Headers h = {{"Authorization", "Bearer " + key}};
    std::mt19937 rng(1);
    for (int next = 0; running(); next += 100) {
      std::string body = ItemBatch(next, 100, rng);
      timed("ingest", [&] {
        auto r = c.Post("/v1/items", h, body, "application/json");
        return r ? r->status : 0;
      });
    }
  });
  workers.emplace_back([&] {
    httplib::Client c("127.0.0.1", port);
    httplib::Headers h = {{"Authorization", "Bearer " + key}};
    while (running()) {
      timed("classify", [&] {
        auto r = c.Post("/v1/classify", h, R"({"texts":["see you at the game tonight"]})",
                        "application/json");
        return r ? r->status : 0;
      });
    }
  });
  workers.emplace_back([&] {
    httplib::Client c("127.0.0.1", port);
    httplib::Headers h = {{"Cookie", cookie}};
    while (running()) {
      timed("console", [&] {
        auto r = c.Get("/console/queues", h);
        return r ? r->status : 0;
      });
    }
  });
  workers.emplace_back([&] {
    httplib::Client c("127.0.0.1", port);
    std::mt19937 rng(2);
    while (running()) {
      const std::string user = "user" + std::to_string(rng() % 50);
      timed("login_bad", [&] {
        auto r = c.Post("/v1/auth/login",
                        R"({"username":")" + user + R"(","password":"not the password"})",
                        "application/json");
        return r ? r->status : 0;
      });
    }
  });
  workers.emplace_back([&] {
    while (running()) {
      timed("oversized", [&] {
        int fd = Connect(port);
        if (fd < 0) return 0;
        const std::string head =
            "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 10485760\r\n\r\n";
        (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
        char buf[512];
        ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        if (n < 12) return 0;
        buf[n] = '\0';
        return std::atoi(buf + 9);  // "HTTP/1.1 413 ..."
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  workers.emplace_back([&] {
    // One slow client at a time: a byte of header every 500 ms until the server gives up or the
    // run ends.
    while (running()) {
      timed("slow", [&] {
        int fd = Connect(port);
        if (fd < 0) return 0;
        const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        int status = 0;
        for (size_t i = 0; running(); ++i) {
          char ch = i < head.size() ? head[i] : 'a';
          if (::send(fd, &ch, 1, MSG_NOSIGNAL) != 1) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          char buf[64];
          ssize_t n = ::recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
          if (n == 0) break;  // closed by the server
          if (n > 12) {
            buf[n] = '\0';
            status = std::atoi(buf + 9);
            break;
          }
        }
        ::close(fd);
        return status;
      });
    }
  });
  workers.emplace_back([&] {
    httplib::Client c("127.0.0.1", port);
    while (running()) {
      timed("healthz", [&] {
        auto r = c.Get("/healthz");
        return r ? r->status : 0;
      });
    }
  });
  // Keep about --idle connections open: reopen those the server closed as idle.
  std::thread keeper([&] {
    while (running()) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      for (int& fd : idle) {
        char b;
        if (::recv(fd, &b, 1, MSG_DONTWAIT) == 0) {
          ::close(fd);
          fd = Connect(port);
        }
      }
    }
  });
  for (auto& t : workers) t.join();
  keeper.join();
  const long rss_end_kb = ProcStatusKb(pid, "VmRSS:");
  const long peak_kb = ProcStatusKb(pid, "VmHWM:");
  for (int fd : idle) {
    if (fd >= 0) ::close(fd);
  }
  kill(pid, SIGTERM);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  std::filesystem::remove_all(dir);

  std::printf("load_bench: %d s, %d server threads, %zu idle connections held\n", a.seconds,
              a.threads, idle.size());
  std::printf("%-10s %9s %10s %9s %9s  %s\n", "route", "requests", "req/s", "p50 ms", "p99 ms",
              "statuses");
  long fivexx = 0;
  double healthz_rate = 0;
  for (auto& [name, r] : routes) {
    std::string statuses;
    for (auto& [code, count] : r.by_status) {
      statuses +=
          (statuses.empty() ? "" : " ") + std::to_string(code) + ":" + std::to_string(count);
      if (code >= 500) fivexx += count;
    }
    const double rate = static_cast<double>(r.ms.size()) / a.seconds;
    if (name == "healthz") healthz_rate = rate;
    std::printf("%-10s %9zu %10.1f %9.2f %9.2f  %s\n", name.c_str(), r.ms.size(), rate,
                Percentile(r.ms, 0.5), Percentile(r.ms, 0.99), statuses.c_str());
  }
  const double classify_rate = static_cast<double>(routes["classify"].ms.size()) / a.seconds;
  std::printf("classify / healthz (same run): %.2f\n",
              healthz_rate > 0 ? classify_rate / healthz_rate : 0.0);
  std::printf("5xx answers: %ld (must be 0)\n", fivexx);
  std::printf(
      "server RSS: %.1f MB at start, %.1f MB with the idle connections open, %.1f MB at "
      "the end; peak %.1f MB (must stay under 1024)\n",
      rss_start_kb / 1024.0, rss_idle_kb / 1024.0, rss_end_kb / 1024.0, peak_kb / 1024.0);
  const bool ok = fivexx == 0 && peak_kb > 0 && peak_kb < 1024 * 1024;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
