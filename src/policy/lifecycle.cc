#include "policy/lifecycle.h"

#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "core/utf8.h"

namespace bulwark::policy {
namespace {

using nlohmann::json;
using store::PolicyState;
using store::PolicyStateName;
using store::PolicyVersion;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string VersionRef(const PolicyVersion& v) {
  return "version " + std::to_string(v.id) + " (" + PolicyLabel(v.name, v.version) + ")";
}

Status CheckComment(std::string_view comment) {
  if (comment.size() > kMaxCommentBytes) {
    return InvalidArgument("must be at most " + std::to_string(kMaxCommentBytes) + " bytes",
                           "comment");
  }
  if (!IsValidUtf8(comment)) return InvalidArgument("is not valid UTF-8", "comment");
  return Status::Ok();
}

Status CheckActor(const Actor& actor) {
  if (actor.id.empty()) return InvalidArgument("the acting user is not known", "actor");
  if (actor.id.size() > 256 || !IsValidUtf8(actor.id)) {
    return InvalidArgument("must be valid UTF-8 of at most 256 bytes", "actor");
  }
  return Status::Ok();
}

Status RequireRole(const Actor& actor, std::initializer_list<Role> roles, std::string_view what) {
  for (Role r : roles) {
    if (actor.role == r) return Status::Ok();
  }
  std::string names;
  for (Role r : roles) names += std::string(names.empty() ? "" : " or ") + std::string(RoleName(r));
  return PermissionDenied("only role " + names + " may " + std::string(what) + " (" + actor.id +
                          " acts as " + std::string(RoleName(actor.role)) + ")");
}

// Separation of duties: nobody signs off their own policy.
Status RequireNotAuthor(const PolicyVersion& v, const Actor& actor, std::string_view what) {
  if (v.author == actor.id) {
    return PermissionDenied(actor.id + " wrote " + VersionRef(v) + " and may not " +
                            std::string(what) + " it: a different civil-rights officer must");
  }
  return Status::Ok();
}

Status WrongState(const PolicyVersion& v, std::string_view allowed, std::string_view what) {
  return FailedPrecondition(VersionRef(v) + " is " + std::string(PolicyStateName(v.state)) +
                                ": only " + std::string(allowed) + " version can be " +
                                std::string(what),
                            "state");
}

// Lint errors block submission and approval; the message lists them (at most five).
Status RequireLintClean(const Policy& p, const PolicyVersion& v) {
  std::vector<LintFinding> findings = Lint(p);
  std::string list;
  int errors = 0;
  int first_line = 0;
  for (const LintFinding& f : findings) {
    if (f.severity != LintSeverity::kError) continue;
    if (errors == 0) first_line = f.line;
    if (++errors <= 5) list += "; " + FormatFinding(p, f);
  }
  if (errors == 0) return Status::Ok();
  return FailedPrecondition(VersionRef(v) + " has " + std::to_string(errors) + " lint error" +
                                (errors == 1 ? "" : "s") + list,
                            "text:" + std::to_string(first_line));
}

// The backtest must compare with the version in force now: a sign-off of a comparison with a
// version that has since been replaced says nothing about the change about to go live.
Status RequireCurrentBacktest(const PolicyVersion& v, std::int64_t active_id) {
  if (v.backtest_against == active_id) return Status::Ok();
  auto name = [](std::int64_t id) {
    return id == 0 ? std::string("no version") : "version " + std::to_string(id);
  };
  return FailedPrecondition(VersionRef(v) + " was backtested against " + name(v.backtest_against) +
                                ", but " + name(active_id) +
                                " is active now: submit it again for a fresh backtest and "
                                "sign-off",
                            "state");
}

// A sign-off needs the backtest's result: not while it runs, not after it failed.
Status RequireFinishedBacktest(const PolicyVersion& v) {
  const std::string state = BacktestState(v);
  if (state == "done") return Status::Ok();
  json bt = json::parse(v.backtest, nullptr, false);
  if (state == "running") {
    const auto scanned = bt.value("items_scanned", json(0));
    return FailedPrecondition(VersionRef(v) + "'s backtest is still running (" + scanned.dump() +
                                  " items scanned): approve it when it has finished",
                              "backtest");
  }
  if (state == "failed") {
    return FailedPrecondition(VersionRef(v) + "'s backtest failed (" +
                                  bt.value("error", std::string("no reason recorded")) +
                                  "): submit it again",
                              "backtest");
  }
  return Status::Ok();
}

json ActivationEvidence(const PolicyVersion& v, const PolicyVersion* retiring) {
  json ev = {{"policy_version_id", v.id},
             {"policy", v.name},
             {"version", v.version},
             {"sha256", v.sha256},
             {"author", v.author}};
  if (!v.approved_by.empty()) {
    ev["approved_by"] = v.approved_by;
    ev["approved_at"] = FormatRfc3339(v.approved_at);
  }
  if (!v.backtest.empty()) {
    json bt = json::parse(v.backtest, nullptr, false);
    if (!bt.is_discarded() && bt.is_object()) {
      json brief = json::object();
      for (const char* k : {"items", "changed", "stricter", "looser"}) {
        if (bt.contains(k)) brief[k] = bt[k];
      }
      ev["backtest"] = brief;
    }
  }
  ev["retired"] = retiring
                      ? json{{"policy_version_id", retiring->id},
                             {"policy_version", PolicyLabel(retiring->name, retiring->version)},
                             {"sha256", retiring->sha256}}
                      : json(nullptr);
  return ev;
}

}  // namespace

std::string PolicyLabel(std::string_view name, std::string_view version) {
  return std::string(name) + "@" + std::string(version);
}

Result<std::shared_ptr<const Policy>> ParseVersion(const PolicyVersion& v) {
  if (Sha256Hex(v.text) != v.sha256) {
    return Internal("the stored text of policy " + VersionRef(v) +
                    " does not match its SHA-256: the database was altered");
  }
  return ParsePolicy(v.text, "policy-version-" + std::to_string(v.id));
}

Lifecycle::Lifecycle(store::PolicyStore& store, const Clock& clock, BacktestFn backtest)
    : store_(store), clock_(clock), backtest_(std::move(backtest)) {}

Result<Drafted> Lifecycle::Draft(std::string_view text, std::string_view source,
                                 const Actor& author, std::string_view comment) {
  BULWARK_RETURN_IF_ERROR(CheckActor(author));
  BULWARK_RETURN_IF_ERROR(RequireRole(author, {Role::kPolicyAuthor, Role::kAdmin}, "draft"));
  BULWARK_RETURN_IF_ERROR(CheckComment(comment));
  BULWARK_ASSIGN_OR_RETURN(auto parsed, ParsePolicy(text, source));
  Drafted out;
  out.policy = parsed;
  out.lint = Lint(*parsed);
  PolicyVersion v;
  v.name = parsed->id;
  v.version = parsed->version;
  v.text = std::string(text);
  v.sha256 = Sha256Hex(text);
  v.author = author.id;
  v.created_at = clock_.NowMillis();
  store::PolicyTransition t;
  t.actor = author.id;
  t.role = std::string(RoleName(author.role));
  t.comment = std::string(comment);
  t.at = v.created_at;
  BULWARK_ASSIGN_OR_RETURN(out.version, store_.CreateVersion(v, t));
  return out;
}

namespace {

// The checks of a submission, and the version in force now (the backtest's baseline).
struct SubmissionBasis {
  PolicyVersion version;
  std::shared_ptr<const Policy> proposed;
  std::optional<PolicyVersion> current;  // the active version, if any
  std::shared_ptr<const Policy> active;
};

Result<SubmissionBasis> PrepareSubmission(store::PolicyStore& store, const BacktestFn& backtest,
                                          std::int64_t id, const Actor& actor,
                                          std::string_view comment) {
  BULWARK_RETURN_IF_ERROR(CheckActor(actor));
  BULWARK_RETURN_IF_ERROR(RequireRole(actor, {Role::kPolicyAuthor, Role::kAdmin}, "submit"));
  BULWARK_RETURN_IF_ERROR(CheckComment(comment));
  SubmissionBasis b;
  BULWARK_ASSIGN_OR_RETURN(b.version, store.GetVersion(id));
  const PolicyVersion& v = b.version;
  if (v.state != PolicyState::kDraft && v.state != PolicyState::kApproved) {
    return WrongState(v, "a draft (or an approved)", "submitted for review");
  }
  BULWARK_ASSIGN_OR_RETURN(b.proposed, ParseVersion(v));
  BULWARK_RETURN_IF_ERROR(RequireLintClean(*b.proposed, v));
  if (!backtest) {
    return Unavailable("no detectors are loaded, so the backtest that a sign-off needs cannot run");
  }
  // The backtest compares with the version in force when it starts; an activation meanwhile
  // makes it stale, which approval and activation detect (RequireCurrentBacktest).
  auto current = store.ActiveVersion();
  if (current.ok()) {
    BULWARK_ASSIGN_OR_RETURN(b.active, ParseVersion(*current));
    b.current = std::move(*current);
  } else if (current.status().code() != Code::kNotFound) {
    return current.status();
  }
  return b;
}

json AgainstJson(const std::optional<PolicyVersion>& current) {
  return current ? json{{"policy_version_id", current->id},
                        {"policy_version", PolicyLabel(current->name, current->version)}}
                 : json(nullptr);
}

json ProposedJson(const PolicyVersion& v) {
  return {{"policy_version_id", v.id}, {"policy_version", PolicyLabel(v.name, v.version)}};
}

// The lifecycle fields of a submission by `actor` at `now` with backtest `bt`.
PolicyVersion Submitted(const PolicyVersion& v, const std::optional<PolicyVersion>& current,
                        const Actor& actor, UnixMillis now, const json& bt) {
  PolicyVersion updated = v;
  updated.state = PolicyState::kInReview;
  updated.submitted_by = actor.id;
  updated.submitted_at = now;
  updated.backtest = Dump(bt);
  updated.backtest_against = current ? current->id : 0;
  // A resubmitted version needs a new sign-off: the old one is kept in the history.
  updated.approved_by.clear();
  updated.approved_at = 0;
  updated.approval_comment.clear();
  return updated;
}

}  // namespace

std::string BacktestState(const PolicyVersion& v) {
  json bt = json::parse(v.backtest, nullptr, false);
  if (bt.is_object() && bt.contains("state") && bt["state"].is_string()) {
    return bt["state"].get<std::string>();
  }
  return "done";
}

Result<PolicyVersion> Lifecycle::Submit(std::int64_t id, const Actor& actor,
                                        std::string_view comment) {
  BULWARK_ASSIGN_OR_RETURN(SubmissionBasis b,
                           PrepareSubmission(store_, backtest_, id, actor, comment));
  BULWARK_ASSIGN_OR_RETURN(std::string summary, backtest_(b.active.get(), *b.proposed, {}));
  json s = json::parse(summary, nullptr, false);
  if (s.is_discarded() || !s.is_object()) return Internal("backtest summary is not a JSON object");
  const UnixMillis now = clock_.NowMillis();
  s["state"] = "done";
  s["against"] = AgainstJson(b.current);
  s["proposed"] = ProposedJson(b.version);
  s["ran_at"] = FormatRfc3339(now);
  store::PolicyTransition t{
      0, id, "", "", actor.id, std::string(RoleName(actor.role)), std::string(comment), now};
  return store_.Transition(Submitted(b.version, b.current, actor, now, s), b.version.state, t);
}

Result<PolicyVersion> Lifecycle::SubmitWithPendingBacktest(std::int64_t id, const Actor& actor,
                                                           std::string_view comment) {
  BULWARK_ASSIGN_OR_RETURN(SubmissionBasis b,
                           PrepareSubmission(store_, backtest_, id, actor, comment));
  const UnixMillis now = clock_.NowMillis();
  json s = {{"state", "running"},
            {"items_scanned", 0},
            {"against", AgainstJson(b.current)},
            {"proposed", ProposedJson(b.version)},
            {"started_at", FormatRfc3339(now)}};
  store::PolicyTransition t{
      0, id, "", "", actor.id, std::string(RoleName(actor.role)), std::string(comment), now};
  return store_.Transition(Submitted(b.version, b.current, actor, now, s), b.version.state, t);
}

namespace {
constexpr UnixMillis kProgressIntervalMs = 1000;
}  // namespace

Result<bool> Lifecycle::RunBacktest(std::int64_t id, const std::function<bool()>& keep_going) {
  BULWARK_ASSIGN_OR_RETURN(PolicyVersion v, store_.GetVersion(id));
  if (v.state != PolicyState::kInReview || BacktestState(v) != "running") return false;
  json running = json::parse(v.backtest, nullptr, false);
  const UnixMillis submitted_at = v.submitted_at;
  auto finish = [&](json s) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(bool written, store_.UpdateBacktest(id, submitted_at, Dump(s)));
    return written;
  };
  auto fail = [&](const Status& why) {
    json s = running;
    s["state"] = "failed";
    s["error"] = why.message();
    s["ran_at"] = FormatRfc3339(clock_.NowMillis());
    return finish(std::move(s));
  };
  if (!backtest_) {
    return fail(Unavailable("no detectors are loaded, so the backtest cannot run"));
  }
  // The baseline is the version that was active at submission (RequireCurrentBacktest makes
  // the result stale if another has been activated since).
  std::shared_ptr<const Policy> active;
  if (v.backtest_against != 0) {
    auto was = store_.GetVersion(v.backtest_against);
    if (!was.ok()) return fail(was.status());
    auto parsed = ParseVersion(*was);
    if (!parsed.ok()) return fail(parsed.status());
    active = *parsed;
  }
  auto proposed = ParseVersion(v);
  if (!proposed.ok()) return fail(proposed.status());
  bool stopped = false;
  UnixMillis last_write = clock_.NowMillis();
  BacktestProgressFn progress = [&](std::int64_t scanned) {
    // At most one progress write a second: each is a durable transaction.
    if (const UnixMillis now = clock_.NowMillis(); now - last_write >= kProgressIntervalMs) {
      last_write = now;
      json s = running;
      s["items_scanned"] = scanned;
      // A failed progress write is not fatal: the final write reports the outcome.
      (void)store_.UpdateBacktest(id, submitted_at, Dump(s));
    }
    stopped = keep_going && !keep_going();
    return !stopped;
  };
  auto summary = backtest_(active.get(), **proposed, progress);
  if (!summary.ok() && stopped) return summary.status();  // still pending: runs again later
  if (!summary.ok()) return fail(summary.status());
  json s = json::parse(*summary, nullptr, false);
  if (s.is_discarded() || !s.is_object()) {
    return fail(Internal("backtest summary is not a JSON object"));
  }
  s["state"] = "done";
  s["against"] = running.is_object() ? running.value("against", json(nullptr)) : json(nullptr);
  s["proposed"] = ProposedJson(v);
  s["ran_at"] = FormatRfc3339(clock_.NowMillis());
  return finish(std::move(s));
}

