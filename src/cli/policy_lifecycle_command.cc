// `bulwark policy draft|submit|approve|reject|activate|list|show`: the policy lifecycle
// (policy/lifecycle.h) on the database, and OpenActivePolicy for serve and enforce.
//
// The CLI is an operator tool on the database: whoever can run it can open the file anyway, so
// it takes the acting user and role from --as/--role and applies the same rules as the HTTP API
// (separation of duties included). The HTTP API is the path with real authentication.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "detect/detector.h"
#include "enforce/backtest.h"
#include "enforce/enforcer.h"
#include "enforce/shadow.h"
#include "policy/lifecycle.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

using nlohmann::json;

struct LifecycleOptions {
  std::string db = kDefaultDb;
  std::string data_dir = "data";
  std::string cache_dir = ".bulwark-cache";
  std::string file;
  std::int64_t id = 0;
  std::string as;
  std::string role;
  std::string comment;
  bool text = false;
  bool stop = false;
  bool json = false;
  int days = 7;
};

std::unique_ptr<store::Database> Open(const std::string& url) {
  auto db = store::OpenDatabase(url, store::OpenOptions{});
  if (!db.ok()) Fail(db.status());
  return std::move(*db);
}

Role ParseRoleOrFail(const std::string& name) {
  auto role = ParseRole(name);
  if (!role) Fail(InvalidArgument("unknown role '" + name + "'", "--role"));
  return *role;
}

std::string When(UnixMillis t) { return t ? FormatRfc3339(t) : "-"; }

void PrintVersion(const store::PolicyVersion& v) {
  std::printf("version %lld: %s  state %s\n", static_cast<long long>(v.id),
              policy::PolicyLabel(v.name, v.version).c_str(),
              std::string(store::PolicyStateName(v.state)).c_str());
}

void PrintBacktest(const std::string& summary) {
  json s = json::parse(summary, nullptr, false);
  if (s.is_discarded() || !s.is_object()) return;
  const json& against = s["against"];
  std::printf("backtest against %s over %lld items: %lld change (%lld stricter, %lld looser)\n",
              against.is_object() ? against.value("policy_version", "?").c_str() : "no policy",
              s.value("items", 0LL), s.value("changed", 0LL), s.value("stricter", 0LL),
              s.value("looser", 0LL));
  if (!s.contains("changes") || s["changes"].empty()) return;
  std::printf("  %-34s %-20s %-36s %-36s %s\n", "CATEGORY", "TARGET GROUP", "OLD", "NEW", "ITEMS");
  for (const json& c : s["changes"]) {
    std::printf("  %-34s %-20s %-36s %-36s %lld\n", c.value("category", "").c_str(),
                c.value("target_group", "").c_str(), c.value("old", "").c_str(),
                c.value("new", "").c_str(), c.value("items", 0LL));
  }
}

void AddDbOption(CLI::App* cmd, LifecycleOptions* o) {
  cmd->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
}

void AddActorOptions(CLI::App* cmd, LifecycleOptions* o, bool required) {
  auto* as = cmd->add_option("--as", o->as, "Who acts (recorded in the history)");
  auto* role = cmd->add_option("--role", o->role, "The role they act in");
  if (required) {
    as->required();
    role->required();
  }
  cmd->add_option("--comment", o->comment, "Comment recorded with the transition");
}

}  // namespace

std::unique_ptr<enforce::PolicyHandle> OpenActivePolicy(store::Database& db,
                                                        const std::string& file,
                                                        const Clock& clock) {
  auto text = policy::ReadPolicyFile(file);
  auto active_id = db.policies().ActiveVersionId();
  if (!active_id.ok()) Fail(active_id.status());
  if (*active_id == 0 && !text.ok()) {
    Fail(Status(text.status().code(), "no policy version is active in the database and " +
                                          text.status().message() + " (pass --policy FILE)"));
  }
  if (text.ok()) {
    policy::Lifecycle lifecycle(db.policies(), clock);
    auto b = lifecycle.Bootstrap(*text, file);
    if (!b.ok()) Fail(b.status());
    const std::string label = policy::PolicyLabel(b->active.name, b->active.version);
    if (b->imported) {
      std::fprintf(stderr,
                   "bulwark: no policy version was active: imported %s as version %lld (%s) and "
                   "activated it (actor bootstrap, recorded in the decision log)\n",
                   file.c_str(), static_cast<long long>(b->active.id), label.c_str());
    } else if (!b->same_text) {
      std::fprintf(stderr,
                   "bulwark: the database's active policy is version %lld (%s); %s differs and "
                   "is not used (propose it with: bulwark policy draft %s --author NAME)\n",
                   static_cast<long long>(b->active.id), label.c_str(), file.c_str(), file.c_str());
    }
  }
  auto handle = std::make_unique<enforce::PolicyHandle>(db.policies());
  if (Status s = handle->Reload(); !s.ok()) Fail(s);
  return handle;
}

