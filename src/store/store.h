#pragma once

// Storage interfaces, one per domain area. Domain components talk to storage only through
// these; backends (sqlite/, later postgres/) implement them and pass one conformance suite.
//
// Contracts shared by every method:
//  - A method that takes a batch applies all of it or none of it (one transaction).
//  - A method that returns OK has made its writes durable (committed and synced per the
//    backend's durability setting; the default survives process kill and power loss).
//  - References to other entities are checked inside the transaction; a dangling reference
//    fails the whole batch with FailedPrecondition naming the field ("[3].item_id").
//  - Every method is thread-safe. Writes are serialised by the backend; reads run concurrently.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/decision.h"
#include "core/events.h"
#include "core/roles.h"
#include "core/status.h"
#include "core/time.h"

namespace bulwark {
class MetricsRegistry;
}

namespace bulwark::store {

struct ItemRevision {
  int revision = 0;
  std::string text;
  UnixMillis received_at = 0;
};

// An item as stored: its latest metadata and every revision of its text (oldest first).
struct StoredItem {
  Item item;  // text = latest revision
  int revision = 0;
  UnixMillis first_seen_at = 0;
  UnixMillis updated_at = 0;
  std::vector<ItemRevision> revisions;
  std::int64_t views = 0;
  std::int64_t reports = 0;
};

struct UpsertSummary {
  int created = 0;    // ids not seen before
  int revised = 0;    // known ids whose text changed (a new revision was kept)
  int unchanged = 0;  // known ids with the same text (metadata may have been updated)
};

// What a reviewer sees about an item's author: how much they posted and how often it was
// actioned (remove, reduce or label decisions on their items, automated or by reviewers).
struct AuthorHistory {
  std::string author_id;
  std::int64_t items = 0;
  std::int64_t enforced = 0;  // enforcement decisions on their items
  std::int64_t removed = 0;   // of which removals
  UnixMillis first_seen_at = 0;
};

class ItemStore {
 public:
  virtual ~ItemStore() = default;
  // Upserts by item id. A parent_id must name an item already stored or earlier in `items`.
  // Ids must be unique within `items` (callers validate; duplicates are InvalidArgument).
  virtual Result<UpsertSummary> UpsertItems(std::span<const Item> items, UnixMillis now) = 0;
  // NotFound if the id is unknown.
  virtual Result<StoredItem> GetItem(std::string_view id) = 0;
  // Zero counts for an author with no items. Decisions made by people (any actor but "system")
  // on `blind_item_id` are not counted: the reviewer of that item must not learn from the count
  // what another reviewer decided about it (the blind second review).
  virtual Result<AuthorHistory> GetAuthorHistory(std::string_view author_id,
                                                 std::string_view blind_item_id) = 0;
};

struct AppendSummary {
  int accepted = 0;
  int duplicates = 0;  // ids already stored (idempotent retries): not written again
  // Items queued again for enforcement because of these events (new reports, reach that
  // crossed a step of ReachStep): the enforcement worker re-evaluates them.
  int requeued = 0;
};

// Reach steps at which a stored item is enforced again: 100, 200, 500, 1000, 2000, 5000, ...
// (1-2-5 per decade). ReachStep(views) is the number of steps at or below `views`, so a view
// batch requeues an item when it changes the step: at most three re-evaluations per tenfold
// growth, however the views arrive. A policy's `views >=` thresholds take effect at the first
// step at or above them (the policy lint warns about a threshold that is not a step).
int ReachStep(std::int64_t views);

// A report as stored, with what became of it.
struct StoredReport {
  Report report;
  UnixMillis received_at = 0;
  // Set by the first decision a person (a reviewer) logs about the item after the report was
  // received: "upheld" (remove, reduce or label) or "rejected" (no violation, restore). "" until
  // then. It counts towards the reporter's track record (ReportSignal).
  std::string outcome;
};

// A sampled view kept for audits: one row stands for 1/sample_rate views.
struct ViewSample {
  std::string item_id;
  UnixMillis viewed_at = 0;
  std::string surface;
  double sample_rate = 1.0;
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  // Adds counts per item and stores the given samples. Every item_id must exist.
  virtual Result<AppendSummary> AppendViews(std::span<const ViewEvent> views,
                                            std::span<const ViewSample> samples,
                                            UnixMillis now) = 0;
  // Idempotent by report id. Every item_id must exist. Each item with a new report is queued for
  // enforcement again (AppendSummary::requeued), as is each item whose views cross a ReachStep.
  virtual Result<AppendSummary> AppendReports(std::span<const Report> reports, UnixMillis now) = 0;
  virtual Result<StoredReport> GetReport(std::string_view id) = 0;  // NotFound
  // Idempotent by impression id. Every adjacent item must exist.
  virtual Result<AppendSummary> AppendAdImpressions(std::span<const AdImpression> impressions,
                                                    UnixMillis now) = 0;
};

struct ApiKeyRecord {
  std::string id;  // public key id (the part of the key before the secret)
  std::string name;
  Role role = Role::kPlatform;
  std::string secret_hash;  // hex SHA-256 of the secret; the secret itself is never stored
  UnixMillis created_at = 0;
  std::optional<UnixMillis> revoked_at;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual Status CreateKey(const ApiKeyRecord& key) = 0;          // AlreadyExists on id collision
  virtual Result<ApiKeyRecord> FindKey(std::string_view id) = 0;  // NotFound
  virtual Result<std::vector<ApiKeyRecord>> ListKeys() = 0;
  virtual Status RevokeKey(std::string_view id, UnixMillis now) = 0;  // NotFound
};

// The newest entry of the decision log (seq 0 and GenesisHash() when the log is empty).
struct LogHead {
  std::int64_t seq = 0;
  std::string hash;
};

struct LogVerification {
  std::int64_t entries_checked = 0;
  bool ok = true;
  std::int64_t first_broken_seq = 0;  // when !ok: the first entry that fails a check
  std::string problem;                // when !ok: what is wrong with it
  LogHead head;                       // as recomputed (when ok, equals the stored head)
};

// The append-only, hash-chained decision log. Entries are never updated or deleted; a later
// decision about the same item (a re-scan, a review, an appeal) is a new entry.
class DecisionStore {
 public:
  virtual ~DecisionStore() = default;
  // Appends in order, assigning seq, prev_hash and hash (fields set by the caller are
  // overwritten). Every item_id must exist. Returns the entries as stored.
  virtual Result<std::vector<Decision>> AppendDecisions(std::vector<Decision> decisions) = 0;
  virtual Result<LogHead> Head() = 0;
  // Entries with seq > after_seq, oldest first, at most `limit`.
  virtual Result<std::vector<Decision>> ListDecisions(std::int64_t after_seq, int limit) = 0;
  virtual Result<std::vector<Decision>> DecisionsForItem(std::string_view item_id) = 0;
  // Re-reads the whole log in seq order and checks that seqs are 1..n without gaps, that each
  // entry's prev_hash is its predecessor's hash and that each hash matches the entry's fields.
  // Reports the first entry that fails. (Truncation of the newest entries leaves a valid chain:
  // compare the head with a published one to detect it.)
  virtual Result<LogVerification> VerifyLog() = 0;
};

// One report on an item as enforcement weighs it (review/reports.h): who reported, when the
// reporter's account was made, and the reporter's track record.
struct ReportSignal {
  std::string reporter_id;
  UnixMillis reporter_created_at = 0;  // 0: unknown
  UnixMillis reported_at = 0;
  std::int64_t upheld = 0;    // the reporter's earlier reports that reviewers upheld
  std::int64_t rejected = 0;  // ... and found no violation in
};

// An item as the enforcement pipeline sees it: current text and context.
struct EnforcementItem {
  Item item;  // text = current revision
  int revision = 0;
  std::int64_t views = 0;
  std::int64_t reports = 0;  // raw count
  // Bumped by every event that queues the item again (a report, a reach step); enforcement
  // records the value it saw, so an event that arrives meanwhile queues the item once more.
  std::int64_t signal = 0;
  std::vector<ReportSignal> report_signals;  // filled when reports > 0
  UnixMillis received_at = 0;                // when the current revision was received
  int enforced_revision = 0;  // the revision last enforced (< revision: this one is new)
};

// An item's revision and signal as enforced (RecordEnforcement).
struct EnforcedMark {
  std::string item_id;
  int revision = 0;
  std::int64_t signal = 0;
  UnixMillis at = 0;  // when; kept as the revision's enforcement time when it first is enforced
};

// How soon the items received in a period were first run through the pipeline (recommendation
// 7's coverage figure for private groups; EnforcementStore::ScanCoverage).
struct ScanCoverage {
  std::int64_t items = 0;    // current revisions received in the period
  std::int64_t within = 0;   // enforced within the given delay of their receipt
  std::int64_t later = 0;    // enforced, but later than that
  std::int64_t pending = 0;  // not enforced yet
  std::int64_t unknown = 0;  // enforced before enforcement times were kept (schema < 11)
};

// A first-review case of a private-group item (EnforcementStore::PrivateGroupCases).
struct PrivateGroupCase {
  std::string queue;
  UnixMillis created_at = 0;
  UnixMillis first_claimed_at = 0;  // 0: not claimed yet
};

// What a shadow policy run (ShadowStore) would have done to one item revision in one category,
// beside what the active policy did: the strongest action of each ("none", "review", "escalate",
// "label", "reduce", "remove") and the rule behind it. Written with the active policy's decisions
// (RecordEnforcement), only where either policy acted in the category.
struct ShadowOutcome {
  std::int64_t run_id = 0;
  std::string item_id;
  int revision = 0;
  std::string category;
  std::string targets;     // the verdict's target groups, comma-separated ("" for none)
  std::string visibility;  // the item's group visibility ("public" outside a group)
  std::string active_action, active_rule;
  std::string shadow_action, shadow_rule;
  UnixMillis at = 0;
};

// A decision that sends its item to an expert review queue (see RecordEnforcement).
struct ReviewRequest {
  size_t index = 0;  // into the decisions being recorded
  std::string queue;
  int priority = 0;  // claim order within the queue (review/priority.h computes it)
  int severity = 0;  // the policy's priority for the queue (1..10); 0: same as priority
};

// Progress of the enforcement pipeline, kept with the items so that it survives restarts: an
// item whose current revision or signal has not been enforced is pending until
// RecordEnforcement says so.
class EnforcementStore {
 public:
  virtual ~EnforcementStore() = default;
  // Items whose current revision or signal is not yet enforced, oldest first, at most `limit`.
  virtual Result<std::vector<EnforcementItem>> PendingEnforcement(int limit) = 0;
  // Every stored item with id > after_id in id order (re-scans), at most `limit`.
  virtual Result<std::vector<EnforcementItem>> ItemsAfter(std::string_view after_id, int limit) = 0;
  // In one transaction: appends `decisions` to the log (as AppendDecisions) except those whose
  // (item, revision, rule, category, action) was logged by enforcement before (enforcement is
  // idempotent: a re-scan or a re-evaluation never logs the same outcome twice; a decision
  // without a rule id is logged as given); opens a review
  // case for each entry of `reviews` whose decision was logged (decisions[index] sent the item to
  // `queue`; an item already waiting in that queue keeps one case, at the higher priority) and
  // raises a waiting case to the priority of a request whose decision was a repeat; and marks
  // each entry of `enforced` as enforced. Returns the decisions as stored (repeats left out).
  // Also records `shadow` (a shadow run's outcomes for the same items; the latest outcome of a
  // run for an item revision and category replaces an earlier one).
  virtual Result<std::vector<Decision>> RecordEnforcement(
      std::vector<Decision> decisions, std::span<const ReviewRequest> reviews,
      std::span<const EnforcedMark> enforced, std::span<const ShadowOutcome> shadow) = 0;
  Result<std::vector<Decision>> RecordEnforcement(std::vector<Decision> decisions,
                                                  std::span<const ReviewRequest> reviews,
                                                  std::span<const EnforcedMark> enforced) {
    return RecordEnforcement(std::move(decisions), reviews, enforced, {});
  }
  virtual Result<std::int64_t> PendingCount() = 0;
  // Items in private groups whose current revision was received in [since, until): how many
  // were enforced within `within_ms` of their receipt.
  virtual Result<ScanCoverage> PrivateGroupScanCoverage(UnixMillis since, UnixMillis until,
                                                        std::int64_t within_ms) = 0;
  // First-review cases (not appeals) about items in private groups opened in [since, until).
  virtual Result<std::vector<PrivateGroupCase>> PrivateGroupCases(UnixMillis since,
                                                                  UnixMillis until) = 0;
};

// A case in an expert review queue.
struct ReviewCase {
  std::int64_t id = 0;
  // What the case is about: an item, or a whole group (opened by a group rule; item_id is then
  // the group's id and item_revision 0).
  TargetKind target_kind = TargetKind::kItem;
  std::string item_id;
  int item_revision = 0;
  std::string queue;
  int priority = 0;
  std::string category;
  std::int64_t opened_by_seq = 0;  // the decision that sent the item to review
  std::string status;              // "open", "claimed", "decided"
  std::string claimed_by;
  UnixMillis lease_expires_at = 0;
  UnixMillis created_at = 0;
  UnixMillis first_claimed_at = 0;  // 0: never claimed (time to first review starts here)
  UnixMillis decided_at = 0;
  std::string decided_by;
  std::string outcome;  // action name of the reviewer's decision
  std::int64_t decision_seq = 0;
  // Appeals only: the decision appealed, the author's statement, and the reviewer who made the
  // appealed decision (who may not decide the appeal).
  std::int64_t appeal_of_seq = 0;
  std::string statement;
  // Reviewers who may not claim the case, '\n'-separated: the appealed decision's reviewer, a
  // second review's first reviewer, a tie-break's first and second reviewers.
  std::string exclude_reviewer;
  // Migration 7: the policy's priority that opened the case (priority is the claim order), the
  // review round (see kFirstReview..kTieBreak), for rounds 2 and 3 the first-review case being
  // checked, and the reviewer's reason code once decided.
  int severity = 0;
  int round = 1;
  std::int64_t checks_case = 0;
  std::string reason_code;
};

// The queue appeals wait in.
inline constexpr std::string_view kAppealsQueue = "appeals";

// Review rounds. A first review decides (its decision goes to the log). A sampled share of
// first reviews gets a second, blind review by another reviewer in the same queue, which only
// measures agreement. When the two disagree, a third reviewer (neither of the two) breaks the tie
// and that decision goes to the log.
inline constexpr int kFirstReview = 1;
inline constexpr int kSecondReview = 2;
inline constexpr int kTieBreak = 3;

// A reviewer's decision on a claimed case (ReviewStore::RecordReview).
struct CaseDecision {
  std::int64_t case_id = 0;
  std::string reviewer;     // must hold an unexpired lease on the case
  std::string reason_code;  // validated by the caller (review/ReviewService)
  // Rounds 1 and 3 and appeals: appended to the log (item, revision and, if empty, category
  // are taken from the case); its action is the outcome. Round 2: only `decision.action` is
  // used (the outcome) and nothing is logged.
  Decision decision;
  // Round 1 (not appeals): also open a blind second review of this case in the same queue,
  // which `reviewer` may not claim.
  bool open_second_review = false;
};

struct CaseDecisionResult {
  ReviewCase decided;                  // the case as decided
  std::optional<Decision> logged;      // the log entry, if any
  std::int64_t second_review = 0;      // round 2 opened for this case (0: none)
  std::optional<bool> agreed;          // round 2: whether the outcome matches the first review's
  std::int64_t tie_break = 0;          // round 3 opened on disagreement (0: none)
  std::optional<Decision> escalation;  // round 2 disagreement: the escalate entry logged
};

// A first review and the blind second review of the same case, both decided.
struct ReviewPair {
  std::string queue;
  std::string first_outcome, second_outcome;  // action names
  std::string first_reason_code, second_reason_code;
  UnixMillis second_decided_at = 0;
};

// How long a decided first-review case waited for its first claim.
struct FirstReviewWait {
  std::string queue;
  std::int64_t wait_ms = 0;  // first_claimed_at - created_at
};

struct QueueStats {
  std::string queue;
  std::int64_t open = 0;                // waiting (including expired leases)
  std::int64_t claimed = 0;             // under an unexpired lease
  UnixMillis oldest_waiting_since = 0;  // created_at of the oldest waiting case, 0 if none
  std::int64_t checks_waiting = 0;      // of `open`: second reviews and tie-breaks (rounds 2, 3)
};

// Expert review queues. Claims are leases: a case claimed by one reviewer is invisible to others
// until the lease expires or the case is decided, so no case is reviewed twice at once and none
// is lost when a reviewer walks away.
class ReviewStore {
 public:
  virtual ~ReviewStore() = default;
  // Claims the waiting case with the highest priority (oldest first among equals) in `queue`
  // for `reviewer` until now + lease_ms. NotFound if the queue has nothing waiting. With
  // max_held > 0, FailedPrecondition (field "reviewer") when the reviewer already holds that
  // many live claims, checked in the same transaction (parallel claims cannot pass it).
  virtual Result<ReviewCase> ClaimNext(std::string_view queue, std::string_view reviewer,
                                       UnixMillis now, std::int64_t lease_ms, int max_held = 0) = 0;
  virtual Result<ReviewCase> GetCase(std::int64_t id) = 0;
  // Records `decision` (appended to the log) as the outcome of case `id`, atomically. The
  // reviewer must hold an unexpired lease on it: FailedPrecondition otherwise.
  virtual Result<Decision> DecideCase(std::int64_t id, std::string_view reviewer, Decision decision,
                                      UnixMillis now) = 0;
  virtual Result<std::vector<QueueStats>> Queues(UnixMillis now) = 0;
  // The cases waiting in `queue` (open, or claimed under an expired lease), in claim order
  // (highest priority, then oldest first), at most `limit`.
  virtual Result<std::vector<ReviewCase>> WaitingCases(std::string_view queue, UnixMillis now,
                                                       int limit) = 0;
  // Opens an appeal of decision `seq` in kAppealsQueue with the author's statement. NotFound for
  // an unknown decision; FailedPrecondition if the decision is not an enforcement (remove,
  // reduce, label) or the item already has an appeal waiting. If a reviewer made the decision,
  // a different reviewer must decide the appeal.
  virtual Result<ReviewCase> OpenAppeal(std::int64_t seq, std::string_view statement,
                                        UnixMillis now) = 0;