Result<PolicyVersion> Lifecycle::Approve(std::int64_t id, const Actor& actor,
                                         std::string_view comment) {
  BULWARK_RETURN_IF_ERROR(CheckActor(actor));
  BULWARK_RETURN_IF_ERROR(RequireRole(actor, {Role::kCivilRights}, "approve a policy version"));
  BULWARK_RETURN_IF_ERROR(CheckComment(comment));
  if (actor.password_set_by && *actor.password_set_by != store::StaffActor(actor.id)) {
    const std::string& by = *actor.password_set_by;
    return Status(Code::kPermissionDenied,
                  "a sign-off needs a password its owner chose, and this account's password was "
                  "set by " +
                      (by.empty() ? std::string("someone else, before Bulwark recorded who")
                                  : "'" + by + "'") +
                      ": change it (POST /v1/auth/password) and sign in again first",
                  "actor");
  }
  BULWARK_ASSIGN_OR_RETURN(PolicyVersion v, store_.GetVersion(id));
  BULWARK_RETURN_IF_ERROR(RequireNotAuthor(v, actor, "approve"));
  if (v.state != PolicyState::kInReview) return WrongState(v, "an in_review", "approved");
  BULWARK_ASSIGN_OR_RETURN(auto parsed, ParseVersion(v));
  BULWARK_RETURN_IF_ERROR(RequireLintClean(*parsed, v));
  BULWARK_ASSIGN_OR_RETURN(std::int64_t active_id, store_.ActiveVersionId());
  BULWARK_RETURN_IF_ERROR(RequireFinishedBacktest(v));
  BULWARK_RETURN_IF_ERROR(RequireCurrentBacktest(v, active_id));
  const UnixMillis now = clock_.NowMillis();
  PolicyVersion updated = v;
  updated.state = PolicyState::kApproved;
  updated.approved_by = actor.id;
  updated.approved_at = now;
  updated.approval_comment = std::string(comment);
  store::PolicyTransition t{
      0, id, "", "", actor.id, std::string(RoleName(actor.role)), std::string(comment), now};
  return store_.Transition(updated, v.state, t);
}

