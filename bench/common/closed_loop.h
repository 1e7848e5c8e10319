#pragma once

// A closed-loop load phase for the whole-process benchmarks: `clients` threads, each with its own
// keep-alive connection to 127.0.0.1:port, each sending its next request as soon as the last is
// answered, for `seconds`. Latencies of every request are kept for percentiles.

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

namespace bulwark::bench {

struct PhaseResult {
  std::vector<double> latencies_ms;
  long requests = 0;
  long failures = 0;  // no answer, or not 200
  double seconds = 0;
};

// `send(client, thread_index, request_index)` sends one request and returns its result.
template <typename Send>
void RunClosedLoop(int port, int clients, int seconds, PhaseResult* out, Send send) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::vector<double>> lat(static_cast<size_t>(clients));
  std::vector<long> failures(static_cast<size_t>(clients), 0);
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);  // else header and body wait out delayed ACKs (40 ms)
      const auto ti = static_cast<size_t>(t);
      for (size_t i = 0; Clock::now() < end; ++i) {
        const auto t0 = Clock::now();
        httplib::Result r = send(c, t, i);
        lat[ti].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!r || r->status != 200) ++failures[ti];
      }
    });
  }
  for (auto& th : threads) th.join();
  out->seconds += std::chrono::duration<double>(Clock::now() - start).count();
  for (size_t t = 0; t < lat.size(); ++t) {
    out->latencies_ms.insert(out->latencies_ms.end(), lat[t].begin(), lat[t].end());
    out->requests += static_cast<long>(lat[t].size());
    out->failures += failures[t];
  }
}

// The q-quantile (0..1) of `v`, 0 when empty.
inline double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace bulwark::bench