  // Records `d` atomically: checks the lease as DecideCase; marks the case decided with its
  // outcome and reason code; rounds 1 and 3 and appeals append d.decision to the log (restore
  // only for appeals and tie-breaks: FailedPrecondition otherwise); round 1 with
  // open_second_review opens the blind round-2 case (unless one is already waiting for the item
  // in that queue); round 2 logs nothing, compares its outcome with the first review's and, if
  // they differ, logs an escalate entry and opens a round-3 case that neither reviewer may
  // claim.
  virtual Result<CaseDecisionResult> RecordReview(const CaseDecision& d, UnixMillis now) = 0;
  // Pairs whose second review was decided in [since, until), oldest first.
  virtual Result<std::vector<ReviewPair>> ReviewPairs(UnixMillis since, UnixMillis until) = 0;
  // First-review (round 1) cases decided in [since, until): their wait for the first claim.
  virtual Result<std::vector<FirstReviewWait>> FirstReviewWaits(UnixMillis since,
                                                                UnixMillis until) = 0;
  // Cases in `queue` still waiting for their first claim that were opened before
  // `created_before` (past an SLA of now - created_before).
  virtual Result<std::int64_t> UnclaimedBefore(std::string_view queue,
                                               UnixMillis created_before) = 0;
};

// Bulwark's standing for a group, set by group decisions (target kind group): remove -> removed,
// restrict -> restricted, none or restore by a person -> active. A label leaves the state as is.
enum class GroupState : std::uint8_t { kActive, kRestricted, kRemoved };
std::string_view GroupStateName(GroupState s);  // "active", "restricted", "removed"
std::optional<GroupState> ParseGroupState(std::string_view name);

// A group as stored. A group seen only through its items' group_id has no name, owner or
// admins (described = false) until the platform sends it to POST /v1/groups.
struct StoredGroup {
  Group group;
  bool described = false;
  GroupState state = GroupState::kActive;
  std::string label;           // the label a reviewer set, "" if none
  std::int64_t state_seq = 0;  // the decision that set state and label (0: none yet)
  UnixMillis state_at = 0;
  UnixMillis first_seen_at = 0;
  UnixMillis updated_at = 0;
  std::int64_t members = 0;  // accounts whose latest membership event is a join
};

// One change of a group's state or label: the decision that made it.
struct GroupStateChange {
  std::int64_t decision_seq = 0;
  GroupState state = GroupState::kActive;
  std::string label;
  std::string actor;
  UnixMillis at = 0;
};

// An item of a group with every decision about it, oldest first (group risk reads these).
struct GroupItemRecord {
  std::string item_id;
  std::string author_id;
  ItemKind kind = ItemKind::kPost;
  UnixMillis created_at = 0;
  std::vector<Decision> decisions;  // item decisions; evidence left empty
};

// An account's standing removals: items of theirs whose latest remove-or-restore decision is
// a removal made in the window.
struct AccountRemovals {
  std::string account_id;
  std::int64_t removed = 0;
};

// What group risk needs to know about one group over a window [since, until).
struct GroupActivity {
  StoredGroup group;
  std::vector<std::string> admins;         // the owner first, then the admins
  std::vector<GroupItemRecord> items;      // created in the window, newest first, at most max_items
  bool items_truncated = false;            // more items than max_items were created in the window
  std::optional<GroupItemRecord> profile;  // the group's profile item, if stored
  std::vector<AccountRemovals> admin_removals;  // one per admin, same order as `admins`
  std::int64_t members_at_start = 0;            // members at `since`
  std::int64_t members_now = 0;                 // members at `until`
  std::int64_t joins = 0;                       // join events in the window
  std::int64_t leaves = 0;                      // leave events in the window
  std::int64_t members_with_removals = 0;       // of members_now: accounts with a standing removal
};

// Groups, their admins, memberships and state (recommendations 4, 6 and 7).
class GroupStore {
 public:
  virtual ~GroupStore() = default;
  // Upserts by group id, with the owner and admins as given (a group's admin list is replaced).
  // Each group's profile (name and description) is upserted in the same transaction as the item
  // GroupProfileItemId(id), kind group_profile, authored by the owner: a changed profile is a
  // new revision, which enforcement scans like any item. The summary counts groups.
  virtual Result<UpsertSummary> UpsertGroups(std::span<const Group> groups, UnixMillis now) = 0;
  // Idempotent by event id. Every group_id must name a stored group (FailedPrecondition naming
  // "[i].group_id" otherwise).
  virtual Result<AppendSummary> AppendMemberships(std::span<const MembershipEvent> events,
                                                  UnixMillis now) = 0;
  virtual Result<StoredGroup> GetGroup(std::string_view id) = 0;  // NotFound
  // Groups with id > after_id in id order, at most `limit`.
  virtual Result<std::vector<StoredGroup>> ListGroups(std::string_view after_id, int limit) = 0;
  // The ids of every item of the group (its profile included).
  virtual Result<std::vector<std::string>> ItemIds(std::string_view id) = 0;
  // The group's state changes, oldest first.
  virtual Result<std::vector<GroupStateChange>> GroupHistory(std::string_view id) = 0;
  virtual Result<GroupActivity> Activity(std::string_view id, UnixMillis since, UnixMillis until,
                                         int max_items) = 0;  // NotFound
  // Records that group rule `d.rule_id` matched group `d.item_id` (d: target kind group, action
  // review or escalate, by the pipeline) in `period` (the rule's window number): in one
  // transaction, appends `d` to the log and opens a first-review case for the group in `queue`
  // (a group already waiting there keeps its case, at the higher priority). A rule matches a
  // group at most once per period: a repeat returns nullopt and changes nothing.
  virtual Result<std::optional<Decision>> RecordGroupRuleMatch(Decision d, std::string_view queue,
                                                               int priority, int severity,
                                                               std::int64_t period) = 0;
  // Groups with an item created, or a membership event, at or after `since`, in id order after
  // `after_id`, at most `limit` (the group scan's work list).
  virtual Result<std::vector<std::string>> ActiveGroups(UnixMillis since, std::string_view after_id,
                                                        int limit) = 0;
};

// What the latest account decision left an account in (docs/accounts.md). A restriction: the
// account may not post and is not recommended until it ends; a suspension: the account is
// suspended until it ends, or until lifted when it has no end.
enum class AccountState : std::uint8_t { kActive, kRestricted, kSuspended };
std::string_view AccountStateName(AccountState s);  // "active", "restricted", "suspended"
std::optional<AccountState> ParseAccountState(std::string_view name);

// A platform account (an author, a group's owner, admin or member) as stored.
struct StoredAccount {
  std::string id;
  bool is_public_figure = false;
  AccountState state = AccountState::kActive;
  std::optional<UnixMillis> until;  // the end of a restriction or suspension; none: no end
  std::int64_t state_seq = 0;       // the decision that set the state (0: none ever did)
  UnixMillis state_at = 0;
  UnixMillis first_seen_at = 0;
  UnixMillis last_seen_at = 0;
  // The state at `now`: a restriction or suspension whose end has passed is over.
  AccountState StateAt(UnixMillis now) const {
    return state != AccountState::kActive && until && *until <= now ? AccountState::kActive : state;
  }
};

// One strike against an account: a standing removal of one of its items (the latest of the item's
// remove, restore and human "no violation" decisions is a removal), or of a group it owns or
// administers (the group's state is removed). A restore (an appeal upheld) takes it away.
struct Strike {
  std::string account_id;
  TargetKind source = TargetKind::kItem;  // kItem or kGroup
  std::string target_id;                  // the item or the group removed
  std::int64_t decision_seq = 0;          // the removal
  std::string category;
  std::string rule_id;  // "" for a person's decision
  std::string actor;
  UnixMillis at = 0;  // when the removal was made
};

// Platform accounts: their strikes and the consequences strike rules give them (issue 10, item 3).
// The state itself is set where decisions are appended (sqlite_database.cc), from the account
// decision's evidence ("until"), so that a decision and its effect commit together.
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  virtual Result<StoredAccount> GetAccount(std::string_view id) = 0;  // NotFound
  // The account's standing strikes made in [since, until), oldest first.
  virtual Result<std::vector<Strike>> Strikes(std::string_view id, UnixMillis since,
                                              UnixMillis until) = 0;
  // The account scan's work list: accounts with a removal (of an item they wrote, or of a group
  // they own or administer) made at or after `since`, and accounts restricted or suspended, in
  // id order after `after_id`, at most `limit`.
  virtual Result<std::vector<std::string>> AccountsToScan(UnixMillis since,
                                                          std::string_view after_id, int limit) = 0;
  // The account's decisions (target kind account), oldest first.
  virtual Result<std::vector<Decision>> AccountDecisions(std::string_view id) = 0;
  // Records that strike rule `d.rule_id` gave account `d.item_id` its consequence (d: target kind
  // account, action restrict or suspend, evidence with "until"), counting strikes up to the one
  // logged as `strike_seq`: appends `d` once per (account, rule, strike_seq); a repeat returns
  // nullopt and changes nothing.
  virtual Result<std::optional<Decision>> RecordStrikeOutcome(Decision d,
                                                              std::int64_t strike_seq) = 0;
  // Whether RecordStrikeOutcome has recorded (account, rule, strike_seq) (for a dry run).
  virtual Result<bool> HasStrikeOutcome(std::string_view id, std::string_view rule_id,
                                        std::int64_t strike_seq) = 0;
};

