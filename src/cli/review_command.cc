// `bulwark review check|stats`: the review queue configuration against a policy, and reviewer
// agreement and SLA figures from a database (docs/review.md).

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "policy/policy.h"
#include "review/queues.h"
#include "review/service.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

std::string Duration(std::int64_t ms) {
  char buf[32];
  const double s = static_cast<double>(ms) / 1000;
  if (s < 120) {
    std::snprintf(buf, sizeof(buf), "%.0fs", s);
  } else if (s < 2 * 3600) {
    std::snprintf(buf, sizeof(buf), "%.0fm", s / 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1fh", s / 3600);
  }
  return buf;
}

UnixMillis TimeOption(const std::string& value, const char* name, UnixMillis fallback) {
  if (value.empty()) return fallback;
  auto t = ParseRfc3339(value);
  if (!t) Fail(InvalidArgument("must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z", name));
  return *t;
}

}  // namespace

void AddReviewCommand(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("review", "Expert review queues: configuration check, statistics.");
  cmd->require_subcommand(1);

  struct CheckOptions {
    std::string queues = "data/review/queues.json";
    std::string policy = "data/policy/default.policy";
  };
  auto c = std::make_shared<CheckOptions>();
  auto* check = cmd->add_subcommand(
      "check",
      "Validate the review queue configuration and check it against a policy: every queue the\n"
      "policy sends items to must be configured, and no reviewer reason code may reuse a policy\n"
      "reason code. Exits non-zero on any error.\n"
      "Example: bulwark review check --queues data/review/queues.json --policy "
      "data/policy/default.policy");
  check->add_option("--queues", c->queues, "Queue configuration (default data/review/queues.json)");
  check->add_option("--policy", c->policy, "Policy file (default data/policy/default.policy)");
  check->callback([c] {
    auto queues = review::LoadQueueConfig(c->queues);
    if (!queues.ok()) Fail(queues.status());
    auto policy = policy::LoadPolicyFile(c->policy);
    if (!policy.ok()) Fail(policy.status());
    const review::QueueConfig& q = **queues;
    const policy::Policy& p = **policy;
    int errors = 0, notes = 0;
    for (const auto& m : review::MissingQueues(q, p)) {
      std::printf("%s\n", review::FormatMissingQueue(p, q, m).c_str());
      ++errors;
    }
    for (const auto& code : q.reason_codes) {
      for (const auto& rule : p.rules) {
        if (rule.reason_code == code.code) {
          std::printf(
              "%s: error: reviewer reason code '%s' is also the reason code of policy rule '%s' "
              "(%s:%d); give it another name [reason-code]\n",
              q.filename.c_str(), code.code.c_str(), rule.id.c_str(), p.filename.c_str(),
              rule.line);
          ++errors;
          break;
        }
      }
    }
    for (const auto& spec : q.queues) {
      bool named = spec.id == store::kAppealsQueue;  // filled by POST /v1/appeals
      for (const auto& rule : p.rules) named = named || rule.queue == spec.id;
      if (!named) {
        std::printf("%s: note: queue '%s' is configured but policy %s@%s sends nothing to it\n",
                    q.filename.c_str(), spec.id.c_str(), p.id.c_str(), p.version.c_str());
        ++notes;
      }
    }
    std::printf("%s: %zu queues, %zu reviewer reason codes; policy %s@%s: %d error%s, %d note%s\n",
                q.filename.c_str(), q.queues.size(), q.reason_codes.size(), p.id.c_str(),
                p.version.c_str(), errors, errors == 1 ? "" : "s", notes, notes == 1 ? "" : "s");
    std::fflush(stdout);
    if (errors > 0) throw CLI::RuntimeError(1);
  });

  struct StatsOptions {
    std::string db = kDefaultDb;
    std::string queues = "data/review/queues.json";
    std::string since, until;
    bool json = false;
  };
  auto s = std::make_shared<StatsOptions>();
  auto* stats = cmd->add_subcommand(
      "stats",
      "Reviewer agreement per queue (pairs of first and blind second review, percent agreement,\n"
      "Cohen's kappa, reason-code agreement) and SLA timers (time to first review p50/p90/max\n"
      "over first reviews decided in the window, open cases past the SLA, oldest waiting case).\n"
      "The window defaults to the last 30 days. Read-only.\n"
      "Example: bulwark review stats --db sqlite:bulwark.db --since 2026-01-01T00:00:00Z");
  stats->add_option("--db", s->db, "Database URL (default sqlite:bulwark.db)");
  stats->add_option("--queues", s->queues, "Queue configuration (default data/review/queues.json)");
  stats->add_option("--since", s->since,
                    "Window start, RFC 3339 (default: 30 days before --until)");
  stats->add_option("--until", s->until, "Window end, RFC 3339 (default: now)");
  stats->add_flag("--json", s->json, "Print JSON instead of a table");
  stats->callback([s] {
    auto queues = review::LoadQueueConfig(s->queues);
    if (!queues.ok()) Fail(queues.status());
    store::OpenOptions open;
    open.migrate = false;
    open.create_if_missing = false;
    auto db = store::OpenDatabase(s->db, open);
    if (!db.ok()) Fail(db.status());
    if ((*db)->schema_version() < (*db)->latest_schema_version()) {
      Fail(
          FailedPrecondition("the database schema is older than this binary: run bulwark db "
                             "migrate first"));
    }
    SystemClock clock;
    const UnixMillis until = TimeOption(s->until, "--until", clock.NowMillis() + 1);
    const UnixMillis since =
        TimeOption(s->since, "--since", until - std::int64_t{30} * 24 * 3600 * 1000);
    review::ReviewService service(**db, *queues, nullptr, clock, {});
    auto report = service.Stats(since, until);
    if (!report.ok()) Fail(report.status());
    if (s->json) {
      nlohmann::json out = {{"since", FormatRfc3339(since)}, {"until", FormatRfc3339(until)}};
      nlohmann::json list = nlohmann::json::array();
      for (const auto& q : report->queues) {
        const auto& w = q.sla.first_review;
        list.push_back({{"queue", q.queue},
                        {"pairs", q.agreement.pairs},
                        {"percent_agreement", q.agreement.percent},
                        {"kappa", q.agreement.kappa ? nlohmann::json(*q.agreement.kappa)
                                                    : nlohmann::json(nullptr)},
                        {"reason_code_agreement_percent", q.reason_code_percent},
                        {"first_reviews", w.count},
                        {"p50_seconds", w.p50_ms / 1000.0},
                        {"p90_seconds", w.p90_ms / 1000.0},
                        {"max_seconds", w.max_ms / 1000.0},
                        {"sla_target_seconds", q.sla.target_ms / 1000.0},
                        {"open_past_sla", q.sla.open_past_sla},
                        {"oldest_waiting_seconds", q.sla.oldest_waiting_ms / 1000.0}});
      }
      out["queues"] = list;
      out["overall"] = {{"pairs", report->overall.pairs},
                        {"percent_agreement", report->overall.percent},
                        {"kappa", report->overall.kappa ? nlohmann::json(*report->overall.kappa)
                                                        : nlohmann::json(nullptr)}};
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
    std::printf("review stats %s .. %s\n", FormatRfc3339(since).c_str(),
                FormatRfc3339(until).c_str());
    std::printf("%-24s %6s %7s %6s %6s | %7s %7s %7s %7s %6s %8s %8s\n", "QUEUE", "PAIRS", "AGREE%",
                "KAPPA", "CODE%", "FIRST", "P50", "P90", "MAX", "SLA", "PAST_SLA", "OLDEST");
    auto kappa = [](const review::Agreement& a) {
      char buf[16];
      if (!a.kappa) return std::string("-");
      std::snprintf(buf, sizeof(buf), "%.2f", *a.kappa);
      return std::string(buf);
    };
    for (const auto& q : report->queues) {
      const auto& w = q.sla.first_review;
      char agree[16] = "-", code[16] = "-";
      if (q.agreement.pairs) {
        std::snprintf(agree, sizeof(agree), "%.1f", q.agreement.percent);
        std::snprintf(code, sizeof(code), "%.1f", q.reason_code_percent);
      }
      std::printf("%-24s %6lld %7s %6s %6s | %7lld %7s %7s %7s %6s %8lld %8s\n", q.queue.c_str(),
                  static_cast<long long>(q.agreement.pairs), agree, kappa(q.agreement).c_str(),
                  code, static_cast<long long>(w.count), w.count ? Duration(w.p50_ms).c_str() : "-",
                  w.count ? Duration(w.p90_ms).c_str() : "-",
                  w.count ? Duration(w.max_ms).c_str() : "-",
                  q.sla.target_ms ? Duration(q.sla.target_ms).c_str() : "-",
                  static_cast<long long>(q.sla.open_past_sla),
                  q.sla.oldest_waiting_ms ? Duration(q.sla.oldest_waiting_ms).c_str() : "-");
    }
    std::printf("overall: %lld pairs, %.1f%% agreement, kappa %s\n",
                static_cast<long long>(report->overall.pairs), report->overall.percent,
                kappa(report->overall).c_str());
  });
}

}  // namespace bulwark::cli
