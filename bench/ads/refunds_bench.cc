// refunds_bench [--impressions N] [--db PATH]: one item shown next to N ads (default 100,000),
// then removed and restored. Times the accrual of the removal (one transaction writing N refund
// lines), the reversal, and building the month's statement (JSON and CSV) over the 2N lines,
// against the cost of loading the impressions in the same run; prints peak memory.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ads/accruer.h"
#include "ads/statement.h"
#include "store/store.h"

namespace {

using bulwark::AdImpression;
using bulwark::Decision;
using bulwark::Item;
using bulwark::UnixMillis;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

void Check(const bulwark::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "refunds_bench: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  long n = 100'000;
  std::string path = (std::filesystem::temp_directory_path() / "bulwark-refunds-bench.db").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--impressions") == 0) n = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--db") == 0) path = argv[i + 1];
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  bulwark::store::OpenOptions options;
  options.synchronous_full = false;
  auto db = bulwark::store::OpenDatabase("sqlite:" + path, options);
  Check(db.status(), "open");
  constexpr UnixMillis kT0 = 1'793'491'200'000;  // 2026-11-01

  Item item;
  item.id = "p1";
  item.author_id = "u1";
  item.text = "text";
  item.created_at = kT0;
  Check((*db)->items().UpsertItems({&item, 1}, kT0).status(), "item");
  const auto load_started = Clock::now();
  std::vector<AdImpression> batch;
  for (long i = 0; i < n; ++i) {
    AdImpression imp;
    imp.id = "imp-" + std::to_string(i);
    imp.ad_id = "ad-" + std::to_string(i % 50);
    imp.advertiser_id = "acme";
    imp.price_micros = 1'000 + i % 9'000;
    imp.shown_at = kT0 + 1'000 + i;
    imp.adjacent = {{"p1", static_cast<std::int32_t>(i % 3) - 1}};
    batch.push_back(std::move(imp));
    if (batch.size() == 1000 || i + 1 == n) {
      Check((*db)->events().AppendAdImpressions(batch, kT0 + 2'000'000).status(), "impressions");
      batch.clear();
    }
  }
  const double load = Seconds(load_started);

  bulwark::ads::RefundAccruer accruer(**db);
  Decision remove;
  remove.item_id = "p1";
  remove.item_revision = 1;
  remove.action = bulwark::ActionType::kRemove;
  remove.category = "hate";
  remove.rule_id = "hate.remove";
  remove.actor = "system";
  remove.created_at = kT0 + 3'000'000;
  Check((*db)->decisions().AppendDecisions({remove}).status(), "removal");
  const auto accrue_started = Clock::now();
  auto accrued = accruer.CatchUp();
  Check(accrued.status(), "accrue");
  const double accrue = Seconds(accrue_started);

  Decision restore = remove;
  restore.action = bulwark::ActionType::kRestore;
  restore.rule_id = "appeal";
  restore.actor = "appeal:user:a";
  restore.created_at = kT0 + 4'000'000;
  Check((*db)->decisions().AppendDecisions({restore}).status(), "restore");
  const auto reverse_started = Clock::now();
  auto reversed = accruer.CatchUp();
  Check(reversed.status(), "reverse");
  const double reverse = Seconds(reverse_started);

  const auto statement_started = Clock::now();
  auto month = bulwark::ads::ParseMonth("2026-11");
  auto lines = (*db)->ads().RefundLines("acme", month->since, month->until);
  Check(lines.status(), "lines");
  const std::size_t line_count = lines->size();
  const auto s = bulwark::ads::BuildStatement("acme", "2026-11", *month, std::move(*lines));
  const std::size_t bytes =
      bulwark::ads::StatementJson(s).size() + bulwark::ads::StatementCsv(s).size();
  const double statement = Seconds(statement_started);

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("refunds_bench: one item next to %ld impressions (SQLite, synchronous=NORMAL)\n", n);
  std::printf("  load impressions     %8.2f s  %10.0f impressions/s   (baseline)\n", load,
              n / load);
  std::printf("  accrue the removal   %8.2f s  %10.0f lines/s  %.2fx of load  (%lld lines)\n",
              accrue, accrued->lines / accrue, (accrued->lines / accrue) / (n / load),
              static_cast<long long>(accrued->lines));
  std::printf("  reverse the restore  %8.2f s  %10.0f lines/s  %.2fx of load  (%lld lines)\n",
              reverse, reversed->lines / reverse, (reversed->lines / reverse) / (n / load),
              static_cast<long long>(reversed->lines));
  std::printf("  statement (JSON+CSV) %8.2f s  over %zu lines, %zu bytes\n", statement, line_count,
              bytes);
  std::printf("  net after restore: %lld micros; peak RSS %.1f MB\n",
              static_cast<long long>(s.totals.empty() ? 0 : s.totals[0].net_micros),
              ru.ru_maxrss / 1024.0);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}