// A shadow run: a policy version evaluated beside the active one on live traffic, taking no
// action (docs/policy.md, "Shadow runs"). At most one runs at a time.
struct ShadowRun {
  std::int64_t id = 0;
  std::int64_t policy_id = 0;  // the policy version
  std::string started_by;
  UnixMillis started_at = 0;
  std::string stopped_by;
  std::optional<UnixMillis> stopped_at;  // none: running
};

// Shadow runs and their outcomes: a log apart from the decision log (nothing in it is an action).
class ShadowStore {
 public:
  virtual ~ShadowStore() = default;
  // Starts a run of version `policy_id`, stopping the one running, if any (by `actor` at `now`).
  virtual Result<ShadowRun> StartRun(std::int64_t policy_id, std::string_view actor,
                                     UnixMillis now) = 0;
  // Stops the running run; nullopt when none was running.
  virtual Result<std::optional<ShadowRun>> StopRun(std::string_view actor, UnixMillis now) = 0;
  virtual Result<std::optional<ShadowRun>> RunningRun() = 0;
  // The runs of version `policy_id`, oldest first.
  virtual Result<std::vector<ShadowRun>> Runs(std::int64_t policy_id) = 0;
  // The outcomes of the runs of version `policy_id` recorded in [since, until).
  virtual Result<std::vector<ShadowOutcome>> Outcomes(std::int64_t policy_id, UnixMillis since,
                                                      UnixMillis until) = 0;
};

