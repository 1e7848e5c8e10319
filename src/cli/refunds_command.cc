// `bulwark refunds accrue|statement`: advertiser refunds for ads shown next to items later
// removed (recommendation 3; docs/advertisers.md).

#include <cstdio>
#include <memory>
#include <string>

#include "ads/accruer.h"
#include "ads/statement.h"
#include "cli/commands.h"
#include "core/time.h"
#include "server/pages.h"
#include "server/statement_page.h"
#include "store/store.h"

namespace bulwark::cli {

void AddRefundsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "refunds", "Advertiser refunds for impressions shown next to items later removed.");
  cmd->require_subcommand(1);
  struct Options {
    std::string db = kDefaultDb;
    int max_distance = 1;
    std::string advertiser;
    std::string month;
    std::string format = "json";
    std::string by = "operator";
  };
  auto o = std::make_shared<Options>();
  auto* accrue = cmd->add_subcommand(
      "accrue",
      "Applies the refund formula to the decision log from where it last stopped (serve does\n"
      "this every --refund-accrual-seconds): a removal accrues refunds for the impressions\n"
      "shown next to the item, a restore reverses them.\n"
      "Example: bulwark refunds accrue --db sqlite:bulwark.db");
  accrue->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  accrue
      ->add_option("--max-distance", o->max_distance,
                   "k: impressions within k places of the item (default 1)")
      ->check(CLI::Range(0, 32));
  accrue->callback([o] {
    auto db = store::OpenDatabase(o->db, store::OpenOptions{});
    if (!db.ok()) Fail(db.status());
    ads::RefundAccruer accruer(**db, ads::RefundTerms{o->max_distance});
    auto p = accruer.CatchUp();
    if (!p.ok()) Fail(p.status());
    std::printf("read %lld log entries, wrote %lld refund lines; the log is accrued to seq %lld\n",
                static_cast<long long>(p->decisions), static_cast<long long>(p->lines),
                static_cast<long long>(p->cursor));
  });

  auto* statement = cmd->add_subcommand(
      "statement",
      "An advertiser's refund statement for a month (UTC): totals per currency and category and\n"
      "every line with its impression, item, decision and rule, as JSON, CSV or a printable\n"
      "HTML page. Accrues the log first.\n"
      "Example: bulwark refunds statement --advertiser acme --month 2026-11 --format csv");
  statement->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  statement->add_option("--advertiser", o->advertiser, "Advertiser id")->required();
  statement->add_option("--month", o->month, "YYYY-MM")->required();
  statement->add_option("--format", o->format, "json (default), csv or html")
      ->check(CLI::IsMember({"json", "csv", "html"}));
  statement->callback([o] {
    auto range = ads::ParseMonth(o->month);
    if (!range.ok()) Fail(range.status());
    auto db = store::OpenDatabase(o->db, store::OpenOptions{});
    if (!db.ok()) Fail(db.status());
    ads::RefundAccruer accruer(**db);
    if (auto p = accruer.CatchUp(); !p.ok()) Fail(p.status());
    auto loaded = ads::LoadStatement((*db)->ads(), o->advertiser, o->month);
    if (!loaded.ok()) Fail(loaded.status());
    const ads::Statement& s = *loaded;
    std::string out;
    if (o->format == "html") {
      auto page = server::RenderStatementPage(s, server::PageRenderer());
      if (!page.ok()) Fail(page.status());
      out = std::move(*page);
    } else {
      out = o->format == "csv" ? ads::StatementCsv(s) : ads::StatementJson(s);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
  });

  auto* issue = cmd->add_subcommand(
      "issue",
      "Issues an advertiser's statement for a month that is over: accrues the log, then freezes\n"
      "the statement (its lines, totals and SHA-256); it never changes again, and a line written\n"
      "later for that month appears on the next open statement as a correction.\n"
      "Example: bulwark refunds issue --advertiser acme --month 2026-11 --by finance");
  issue->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  issue->add_option("--advertiser", o->advertiser, "Advertiser id")->required();
  issue->add_option("--month", o->month, "YYYY-MM")->required();
  issue->add_option("--by", o->by, "Who issues it (recorded; default operator)");
  issue->callback([o] {
    if (auto range = ads::ParseMonth(o->month); !range.ok()) Fail(range.status());
    auto db = store::OpenDatabase(o->db, store::OpenOptions{});
    if (!db.ok()) Fail(db.status());
    ads::RefundAccruer accruer(**db);
    if (auto p = accruer.CatchUp(); !p.ok()) Fail(p.status());
    auto issued =
        ads::IssueStatement((*db)->ads(), o->advertiser, o->month, o->by, WallNowMillis());
    if (!issued.ok()) Fail(issued.status());
    std::printf("issued the %s statement of %s through refund line %lld, sha256 %s\n",
                issued->month.c_str(), issued->advertiser_id.c_str(),
                static_cast<long long>(issued->through_seq), issued->sha256.c_str());
  });
}

}  // namespace bulwark::cli
