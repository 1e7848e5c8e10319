#include "enforce/backtest_jobs.h"

#include <cstdio>
#include <string>

#include "enforce/backtest.h"
#include "policy/lifecycle.h"

namespace bulwark::enforce {

BacktestJobs::BacktestJobs(store::Database& db, const Clock& clock,
                           const detect::DetectorHandle& detectors)
    : db_(db), clock_(clock), detectors_(detectors), thread_([this] { Run(); }) {}

BacktestJobs::~BacktestJobs() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BacktestJobs::Enqueue(std::int64_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(id);
  }
  cv_.notify_all();
}

Result<int> BacktestJobs::Resume() {
  BULWARK_ASSIGN_OR_RETURN(auto versions, db_.policies().ListVersions());
  int queued = 0;
  for (const store::PolicyVersion& listed : versions) {
    if (listed.state != store::PolicyState::kInReview) continue;
    BULWARK_ASSIGN_OR_RETURN(store::PolicyVersion v, db_.policies().GetVersion(listed.id));
    if (policy::BacktestState(v) != "running") continue;
    Enqueue(v.id);
    ++queued;
  }
  return queued;
}

void BacktestJobs::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return (queue_.empty() && !busy_) || stop_; });
}

std::int64_t BacktestJobs::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

void BacktestJobs::Run() {
  for (;;) {
    std::int64_t id;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      id = queue_.front();
      queue_.pop_front();
      busy_ = true;
    }
    policy::Lifecycle lifecycle(db_.policies(), clock_, StoredItemsBacktest(db_, detectors_));
    Result<bool> r = lifecycle.RunBacktest(id, [this] {
      std::lock_guard<std::mutex> lock(mu_);
      return !stop_;
    });
    if (!r.ok()) {
      // Stopped for shutdown, or the store failed before the outcome could be written: the
      // version stays "running" and is run again by the next Resume().
      std::fprintf(stderr, "bulwark: backtest of policy version %lld: %s\n",
                   static_cast<long long>(id), r.status().ToString().c_str());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
      if (r.ok() && *r) ++finished_;
    }
    cv_.notify_all();
  }
}

}  // namespace bulwark::enforce
