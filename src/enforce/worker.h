#pragma once

// EnforcementWorker: runs the pipeline in the background of `bulwark serve`.
//
// The queue is the store itself (items whose current revision is not enforced), so nothing is
// lost if the server stops: the worker drains whatever is pending when it starts. Ingest calls
// Notify() after each committed batch; Admit() is the backpressure: once the backlog exceeds
// `max_backlog` items, new batches are refused (503, retry later) until the worker catches up.
//
// Thread safety: all methods are thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "enforce/enforcer.h"
#include "ingest/ingest_service.h"

namespace bulwark::enforce {

struct WorkerOptions {
  int batch = 256;                    // items per transaction
  std::int64_t max_backlog = 200000;  // pending items beyond which ingest is refused
  std::chrono::milliseconds idle_poll{1000};
};

class EnforcementWorker final : public ingest::IngestObserver {
 public:
  EnforcementWorker(Enforcer& enforcer, store::Database& db, WorkerOptions options);
  ~EnforcementWorker() override;

  void Start();
  void Stop();  // finishes the batch in progress; idempotent
  // `n` more items were committed and are pending.
  void Notify(std::int64_t n);
  // OK, or Unavailable when the backlog is over the limit.
  Status Admit() const;
  std::int64_t backlog() const { return backlog_.load(); }
  // Blocks until nothing is pending (true) or `timeout` passes (false). For tests and drains.
  bool WaitIdle(std::chrono::milliseconds timeout);

  // IngestObserver
  Status AdmitItems(size_t) override { return Admit(); }
  void ItemsCommitted(size_t n) override { Notify(static_cast<std::int64_t>(n)); }

 private:
  void Loop();

  Enforcer& enforcer_;
  store::Database& db_;
  const WorkerOptions options_;
  std::atomic<std::int64_t> backlog_{0};
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  bool stop_ = false;
  bool wake_ = false;
  bool idle_ = false;
  std::thread thread_;
};

}  // namespace bulwark::enforce
