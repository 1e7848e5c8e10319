#include "amplification/follower.h"

#include <cstdio>
#include <string>
#include <vector>

namespace bulwark::amplification {
namespace {
constexpr int kPage = 5000;
}  // namespace

LogFollower::LogFollower(store::DecisionStore& log, AmplificationGuard& guard,
                         std::chrono::milliseconds poll)
    : log_(log), guard_(guard), poll_(poll) {}

LogFollower::~LogFollower() { Stop(); }

Status LogFollower::CatchUp() {
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(auto page, log_.ListDecisions(guard_.as_of_seq(), kPage));
    guard_.Apply(page);
    for (const std::string& group : guard_.TakeNewlyBlockedGroups()) {
      if (groups_ == nullptr) break;
      BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> items, groups_->ItemIds(group));
      guard_.AddGroupItems(group, items);
    }
    if (static_cast<int>(page.size()) < kPage) return Status::Ok();
  }
}

void LogFollower::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void LogFollower::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogFollower::Loop() {
  for (;;) {
    Status s = CatchUp();
    if (!s.ok()) {
      std::fprintf(stderr, "bulwark: amplification guard: %s\n", s.ToString().c_str());
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, poll_, [&] { return stop_; })) return;
  }
}

}  // namespace bulwark::amplification