// Advertiser refunds (recommendation 3; ads/accrual.h has the formula, docs/advertisers.md the
// method). An impression shown with an item, as the formula sees it when a decision about the
// item is applied: its price and time, its distance from the item in the feed (|position|), and
// its net refunds so far, over all items and for this item.
struct RefundExposure {
  std::string impression_id;
  std::string advertiser_id;
  std::string currency;
  std::int64_t price_micros = 0;
  UnixMillis shown_at = 0;
  int distance = 0;
  std::int64_t accrued_micros = 0;   // net refunds of the impression, all items
  std::int64_t item_net_micros = 0;  // ... of which for this item
};

// One append-only refund line, tied to the decision (log seq and rule) it follows from: positive
// for an accrual (a removal), negative for a reversal (a restore).
struct RefundLine {
  std::int64_t seq = 0;  // assigned by the store
  std::string impression_id;
  std::string advertiser_id;
  std::string item_id;
  std::int64_t decision_seq = 0;
  std::string rule_id;
  std::string category;
  std::string currency;
  int distance = 0;
  std::int64_t weight_ppm = 0;
  std::int64_t amount_micros = 0;
  UnixMillis at = 0;  // the decision's time
};

// An impression shown next to an item while it was up and later removed (it has a net refund),
// for the brand-safety figures: the item of its first refund line, that line's time (the
// removal) and the item's first counted view (0 if none).
struct RefundedImpression {
  std::string impression_id;
  std::string item_id;
  UnixMillis removed_at = 0;
  UnixMillis first_view_at = 0;
};
struct ImpressionAudit {
  std::int64_t impressions = 0;              // shown in the window
  std::vector<RefundedImpression> refunded;  // of them, those with a net refund, by id
};

