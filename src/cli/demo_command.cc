#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "demo/demo.h"
#include "detect/detector.h"
#include "enforce/enforcer.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

// Writes `text` to `path`, readable by the owner only.
Status WritePrivateFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write " + path);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Internal("cannot write " + path);
    }
    done += static_cast<size_t>(n);
  }
  (void)::fchmod(fd, 0600);  // O_CREAT honours the umask; an existing file keeps its mode
  return ::close(fd) == 0 ? Status::Ok() : Internal("cannot write " + path);
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  struct Options {
    std::string db = kDefaultDb;
    std::uint64_t seed = 1;
    int accounts = 3000;
    int posts = 30000;
    std::string now;
    std::string data_dir = "data";
    std::string cache_dir = ".bulwark-cache";
    std::string policy = "data/policy/default.policy";
    bool force = false;
    bool template_stats = false;
    std::string credentials_file;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "demo",
      "Fill a new database with a realistic small platform and enforce it: accounts (a few of\n"
      "them public figures), public and private groups (some built around hate, militias or\n"
      "conspiracies), posts and comments from the templates in DATA/demo, heavy-tailed views,\n"
      "user reports and ad impressions, sent through ingest hour by hour over the last 30 days\n"
      "and enforced with the shipped detectors and the policy, so every page has data. The same\n"
      "--seed (and --now) give the same database. Refuses a database that already holds platform\n"
      "data unless --force. See docs/demo.md.\n"
      "Example: bulwark demo --db sqlite:demo.db --seed 7");
  cmd->add_option("--db", o->db, "Database URL or SQLite path (default sqlite:bulwark.db)");
  cmd->add_option("--seed", o->seed, "Random seed (default 1)");
  cmd->add_option("--accounts", o->accounts, "Accounts (default 3000)")
      ->check(CLI::Range(20, 10'000'000));
  cmd->add_option("--posts", o->posts, "Posts, comments and messages (default 30000)")
      ->check(CLI::Range(100, 100'000'000));
  cmd->add_option("--now", o->now,
                  "Reference time, RFC 3339 (default: now); the data covers the 30 days before it");
  cmd->add_option("--data-dir", o->data_dir, "Directory with demo/, lexicon/, claims/, models/");
  cmd->add_option("--cache-dir", o->cache_dir, "Compiled lexicon cache directory");
  cmd->add_option("--policy", o->policy, "Policy file (default data/policy/default.policy)");
  cmd->add_option("--credentials-file", o->credentials_file,
                  "Also write the demo staff users' usernames and passwords to this file (mode "
                  "0600), e.g. for scripts/run.sh to show again");
  cmd->add_flag("--force", o->force, "Add the demo to a database that already holds data");
  cmd->add_flag("--template-stats", o->template_stats,
                "Also print, per template, how many items enforcement acted on");
  cmd->callback([o] {
    demo::DemoOptions d;
    d.seed = o->seed;
    d.accounts = o->accounts;
    d.posts = o->posts;
    d.data_dir = o->data_dir;
    d.force = o->force;
    if (!o->now.empty()) {
      auto t = ParseRfc3339(o->now);
      if (!t)
        Fail(InvalidArgument("must be an RFC 3339 time such as 2026-12-01T12:00:00Z", "--now"));
      d.now = *t;
    }
    store::OpenOptions open;
    open.synchronous_full = false;  // a bulk load: safe against a crash, not against power loss
    auto db = store::OpenDatabase(o->db, open);
    if (!db.ok()) Fail(db.status());
    // Refuse before the slow part (loading detectors).
    if (!o->force) {
      if (Status s = demo::CheckEmpty(**db); !s.ok()) Fail(s);
    }
    detect::DetectorConfig dc;
    dc.data_dir = o->data_dir;
    dc.lexicon_cache_dir = o->cache_dir;
    detect::DetectorHandle detectors(dc);
    if (Status s = detectors.Reload(); !s.ok()) Fail(s);
    enforce::PolicyHandle policy(o->policy);
    if (Status s = policy.Reload(); !s.ok()) Fail(s);
    std::fprintf(stderr, "generating and enforcing the demo platform...\n");
    auto summary = demo::RunDemo(d, **db, detectors, policy);
    if (!summary.ok()) Fail(summary.status());
    std::fputs(demo::FormatSummary(*summary, o->template_stats).c_str(), stdout);
    if (!o->credentials_file.empty() && !summary->staff_users.empty()) {
      std::string text =
          "# Demo staff users (bulwark demo). Sign in at /console/ (reviewers) or use\n"
          "# POST /v1/auth/login. Demo only: never reuse these passwords.\n";
      for (const demo::DemoStaffUser& u : summary->staff_users) {
        std::string tags;
        for (const auto& t : u.expertise) tags += (tags.empty() ? "" : ",") + t;
        text += u.username + "  " + u.password + "  " + u.role + (tags.empty() ? "" : "  " + tags) +
                "\n";
      }
      if (Status s = WritePrivateFile(o->credentials_file, text); !s.ok()) Fail(s);
    }
  });
}

}  // namespace bulwark::cli