Result<PolicyVersion> Lifecycle::Reject(std::int64_t id, const Actor& actor,
                                        std::string_view comment) {
  BULWARK_RETURN_IF_ERROR(CheckActor(actor));
  BULWARK_RETURN_IF_ERROR(RequireRole(actor, {Role::kCivilRights}, "reject a policy version"));
  BULWARK_RETURN_IF_ERROR(CheckComment(comment));
  if (comment.empty()) {
    return InvalidArgument("is required: say why the version is rejected", "comment");
  }
  BULWARK_ASSIGN_OR_RETURN(PolicyVersion v, store_.GetVersion(id));
  BULWARK_RETURN_IF_ERROR(RequireNotAuthor(v, actor, "reject"));
  if (v.state != PolicyState::kInReview && v.state != PolicyState::kApproved) {
    return WrongState(v, "an in_review or approved", "rejected");
  }
  PolicyVersion updated = v;
  updated.state = PolicyState::kRejected;
  // A withdrawn sign-off no longer stands; the history keeps it.
  updated.approved_by.clear();
  updated.approved_at = 0;
  updated.approval_comment.clear();
  store::PolicyTransition t{0,
                            id,
                            "",
                            "",
                            actor.id,
                            std::string(RoleName(actor.role)),
                            std::string(comment),
                            clock_.NowMillis()};
  return store_.Transition(updated, v.state, t);
}