// A refund statement as issued: frozen, never changed or deleted (schema 16). Lines accrued
// after it for its month appear on a later statement as corrections (ads/statement.h).
struct IssuedStatement {
  std::string advertiser_id;
  std::string month;  // "YYYY-MM"
  UnixMillis issued_at = 0;
  std::string issued_by;
  std::int64_t through_seq = 0;  // the last refund line written when it was issued
  std::string sha256;            // hex, of `body`
  std::string body;              // the statement's JSON as issued (empty in IssuedMonths)
};

class AdStore {
 public:
  virtual ~AdStore() = default;
  // The log position refund accrual has reached (0: none).
  virtual Result<std::int64_t> RefundCursor() = 0;
  // `accrue` turns a decision, its item's creation time and the item's exposures (impressions
  // within `max_distance`, their sums including lines written earlier in the same call) into
  // refund lines.
  using AccrueFn = std::function<std::vector<RefundLine>(
      const Decision& d, UnixMillis item_created_at, std::span<const RefundExposure> exposures)>;
  // In one transaction: for each item decision of `decisions` (in log order, those of a page of
  // the log that can change a refund) after the cursor, appends the lines `accrue` returns; then
  // moves the cursor to `through_seq` (the page's last seq). Returns the lines written.
  virtual Result<std::int64_t> AccrueDecisions(std::span<const Decision> decisions,
                                               std::int64_t through_seq, int max_distance,
                                               const AccrueFn& accrue) = 0;
  // The advertiser's lines made in [since, until), in the order they were written.
  virtual Result<std::vector<RefundLine>> RefundLines(std::string_view advertiser_id,
                                                      UnixMillis since, UnixMillis until) = 0;
  // The advertiser's lines made before `until` and written after line `after_seq`, in order
  // (candidates for corrections of issued months).
  virtual Result<std::vector<RefundLine>> RefundLinesAfter(std::string_view advertiser_id,
                                                           std::int64_t after_seq,
                                                           UnixMillis until) = 0;
  // The advertiser's impressions shown in [since, until): how many, and those with a net refund.
  virtual Result<ImpressionAudit> AuditImpressions(std::string_view advertiser_id, UnixMillis since,
                                                   UnixMillis until) = 0;
  // The last refund line written (0: none).
  virtual Result<std::int64_t> LastRefundLineSeq() = 0;
  // Records an issued statement. AlreadyExists naming "month" when the month is issued already.
  virtual Status IssueStatement(const IssuedStatement& s) = 0;
  // The advertiser's statement for `month` as issued, or nullopt if it was not issued.
  virtual Result<std::optional<IssuedStatement>> IssuedStatementFor(std::string_view advertiser_id,
                                                                    std::string_view month) = 0;
  // Every issued month of the advertiser, by month, without bodies.
  virtual Result<std::vector<IssuedStatement>> IssuedMonths(std::string_view advertiser_id) = 0;
};