void AddPolicyLifecycleCommands(CLI::App& policy_cmd) {
  auto o = std::make_shared<LifecycleOptions>();
  auto clock_owner = std::make_shared<SystemClock>();

  auto* draft = policy_cmd.add_subcommand(
      "draft",
      "Store a policy file as a new draft version. The text must parse; lint findings are\n"
      "printed, and lint errors block submission.\n"
      "Example: bulwark policy draft proposal.policy --author alice");
  draft->add_option("file", o->file, "Policy file")->required();
  draft->add_option("--author", o->as, "Who wrote it")->required();
  draft->add_option("--role", o->role, "policy_author (default) or admin");
  draft->add_option("--comment", o->comment, "Comment recorded with the draft");
  AddDbOption(draft, o.get());
  draft->callback([o, clock_owner] {
    auto text = policy::ReadPolicyFile(o->file);
    if (!text.ok()) Fail(text.status());
    auto db = Open(o->db);
    policy::Lifecycle lifecycle(db->policies(), *clock_owner);
    Role role = o->role.empty() ? Role::kPolicyAuthor : ParseRoleOrFail(o->role);
    auto d = lifecycle.Draft(*text, o->file, {o->as, role}, o->comment);
    if (!d.ok()) Fail(d.status());
    int errors = 0;
    for (const policy::LintFinding& f : d->lint) {
      errors += f.severity == policy::LintSeverity::kError;
      std::printf("%s\n", policy::FormatFinding(*d->policy, f).c_str());
    }
    PrintVersion(d->version);
    std::printf("sha256 %s; %zu lint finding%s, %d error%s%s\n", d->version.sha256.c_str(),
                d->lint.size(), d->lint.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
                errors ? ": fix them in a new draft before submitting" : "");
  });

  auto* submit = policy_cmd.add_subcommand(
      "submit",
      "Submit a draft for civil-rights review: checks it parses and passes the lint, backtests it\n"
      "against the active version on every stored item and stores the summary.\n"
      "Example: bulwark policy submit 3 --as alice");
  submit->add_option("id", o->id, "Version id")->required();
  AddActorOptions(submit, o.get(), false);
  submit->add_option("--data-dir", o->data_dir, "Directory with lexicon/, claims/, models/");
  submit->add_option("--cache-dir", o->cache_dir, "Compiled lexicon cache directory");
  AddDbOption(submit, o.get());
  submit->callback([o, clock_owner] {
    auto db = Open(o->db);
    detect::DetectorConfig dc;
    dc.data_dir = o->data_dir;
    dc.lexicon_cache_dir = o->cache_dir;
    detect::DetectorHandle detectors(dc);
    if (Status s = detectors.Reload(); !s.ok()) Fail(s);
    policy::Lifecycle lifecycle(db->policies(), *clock_owner,
                                enforce::StoredItemsBacktest(*db, detectors));
    std::string as = o->as;
    if (as.empty()) {
      auto v = db->policies().GetVersion(o->id);
      if (!v.ok()) Fail(v.status());
      as = v->author;
    }
    Role role = o->role.empty() ? Role::kPolicyAuthor : ParseRoleOrFail(o->role);
    auto v = lifecycle.Submit(o->id, {as, role}, o->comment);
    if (!v.ok()) Fail(v.status());
    PrintVersion(*v);
    PrintBacktest(v->backtest);
  });

  struct Step {
    const char* name;
    const char* help;
  };
  for (const Step& step :
       {Step{"approve",
             "Sign off a version in review (role civil_rights; not its author).\n"
             "Example: bulwark policy approve 3 --as carol --role civil_rights --comment 'ok'"},
        Step{"reject",
             "Reject a version in review or approved (role civil_rights; not its author;\n"
             "--comment says why).\n"
             "Example: bulwark policy reject 3 --as carol --role civil_rights --comment 'why'"},
        Step{"activate",
             "Make an approved version the active one (role admin or civil_rights); the active\n"
             "version is retired and the activation recorded in the decision log. A running\n"
             "server enforces it from its next batch.\n"
             "Example: bulwark policy activate 3 --as dave --role admin"}}) {
    auto* cmd = policy_cmd.add_subcommand(step.name, step.help);
    cmd->add_option("id", o->id, "Version id")->required();
    AddActorOptions(cmd, o.get(), true);
    AddDbOption(cmd, o.get());
    const std::string name = step.name;
    cmd->callback([o, clock_owner, name] {
      auto db = Open(o->db);
      policy::Lifecycle lifecycle(db->policies(), *clock_owner);
      const policy::Actor actor{o->as, ParseRoleOrFail(o->role)};
      if (name == "activate") {
        auto a = lifecycle.Activate(o->id, actor, o->comment);
        if (!a.ok()) Fail(a.status());
        PrintVersion(a->activated);
        if (a->retired) PrintVersion(*a->retired);
        std::printf("decision log entry %lld: %s\n", static_cast<long long>(a->log_entry.seq),
                    a->log_entry.hash.c_str());
        return;
      }
      auto v = name == "approve" ? lifecycle.Approve(o->id, actor, o->comment)
                                 : lifecycle.Reject(o->id, actor, o->comment);
      if (!v.ok()) Fail(v.status());
      PrintVersion(*v);
    });
  }

  auto* list = policy_cmd.add_subcommand("list",
                                         "List the stored policy versions, newest first.\n"
                                         "Example: bulwark policy list");
  AddDbOption(list, o.get());
  list->callback([o] {
    auto db = Open(o->db);
    auto versions = db->policies().ListVersions();
    if (!versions.ok()) Fail(versions.status());
    std::printf("%-5s %-10s %-28s %-16s %-16s %-24s %s\n", "ID", "STATE", "POLICY", "AUTHOR",
                "APPROVED BY", "ACTIVATED AT", "SHA256");
    for (const store::PolicyVersion& v : *versions) {
      std::printf("%-5lld %-10s %-28s %-16s %-16s %-24s %.12s\n", static_cast<long long>(v.id),
                  std::string(store::PolicyStateName(v.state)).c_str(),
                  policy::PolicyLabel(v.name, v.version).c_str(), v.author.c_str(),
                  v.approved_by.empty() ? "-" : v.approved_by.c_str(), When(v.activated_at).c_str(),
                  v.sha256.c_str());
    }
  });

  auto* show = policy_cmd.add_subcommand(
      "show",
      "Show one version: its lifecycle fields, backtest summary and history (--text: the\n"
      "policy text only).\n"
      "Example: bulwark policy show 3");
  show->add_option("id", o->id, "Version id")->required();
  show->add_flag("--text", o->text, "Print the policy text only");
  AddDbOption(show, o.get());
  show->callback([o] {
    auto db = Open(o->db);
    auto v = db->policies().GetVersion(o->id);
    if (!v.ok()) Fail(v.status());
    if (o->text) {
      std::fwrite(v->text.data(), 1, v->text.size(), stdout);
      return;
    }
    PrintVersion(*v);
    std::printf("sha256      %s\n", v->sha256.c_str());
    std::printf("author      %s, %s\n", v->author.c_str(), When(v->created_at).c_str());
    std::printf("submitted   %s %s\n", v->submitted_by.empty() ? "-" : v->submitted_by.c_str(),
                When(v->submitted_at).c_str());
    std::printf("approved    %s %s %s\n", v->approved_by.empty() ? "-" : v->approved_by.c_str(),
                When(v->approved_at).c_str(), v->approval_comment.c_str());
    std::printf("activated   %s %s\n", v->activated_by.empty() ? "-" : v->activated_by.c_str(),
                When(v->activated_at).c_str());
    if (!v->backtest.empty()) PrintBacktest(v->backtest);
    auto history = db->policies().History(o->id);
    if (!history.ok()) Fail(history.status());
    std::printf("history:\n");
    for (const store::PolicyTransition& t : *history) {
      std::printf("  %s  %-9s -> %-9s %s%s%s%s%s\n", FormatRfc3339(t.at).c_str(),
                  t.from.empty() ? "(new)" : t.from.c_str(), t.to.c_str(), t.actor.c_str(),
                  t.role.empty() ? "" : " as ", t.role.c_str(), t.comment.empty() ? "" : ": ",
                  t.comment.c_str());
    }
  });

  // Shadow runs (docs/policy.md, "Shadow runs").
  auto* shadow = policy_cmd.add_subcommand(
      "shadow",
      "Runs version ID in shadow beside the active version on live traffic (replacing the\n"
      "shadow run, if any): serve and enforce evaluate it on every item they enforce and record\n"
      "what it would have done in the shadow log, not the decision log; it takes no action.\n"
      "--stop ends the running shadow run. Roles: admin, policy_author, civil_rights.\n"
      "Example: bulwark policy shadow 4 --as amira --role policy_author");
  shadow->add_option("id", o->id, "Version id (a draft, in review or approved)");
  shadow->add_flag("--stop", o->stop, "Stop the running shadow run instead");
  AddActorOptions(shadow, o.get(), true);
  AddDbOption(shadow, o.get());
  shadow->callback([o, clock_owner] {
    const Role role = ParseRoleOrFail(o->role);
    if (role != Role::kAdmin && role != Role::kPolicyAuthor && role != Role::kCivilRights) {
      Fail(
          PermissionDenied("shadow runs are started and stopped by admin, policy_author or "
                           "civil_rights"));
    }
    auto db = Open(o->db);
    const std::string actor = o->as + " as " + o->role;
    if (o->stop) {
      auto stopped = db->shadow().StopRun(actor, clock_owner->NowMillis());
      if (!stopped.ok()) Fail(stopped.status());
      if (!*stopped) {
        std::printf("no shadow run was running\n");
        return;
      }
      std::printf("stopped shadow run %lld of policy version %lld\n",
                  static_cast<long long>((*stopped)->id),
                  static_cast<long long>((*stopped)->policy_id));
      return;
    }
    if (o->id <= 0) Fail(InvalidArgument("give the version id to run in shadow, or --stop", "id"));
    auto run = db->shadow().StartRun(o->id, actor, clock_owner->NowMillis());
    if (!run.ok()) Fail(run.status());
    std::printf(
        "shadow run %lld: policy version %lld runs beside the active version from now "
        "(bulwark policy shadow-report %lld)\n",
        static_cast<long long>(run->id), static_cast<long long>(o->id),
        static_cast<long long>(o->id));
  });

  auto* report = policy_cmd.add_subcommand(
      "shadow-report",
      "Compares what version ID's shadow runs would have done with what the active policy did,\n"
      "over the last --days days, by category, target group and visibility: item revisions\n"
      "where either acted, the same outcome, the shadow stronger or weaker, with examples.\n"
      "Read-only.\n"
      "Example: bulwark policy shadow-report 4 --days 7");
  report->add_option("id", o->id, "Version id")->required();
  report->add_option("--days", o->days, "The last N days (default 7)")->check(CLI::Range(1, 3650));
  report->add_flag("--json", o->json, "Print JSON instead of text");
  AddDbOption(report, o.get());
  report->callback([o, clock_owner] {
    auto db = Open(o->db);
    if (auto v = db->policies().GetVersion(o->id); !v.ok()) Fail(v.status());
    const UnixMillis until = clock_owner->NowMillis() + 1;
    const UnixMillis since = until - std::int64_t{o->days} * 24 * 3600 * 1000;
    auto runs = db->shadow().Runs(o->id);
    if (!runs.ok()) Fail(runs.status());
    auto outcomes = db->shadow().Outcomes(o->id, since, until);
    if (!outcomes.ok()) Fail(outcomes.status());
    const enforce::ShadowReport r =
        enforce::BuildShadowReport(o->id, since, until, std::move(*runs), *outcomes);
    const std::string text =
        o->json ? enforce::ShadowReportJson(r) + "\n" : enforce::ShadowReportText(r);
    std::fwrite(text.data(), 1, text.size(), stdout);
  });
}

}  // namespace bulwark::cli
