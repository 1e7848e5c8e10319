#include "enforce/worker.h"

#include <cstdio>

namespace bulwark::enforce {

EnforcementWorker::EnforcementWorker(Enforcer& enforcer, store::Database& db, WorkerOptions options)
    : enforcer_(enforcer), db_(db), options_(options) {}

EnforcementWorker::~EnforcementWorker() { Stop(); }

void EnforcementWorker::Start() {
  auto pending = db_.enforcement().PendingCount();
  backlog_ = pending.ok() ? *pending : 0;
  thread_ = std::thread([this] { Loop(); });
}

void EnforcementWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EnforcementWorker::Notify(std::int64_t n) {
  backlog_ += n;
  {
    std::lock_guard lock(mu_);
    wake_ = true;
    idle_ = false;
  }
  cv_.notify_all();
}

Status EnforcementWorker::Admit() const {
  if (backlog_.load() > options_.max_backlog) {
    return Unavailable("enforcement backlog is full (" + std::to_string(backlog_.load()) +
                       " items pending); retry later");
  }
  return Status::Ok();
}

bool EnforcementWorker::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [&] { return idle_ && !wake_; });
}

void EnforcementWorker::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      wake_ = false;
    }
    auto r = enforcer_.RunPending(options_.batch);
    if (!r.ok()) {
      std::fprintf(stderr, "bulwark: enforcement: %s\n", r.status().ToString().c_str());
    }
    bool drained = r.ok() && r->items < options_.batch;
    if (r.ok()) backlog_ -= r->items;
    if (drained) {
      auto pending = db_.enforcement().PendingCount();
      if (pending.ok()) backlog_ = *pending;
    }
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (!drained && r.ok()) continue;  // more to do
    idle_ = r.ok();
    idle_cv_.notify_all();
    cv_.wait_for(lock, options_.idle_poll, [&] { return stop_ || wake_; });
  }
}

}  // namespace bulwark::enforce
