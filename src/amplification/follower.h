#pragma once

// LogFollower: keeps an AmplificationGuard in step with the decision log by reading the entries
// after the guard's as_of_seq, in pages, on a background thread (every `poll` when idle, at
// once while a page comes back full). The log is the only source, so every writer of it, in
// this process or another, reaches the guard; a restart rebuilds it from the log.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "amplification/guard.h"
#include "core/status.h"
#include "store/store.h"

namespace bulwark::amplification {

class LogFollower {
 public:
  // `log` and `guard` must outlive the follower.
  LogFollower(store::DecisionStore& log, AmplificationGuard& guard,
              std::chrono::milliseconds poll = std::chrono::milliseconds(100));
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // Optional, set before Start: where the items of a group that a decision blocks are read
  // (once per block), so that the guard blocks them too. Must outlive the follower.
  void set_group_store(store::GroupStore* groups) { groups_ = groups; }
  // Reads and applies every entry up to the log's current end (startup, tests).
  Status CatchUp();
  void Start();
  void Stop();  // idempotent

 private:
  void Loop();

  store::DecisionStore& log_;
  AmplificationGuard& guard_;
  store::GroupStore* groups_ = nullptr;
  const std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace bulwark::amplification