// A staff account (people who log in: admins, reviewers, auditors, ...). Platforms use API keys.
struct StaffUser {
  std::string id;        // random, assigned at creation; never reused
  std::string username;  // as entered; unique case-insensitively (ASCII)
  std::string display_name;
  Role role = Role::kReviewer;
  std::vector<std::string> expertise;  // reviewer expertise tags ("antisemitism", ...), sorted
  std::string password_hash;           // libsodium crypto_pwhash_str (argon2id) encoded string
  UnixMillis created_at = 0;
  std::optional<UnixMillis> disabled_at;
  UnixMillis password_changed_at = 0;
  // Who last set the password: "user:<id>" for a staff user (the user's own id once they chose
  // it themselves), "operator" for the command line, "" for rows from before schema 9. A
  // civil-rights sign-off needs a password its owner set (policy/lifecycle.h).
  std::string password_set_by;
};

// The actor string for a staff user in account records and the decision log.
inline std::string StaffActor(std::string_view user_id) { return "user:" + std::string(user_id); }
// The actor for account changes made on the command line (`bulwark users ...`).
inline constexpr std::string_view kOperatorActor = "operator";

// A login session. The key is the SHA-256 of the session token; the token itself (the cookie
// value) is never stored.
struct StaffSession {
  std::string token_hash;  // hex SHA-256 of the session token
  std::string user_id;
  std::string csrf_token;  // the session's synchronizer token (useless without the cookie)
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;  // absolute expiry
  UnixMillis last_seen_at = 0;
  std::optional<UnixMillis> revoked_at;
};

