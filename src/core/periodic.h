#pragma once

// PeriodicTask: runs a function on a background thread now and then every `interval`, until
// Stop (or destruction). The group and account scans run on one each.
//
// Thread safety: Start and Stop may be called from any thread; the function runs on the task's
// own thread only, one call at a time.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace bulwark {

class PeriodicTask {
 public:
  PeriodicTask() = default;
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Starts the thread (a second Start while running does nothing).
  void Start(std::chrono::milliseconds interval, std::function<void()> run) {
    std::lock_guard lock(mu_);
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this, interval, run = std::move(run)] {
      std::unique_lock l(mu_);
      while (!stop_) {
        l.unlock();
        run();
        l.lock();
        cv_.wait_for(l, interval, [this] { return stop_; });
      }
    });
  }

  // Waits for a run in progress to finish; idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace bulwark
