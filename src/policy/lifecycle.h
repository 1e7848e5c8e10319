#pragma once

// The policy lifecycle (recommendation 1). A version moves
//
//   draft --submit--> in_review --approve--> approved --activate--> active --> retired
//                       |   ^                  |  |                  (when the next version
//                       |   +-----submit-------+  |                   is activated)
//                       +---------reject----------+--> rejected
//
// with these rules, each violation a precise error:
//   * draft, submit: role policy_author or admin. Drafting needs a text that parses (the name
//     and version come from its header); lint errors are reported but allowed in a draft.
//   * submit: the text must parse and pass the lint (no errors). Submission runs the backtest of
//     the version against the active one on stored items and stores its summary.
//   * approve, reject: role civil_rights only, and never the author of that version (separation
//     of duties). Approval needs a backtest against the version active now; a rejection needs a
//     comment. An approved version may still be rejected before it goes live.
//   * activate: role admin or civil_rights, only an approved version whose backtest was run
//     against the version active now. The active version is retired in the same transaction (at
//     most one is active; the store also enforces that with a unique index), and the activation
//     is appended to the hash-chained decision log (action activate_policy).
//   * Every transition is logged in the version's append-only history (who, role, when, from,
//     to, comment).
//
// Errors: PermissionDenied for a role or separation-of-duties violation, FailedPrecondition
// (field "state", or "text:LINE" for lint errors) for a transition the version's state does not
// allow, InvalidArgument for malformed input (a policy text that does not parse names
// "SOURCE:LINE"), NotFound for an unknown id, AlreadyExists for a name and version string that
// is already stored.
//
// Thread safety: a Lifecycle holds no state of its own; concurrent calls are serialised by the
// store (a transition made meanwhile by someone else is a FailedPrecondition).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/roles.h"
#include "core/status.h"
#include "core/time.h"
#include "policy/lint.h"
#include "policy/policy.h"
#include "store/store.h"

namespace bulwark::policy {

// Who acts, in which role. The HTTP API fills it from the authenticated caller; the CLI, an
// operator tool on the database, from its --as/--role options.
struct Actor {
  std::string id;  // API key id, staff user id, or the operator's name
  Role role = Role::kPolicyAuthor;
  // Staff sessions only: who last set the user's password (store::StaffUser::password_set_by).
  // A sign-off needs a password the approver chose (store::StaffActor(id)): an admin who created
  // or reset a civil-rights account knows its password, and must not be able to approve as it.
  // Unset for API keys and the command line, which only an operator can issue.
  std::optional<std::string> password_set_by;
};

// Runs the backtest of a submitted version: replays stored items through `active` (null when no
// version is active: the comparison is then with enforcing nothing) and `proposed`, and returns
// the summary to store with the version, as a JSON object (enforce::StoredItemsBacktest).
// `progress` (may be empty) is called now and then with the number of items scanned so far;
// returning false stops the backtest (it then fails with Unavailable).
using BacktestProgressFn = std::function<bool(std::int64_t items_scanned)>;
using BacktestFn = std::function<Result<std::string>(const Policy* active, const Policy& proposed,
                                                     const BacktestProgressFn& progress)>;

// Longest comment accepted on a transition.
inline constexpr size_t kMaxCommentBytes = 2000;
// The actor recorded when a fresh install imports its first policy from a file.
inline constexpr std::string_view kBootstrapActor = "bootstrap";

struct Drafted {
  store::PolicyVersion version;
  std::shared_ptr<const Policy> policy;
  std::vector<LintFinding> lint;  // errors here block submission
};

struct Bootstrapped {
  store::PolicyVersion active;  // the version in force now (text included)
  bool imported = false;        // true: the file was imported and activated just now
  bool same_text = true;        // the active version's text is the file's, byte for byte
};

class Lifecycle {
 public:
  // `store` and `clock` must outlive the Lifecycle. Without `backtest`, Submit fails with
  // Unavailable (a version cannot be signed off without one).
  Lifecycle(store::PolicyStore& store, const Clock& clock, BacktestFn backtest = {});

  // Stores `text` as a new draft by `author`. `source` names the text in parse errors ("text"
  // for the HTTP body, the path for a file).
  Result<Drafted> Draft(std::string_view text, std::string_view source, const Actor& author,
                        std::string_view comment = {});
  // draft (or approved, to refresh a stale backtest) -> in_review, with the backtest run here
  // (the command line).
  Result<store::PolicyVersion> Submit(std::int64_t id, const Actor& actor,
                                      std::string_view comment = {});
  // The same checks and transition, but the backtest is only recorded as pending
  // ({"state":"running","items_scanned":0,...}); RunBacktest completes it (the server's
  // background job). Approval waits for it.
  Result<store::PolicyVersion> SubmitWithPendingBacktest(std::int64_t id, const Actor& actor,
                                                         std::string_view comment = {});
  // Runs the pending backtest of version `id` against the version that was active when it was
  // submitted, writing progress (at most once a second) and then the summary ("state":"done") or
  // the error
  // ("state":"failed"). Returns false, writing nothing, when the version has no pending
  // backtest (finished, or moved on); a resubmission meanwhile makes this run's writes no-ops.
  // When `keep_going` (optional) turns false the run stops with Unavailable and leaves the
  // backtest pending, to be run again (shutdown).
  Result<bool> RunBacktest(std::int64_t id, const std::function<bool()>& keep_going = {});
  // in_review -> approved.
  Result<store::PolicyVersion> Approve(std::int64_t id, const Actor& actor,
                                       std::string_view comment = {});
  // in_review or approved -> rejected. `comment` (why) is required.
  Result<store::PolicyVersion> Reject(std::int64_t id, const Actor& actor,
                                      std::string_view comment);
  // approved -> active; the active version -> retired; logged in the decision log.
  Result<store::PolicyActivation> Activate(std::int64_t id, const Actor& actor,
                                           std::string_view comment = {});
  // A fresh install's first start: when no version is active, `text` (read from `source`) is
  // stored and activated directly by actor "bootstrap" (logged in the history and the decision
  // log; it must parse and pass the lint). When a version is active, nothing is written and
  // the active version is returned (same_text says whether it is `text`).
  Result<Bootstrapped> Bootstrap(std::string_view text, std::string_view source);

 private:
  store::PolicyStore& store_;
  const Clock& clock_;
  BacktestFn backtest_;
};

// The state of a stored backtest summary: "running", "failed" or "done" (a summary written
// before background backtests has no state and is done; so has an empty one).
std::string BacktestState(const store::PolicyVersion& v);

// "default@4": how decisions name a policy version (policy id @ version string).
std::string PolicyLabel(std::string_view name, std::string_view version);

// Parses a stored version after checking its text against its SHA-256 (Internal if they
// differ: the row was altered outside Bulwark).
Result<std::shared_ptr<const Policy>> ParseVersion(const store::PolicyVersion& v);

}  // namespace bulwark::policy