// Failed logins for one (lower-cased) username, for throttling.
struct LoginFailures {
  int failures = 0;  // consecutive failures in the current window
  UnixMillis first_failure_at = 0;
  UnixMillis last_failure_at = 0;
};

// Staff accounts, their sessions and failed-login counts.
class UserStore {
 public:
  virtual ~UserStore() = default;
  // Every account change below is also appended to the decision log (action "account", no item;
  // evidence: the user id, the change, the role and expertise), in the same transaction, with
  // the actor who made it.
  //
  // AlreadyExists if the username is taken (compared case-insensitively) or the id collides.
  // The creator is user.password_set_by (they chose or generated the first password).
  virtual Status CreateUser(const StaffUser& user) = 0;
  virtual Result<StaffUser> FindUserById(std::string_view id) = 0;  // NotFound
  // Case-insensitive (ASCII). NotFound.
  virtual Result<StaffUser> FindUserByUsername(std::string_view username) = 0;
  virtual Result<std::vector<StaffUser>> ListUsers() = 0;  // by username
  // Marks the user disabled (keeps an earlier disabled_at) and revokes every session of theirs,
  // in one transaction. NotFound.
  virtual Status DisableUser(std::string_view id, UnixMillis now, std::string_view actor) = 0;
  // A new password set by `set_by` (StaffActor or kOperatorActor): stores the hash and who set
  // it, sets password_changed_at and revokes every session of the user, in one transaction.
  // NotFound.
  virtual Status SetPassword(std::string_view id, std::string_view password_hash, UnixMillis now,
                             std::string_view set_by) = 0;
  // The same password with stronger hashing parameters: replaces the hash only if it is still
  // `old_hash` (a concurrent password change wins). Sessions and password_changed_at are kept.
  virtual Status RehashPassword(std::string_view id, std::string_view old_hash,
                                std::string_view new_hash) = 0;

  // Also deletes sessions that expired more than 30 days before created_at.
  virtual Status CreateSession(const StaffSession& session) = 0;
  virtual Result<StaffSession> FindSession(std::string_view token_hash) = 0;  // NotFound
  virtual Status TouchSession(std::string_view token_hash, UnixMillis now) = 0;
  // Idempotent; NotFound for an unknown session.
  virtual Status RevokeSession(std::string_view token_hash, UnixMillis now) = 0;

  virtual Result<LoginFailures> GetLoginFailures(std::string_view username_key) = 0;
  virtual Status ClearLoginFailures(std::string_view username_key) = 0;
  // Reserves one login attempt before its password is checked, in one write transaction: reads
  // the count (a count older than `window_ms` reads as none); if `locked(count)` says the
  // username is locked, changes nothing and sets *reserved = false; otherwise counts the attempt
  // as a failure (a successful login clears it) and sets *reserved = true. Returns the count as
  // it was before. Parallel guesses are serialised here, so they cannot all see the same count
  // and slip past the lockout. `locked` runs under the store's write lock: keep it cheap.
  virtual Result<LoginFailures> ReserveLoginAttempt(
      std::string_view username_key, UnixMillis now, std::int64_t window_ms,
      const std::function<bool(const LoginFailures&)>& locked, bool* reserved) = 0;
};

// The lifecycle of a policy version (src/policy/lifecycle.h has the rules; docs/policy.md):
// draft -> in_review -> approved -> active -> retired, or rejected from review.
enum class PolicyState : std::uint8_t {
  kDraft,
  kInReview,
  kApproved,
  kActive,
  kRetired,
  kRejected
};
// "draft", "in_review", "approved", "active", "retired", "rejected".
std::string_view PolicyStateName(PolicyState s);
std::optional<PolicyState> ParsePolicyState(std::string_view name);

// One stored policy version: the exact text and where it stands in the lifecycle.
struct PolicyVersion {
  std::int64_t id = 0;  // assigned by the store: 1, 2, 3, ...
  std::string name;     // `policy = ...` of the file header
  std::string version;  // `version = ...` of the file header
  std::string sha256;   // hex SHA-256 of `text`
  std::string text;     // the policy file, byte for byte
  PolicyState state = PolicyState::kDraft;
  std::string author;
  UnixMillis created_at = 0;
  std::string submitted_by;
  UnixMillis submitted_at = 0;        // 0: not submitted
  std::string backtest;               // JSON summary of the backtest run at submission ("" before)
  std::int64_t backtest_against = 0;  // the version active when it was backtested (0: none)
  std::string approved_by;
  UnixMillis approved_at = 0;
  std::string approval_comment;
  std::string activated_by;
  UnixMillis activated_at = 0;
};