Result<store::PolicyActivation> Lifecycle::Activate(std::int64_t id, const Actor& actor,
                                                    std::string_view comment) {
  BULWARK_RETURN_IF_ERROR(CheckActor(actor));
  BULWARK_RETURN_IF_ERROR(
      RequireRole(actor, {Role::kAdmin, Role::kCivilRights}, "activate a policy version"));
  BULWARK_RETURN_IF_ERROR(CheckComment(comment));
  BULWARK_ASSIGN_OR_RETURN(PolicyVersion v, store_.GetVersion(id));
  if (v.state != PolicyState::kApproved) return WrongState(v, "an approved", "activated");
  // What goes live must be exactly what was signed off, and must parse.
  BULWARK_ASSIGN_OR_RETURN(auto parsed, ParseVersion(v));
  (void)parsed;
  const UnixMillis now = clock_.NowMillis();
  const std::string log_actor = std::string(RoleName(actor.role)) + ":" + actor.id;
  store::PolicyTransition t{
      0, id, "", "", actor.id, std::string(RoleName(actor.role)), std::string(comment), now};
  // Checked again inside the activating transaction: the state and the active version are
  // the ones the store holds at that moment.
  auto make_entry = [&](const PolicyVersion& activating,
                        const PolicyVersion* retiring) -> Result<bulwark::Decision> {
    if (activating.state != PolicyState::kApproved) {
      return WrongState(activating, "an approved", "activated");
    }
    BULWARK_RETURN_IF_ERROR(RequireCurrentBacktest(activating, retiring ? retiring->id : 0));
    bulwark::Decision d;
    d.action = ActionType::kActivatePolicy;
    d.policy_version = PolicyLabel(activating.name, activating.version);
    d.actor = log_actor;
    d.reason = "policy " + d.policy_version + " (version " + std::to_string(activating.id) +
               ") activated, approved by " + activating.approved_by;
    if (retiring) {
      d.reason += "; retires " + PolicyLabel(retiring->name, retiring->version) + " (version " +
                  std::to_string(retiring->id) + ")";
    }
    if (!comment.empty()) d.reason += ": " + std::string(comment);
    d.evidence = Dump(ActivationEvidence(activating, retiring));
    d.created_at = now;
    return d;
  };
  return store_.Activate(id, t, make_entry);
}

