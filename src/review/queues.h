#pragma once

// Expert review queue configuration (data/review/queues.json, format in docs/review.md): which
// queues exist, what expertise a reviewer needs to see and claim each, its SLA for time to
// first review, the share of first reviews sent for a second review, whether the console blurs
// severe content, and the reason codes reviewers may give besides the policy's own.
//
// A QueueConfig is an immutable snapshot: load it once and share it as
// std::shared_ptr<const QueueConfig>; any number of threads may read it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "policy/policy.h"

namespace bulwark::review {

// The format tag every queue file carries (`"format": "bulwark-review-queues/1"`).
inline constexpr std::string_view kQueuesFormat = "bulwark-review-queues/1";

// Limits on the file (exceeding one is a ResourceExhausted error).
inline constexpr std::size_t kMaxQueuesFileBytes = 1 << 20;
inline constexpr std::size_t kMaxQueues = 1000;
inline constexpr std::int64_t kMaxSlaMinutes = 30 * 24 * 60;

struct QueueSpec {
  std::string id;  // as named by policy rules: review:<id> / escalate:<id>
  std::string title;
  std::string description;
  // A reviewer sees and claims this queue only when they hold every one of these tags.
  std::vector<std::string> expertise;
  std::int64_t sla_first_review_ms = 0;  // target time from a case's opening to its first claim
  double second_review_share = 0;        // 0..1 of first-review decisions get a second review
  bool wellbeing = false;                // the console blurs severe content until revealed
};

// A reason code a reviewer may give for an outcome the policy has no code for (no violation,
// appeal overturned, ...), with the outcomes it may go with.
struct ReviewerReasonCode {
  std::string code;
  std::vector<std::string> outcomes;  // none, label, reduce, remove, escalate, restore, uphold
  std::string description;
};

struct QueueConfig {
  std::string filename;  // as given to the parser: used in every error
  std::string version;
  std::vector<QueueSpec> queues;  // in file order
  std::vector<ReviewerReasonCode> reason_codes;

  const QueueSpec* Find(std::string_view id) const;
  const ReviewerReasonCode* FindReasonCode(std::string_view code) const;
};

// Parses and validates a queue file. Errors are InvalidArgument (ResourceExhausted for a
// limit) whose message starts with the file name and whose field is the JSON path of the
// offending value ("queues[3].sla_first_review_minutes"); a syntax error names line and column.
Result<std::shared_ptr<const QueueConfig>> ParseQueueConfig(std::string_view text,
                                                            std::string_view filename);
// Reads `path` and parses it. NotFound if it cannot be read.
Result<std::shared_ptr<const QueueConfig>> LoadQueueConfig(const std::string& path);

// A queue a policy rule names that the configuration lacks.
struct MissingQueue {
  std::string queue;
  std::string rule_id;
  int line = 0;  // of the rule in the policy file
};
// Every review/escalate queue named by `policy` that `config` does not define, in rule order.
std::vector<MissingQueue> MissingQueues(const QueueConfig& config, const policy::Policy& policy);
// "default.policy:42: rule 'hate.review.x' sends items to queue 'x', which
// data/review/queues.json does not define".
std::string FormatMissingQueue(const policy::Policy& policy, const QueueConfig& config,
                               const MissingQueue& m);

// True when `expertise` holds every tag `queue` needs.
bool HasExpertise(const QueueSpec& queue, const std::vector<std::string>& expertise);

}  // namespace bulwark::review