// One entry of a version's append-only history.
struct PolicyTransition {
  std::int64_t seq = 0;  // assigned by the store, increasing over all versions
  std::int64_t policy_id = 0;
  std::string from;  // state name, "" when the version was created
  std::string to;
  std::string actor;
  std::string role;  // the role the actor acted in ("" for bootstrap)
  std::string comment;
  UnixMillis at = 0;
};

// The result of an activation: the version now active, the one it retired (if any) and the
// decision-log entry that records it.
struct PolicyActivation {
  PolicyVersion activated;
  std::optional<PolicyVersion> retired;
  Decision log_entry;
};

// Builds the decision-log entry of an activation from the versions as they stand inside the
// activating transaction (`retiring` is null when no version was active). Returning an error
// aborts the activation with nothing written. Called under the store's write lock: it must be
// quick and must not call the store.
using ActivationEntryFn =
    std::function<Result<Decision>(const PolicyVersion& activating, const PolicyVersion* retiring)>;

// Policy versions and their history. The store keeps the records consistent (ids, at most one
// active version — also a unique index — and an append-only transition log); which transitions
// are allowed, and who may make them, is decided by policy::Lifecycle.
class PolicyStore {
 public:
  virtual ~PolicyStore() = default;
  // Inserts `v` (id and state ignored: it becomes draft) and logs its creation `t` (from "").
  // AlreadyExists if a version with the same name and version string is stored and not rejected.
  virtual Result<PolicyVersion> CreateVersion(const PolicyVersion& v,
                                              const PolicyTransition& t) = 0;
  virtual Result<PolicyVersion> GetVersion(std::int64_t id) = 0;  // NotFound
  // Every version, newest first, with `text` and `backtest` left empty.
  virtual Result<std::vector<PolicyVersion>> ListVersions() = 0;
  // The active version; NotFound if none is active.
  virtual Result<PolicyVersion> ActiveVersion() = 0;
  // The id of the active version, 0 if none (one indexed read: cheap enough per batch).
  virtual Result<std::int64_t> ActiveVersionId() = 0;
  // The version's transitions, oldest first.
  virtual Result<std::vector<PolicyTransition>> History(std::int64_t id) = 0;
  // Writes the lifecycle fields of `updated` (state, submission, backtest, approval) to the
  // stored version `updated.id` and logs `t`, atomically, if the version is still in state
  // `from`: FailedPrecondition otherwise (someone else moved it meanwhile). Never makes a
  // version active (use Activate).
  virtual Result<PolicyVersion> Transition(const PolicyVersion& updated, PolicyState from,
                                           const PolicyTransition& t) = 0;
  // Replaces the backtest summary of version `id` while it is in_review from the submission
  // made at `submitted_at` (progress, then the result, of that submission's backtest). false,
  // writing nothing, when the version has moved on or was submitted again since.
  virtual Result<bool> UpdateBacktest(std::int64_t id, UnixMillis submitted_at,
                                      const std::string& backtest) = 0;
  // In one transaction: calls make_entry with version `id` and the active version, retires the
  // active one, makes `id` active (activated_by/at from `t`), logs both transitions with
  // `t`'s actor, role, comment and time, and appends the entry to the decision log.
  virtual Result<PolicyActivation> Activate(std::int64_t id, const PolicyTransition& t,
                                            const ActivationEntryFn& make_entry) = 0;
  // In one transaction, only while no version is active (FailedPrecondition otherwise): inserts
  // `v` directly as the active version, logs `t` (from "" to active) and appends the entry
  // make_entry builds (retiring = null). For the first start of a fresh install.
  virtual Result<PolicyActivation> ImportActive(const PolicyVersion& v, const PolicyTransition& t,
                                                const ActivationEntryFn& make_entry) = 0;
};

struct TableCount {
  std::string table;
  std::int64_t rows = 0;
};

struct DatabaseStats {
  std::string backend;   // "sqlite"
  std::string location;  // file path
  int schema_version = 0;
  std::int64_t size_bytes = 0;
  std::vector<TableCount> tables;
};

struct OpenOptions {
  bool create_if_missing = true;
  bool migrate = true;           // apply pending migrations on open
  bool synchronous_full = true;  // fsync every commit (survives power loss), else process-kill safe
  int read_connections = 4;
  MetricsRegistry* metrics = nullptr;  // optional; must outlive the database
};

// One open database: the stores for each domain area, plus administration.
class Database {
 public:
  virtual ~Database() = default;
  virtual ItemStore& items() = 0;
  virtual EventStore& events() = 0;
  virtual GroupStore& groups() = 0;
  virtual AccountStore& accounts() = 0;
  virtual ShadowStore& shadow() = 0;
  virtual AdStore& ads() = 0;
  virtual KeyStore& keys() = 0;
  virtual DecisionStore& decisions() = 0;
  virtual EnforcementStore& enforcement() = 0;
  virtual ReviewStore& review() = 0;
  virtual UserStore& users() = 0;
  virtual PolicyStore& policies() = 0;

  virtual int schema_version() const = 0;
  virtual int latest_schema_version() const = 0;
  // Applies pending migrations; returns how many were applied.
  virtual Result<int> Migrate() = 0;
  virtual Result<DatabaseStats> Stats() = 0;
  // A cheap liveness check (a read on a pooled connection).
  virtual Status Ping() = 0;
};

// Opens "sqlite:PATH" (or a bare path). "postgresql://..." is reserved for the server backend.
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, const OpenOptions& options);

}  // namespace bulwark::store
