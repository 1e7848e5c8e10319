#pragma once

// Policy backtests as background jobs. A submission over HTTP only records the backtest as
// pending (policy::Lifecycle::SubmitWithPendingBacktest) and hands the version id to this
// runner; one worker thread replays the stored items (enforce::Backtest), writing progress to
// the version as it goes, then the summary. The request returns at once, so an expensive scan
// never holds an HTTP worker (issue 9, item 14), and approval waits for the result.
//
// A restart loses the queue, not the work: Resume() re-queues every version still in review
// with a backtest marked running, and the run starts over.
//
// Thread safety: Enqueue, Resume and WaitIdle may be called from any thread.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "core/time.h"
#include "detect/detector.h"
#include "store/store.h"

namespace bulwark::enforce {

class BacktestJobs {
 public:
  // `db`, `clock` and `detectors` must outlive the runner. Starts the worker thread.
  BacktestJobs(store::Database& db, const Clock& clock, const detect::DetectorHandle& detectors);
  // Stops the job in progress after its current batch (its version stays "running" and is
  // resumed on restart) and joins the worker.
  ~BacktestJobs();
  BacktestJobs(const BacktestJobs&) = delete;
  BacktestJobs& operator=(const BacktestJobs&) = delete;

  // Queues the pending backtest of policy version `id`.
  void Enqueue(std::int64_t id);
  // Queues every in_review version whose backtest is still running; returns how many.
  Result<int> Resume();
  // Blocks until the queue is empty and no job runs (tests, shutdown of tools).
  void WaitIdle();

  // Jobs finished since start (written "done" or "failed"), for tests.
  std::int64_t finished() const;

 private:
  void Run();

  store::Database& db_;
  const Clock& clock_;
  const detect::DetectorHandle& detectors_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::int64_t> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::int64_t finished_ = 0;
  std::thread thread_;  // last: starts after every member it reads
};

}  // namespace bulwark::enforce