Result<Bootstrapped> Lifecycle::Bootstrap(std::string_view text, std::string_view source) {
  const std::string sha = Sha256Hex(text);
  auto existing = [&]() -> Result<Bootstrapped> {
    BULWARK_ASSIGN_OR_RETURN(PolicyVersion active, store_.ActiveVersion());
    Bootstrapped b;
    b.same_text = active.sha256 == sha;
    b.active = std::move(active);
    return b;
  };
  BULWARK_ASSIGN_OR_RETURN(std::int64_t active_id, store_.ActiveVersionId());
  if (active_id != 0) return existing();

  BULWARK_ASSIGN_OR_RETURN(auto parsed, ParsePolicy(text, source));
  PolicyVersion v;
  v.name = parsed->id;
  v.version = parsed->version;
  v.text = std::string(text);
  v.sha256 = sha;
  v.author = std::string(kBootstrapActor);
  v.created_at = clock_.NowMillis();
  BULWARK_RETURN_IF_ERROR(RequireLintClean(*parsed, v));
  store::PolicyTransition t;
  t.actor = std::string(kBootstrapActor);
  t.comment = "imported from " + std::string(source) + ": no version was active";
  t.at = v.created_at;
  auto make_entry = [&](const PolicyVersion& activating,
                        const PolicyVersion*) -> Result<bulwark::Decision> {
    bulwark::Decision d;
    d.action = ActionType::kActivatePolicy;
    d.policy_version = PolicyLabel(activating.name, activating.version);
    d.actor = std::string(kBootstrapActor);
    d.reason = "policy " + d.policy_version + " (version " + std::to_string(activating.id) +
               ") imported from " + std::string(source) +
               " and activated at first start: no version was active (not signed off)";
    json ev = ActivationEvidence(activating, nullptr);
    ev["source"] = std::string(source);
    d.evidence = Dump(ev);
    d.created_at = activating.created_at;
    return d;
  };
  auto imported = store_.ImportActive(v, t, make_entry);
  if (!imported.ok()) {
    // Another process bootstrapped first: use what it activated.
    if (imported.status().code() == Code::kFailedPrecondition) return existing();
    return imported.status();
  }
  Bootstrapped b;
  b.active = std::move(imported->activated);
  b.imported = true;
  b.same_text = true;
  return b;
}

}  // namespace bulwark::policy
