#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <unordered_set>

#include "cli/commands.h"
#include "ingest/codec.h"
#include "ingest/ingest_service.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

struct IngestFileOptions {
  std::string db = kDefaultDb;
  std::string file;
  size_t batch = 1000;
  bool quiet = false;
};

// Redraws a one-line progress bar on stderr at most 5 times a second (only on a terminal,
// unless forced), and a final summary line always.
class Progress {
 public:
  Progress(std::string_view what, std::uint64_t total_bytes, bool enabled)
      : what_(what),
        total_(total_bytes),
        enabled_(enabled && isatty(STDERR_FILENO)),
        start_(std::chrono::steady_clock::now()) {}

  void Update(std::uint64_t bytes_done, std::uint64_t items, bool force = false) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double frac = total_ ? static_cast<double>(bytes_done) / static_cast<double>(total_) : 1.0;
    int filled = static_cast<int>(frac * 30);
    std::fprintf(stderr, "\r%s [%-30s] %3.0f%% %llu items %8.0f items/s", what_.c_str(),
                 std::string(static_cast<size_t>(filled), '#').c_str(), frac * 100,
                 static_cast<unsigned long long>(items), secs > 0 ? items / secs : 0.0);
  }

  void Finish() {
    if (enabled_) std::fprintf(stderr, "\n");
  }

  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::string what_;
  std::uint64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_;
};

void RunIngest(const IngestFileOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) Fail(NotFound("cannot open " + o.file));
  in.seekg(0, std::ios::end);
  std::uint64_t total = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);

  ingest::IngestLimits limits;
  // Pass 1: validate every line, so a bad line anywhere loads nothing.
  std::vector<Item> items;
  std::string line;
  size_t lineno = 0;
  std::uint64_t bytes = 0;
  Progress check("validating", total, !o.quiet);
  while (std::getline(in, line)) {
    ++lineno;
    bytes += line.size() + 1;
    if (line.empty() || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto item = ingest::DecodeItem(line, limits);
    if (!item.ok()) {
      check.Finish();
      Fail(Status(item.status().code(),
                  o.file + ":" + std::to_string(lineno) + ": " +
                      (item.status().field().empty() ? "" : item.status().field() + ": ") +
                      item.status().message()));
    }
    items.push_back(std::move(item).value());
    check.Update(bytes, items.size());
  }
  check.Update(total, items.size(), true);
  check.Finish();

  // Pass 2: store in batches (each one transaction). A repeated id starts a new batch, so its
  // later line becomes a new revision, as it would over the API.
  store::OpenOptions open;
  auto db = store::OpenDatabase(o.db, open);
  if (!db.ok()) Fail(db.status());
  SystemClock clock;
  ingest::IngestService service(**db, ingest::IngestOptions{}, clock, nullptr);
  Progress load("loading   ", items.size(), !o.quiet);
  store::UpsertSummary sum;
  size_t begin = 0;
  std::unordered_set<std::string_view> in_batch;
  auto flush = [&](size_t end) {
    if (end == begin) return;
    auto r = service.StoreItems(std::span<const Item>(items).subspan(begin, end - begin));
    if (!r.ok()) {
      load.Finish();
      std::fprintf(stderr, "stored %zu of %zu items before the failure\n", begin, items.size());
      Fail(Status(r.status().code(), "item " + std::to_string(begin) + "+: " + r.status().field() +
                                         ": " + r.status().message()));
    }
    sum.created += r->created;
    sum.revised += r->revised;
    sum.unchanged += r->unchanged;
    begin = end;
    in_batch.clear();
    load.Update(end, end);
  };
  for (size_t i = 0; i < items.size(); ++i) {
    if (i - begin >= o.batch || in_batch.contains(items[i].id)) flush(i);
    in_batch.insert(items[i].id);
  }
  flush(items.size());
  load.Update(items.size(), items.size(), true);
  load.Finish();
  std::printf("ingested %zu items from %s in %.2fs: %d created, %d revised, %d unchanged\n",
              items.size(), o.file.c_str(), load.Seconds(), sum.created, sum.revised,
              sum.unchanged);
}

}  // namespace

void AddIngestCommand(CLI::App& app) {
  auto o = std::make_shared<IngestFileOptions>();
  auto* cmd = app.add_subcommand(
      "ingest",
      "Bulk-load items from a JSON Lines file (one item object per line, the same fields as\n"
      "POST /v1/items). Every line is validated first; nothing is stored if any line is bad.\n"
      "Example: bulwark ingest items.jsonl --db sqlite:bulwark.db");
  cmd->add_option("file", o->file, "JSONL file of items")->required();
  cmd->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  cmd->add_option("--batch", o->batch, "Items per transaction (default 1000)")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--quiet", o->quiet, "No progress bar");
  cmd->callback([o] { RunIngest(*o); });
}

}  // namespace bulwark::cli
