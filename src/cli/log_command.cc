#include <cstdio>

#include "cli/commands.h"
#include "store/store.h"

namespace bulwark::cli {

void AddLogCommand(CLI::App& app) {
  auto* log = app.add_subcommand("log", "The hash-chained decision log.");
  log->require_subcommand(1);
  auto url = std::make_shared<std::string>(kDefaultDb);
  log->add_option("--db", *url, "Database URL (default sqlite:bulwark.db)");

  auto expect = std::make_shared<std::string>();
  auto* verify = log->add_subcommand(
      "verify",
      "Re-read the whole log and check every link; names the first edited, deleted or\n"
      "reordered entry and exits 1. With --expect-head, also fails if the newest entry is not\n"
      "the one published earlier (detects truncation).\n"
      "Example: bulwark log verify --expect-head 3b1f...e9");
  verify->add_option("--expect-head", *expect, "A head hash recorded earlier (GET /v1/log/head)");
  verify->fallthrough();
  verify->callback([url, expect] {
    store::OpenOptions o;
    o.migrate = false;
    o.create_if_missing = false;
    auto db = store::OpenDatabase(*url, o);
    if (!db.ok()) Fail(db.status());
    auto v = (*db)->decisions().VerifyLog();
    if (!v.ok()) Fail(v.status());
    if (!v->ok) {
      std::printf("BROKEN at entry %lld: %s (%lld entries checked)\n",
                  static_cast<long long>(v->first_broken_seq), v->problem.c_str(),
                  static_cast<long long>(v->entries_checked));
      throw CLI::RuntimeError(1);
    }
    std::printf("OK: %lld entries, head %lld %s\n", static_cast<long long>(v->entries_checked),
                static_cast<long long>(v->head.seq), v->head.hash.c_str());
    if (!expect->empty()) {
      // The published head must still be in the chain (not necessarily the newest entry).
      bool found = *expect == GenesisHash();
      for (std::int64_t after = 0; !found;) {
        auto page = (*db)->decisions().ListDecisions(after, 10000);
        if (!page.ok()) Fail(page.status());
        if (page->empty()) break;
        for (const auto& d : *page) found = found || d.hash == *expect;
        after = page->back().seq;
      }
      if (!found) {
        std::printf("BROKEN: the expected head %s is not in the log (entries removed)\n",
                    expect->c_str());
        throw CLI::RuntimeError(1);
      }
    }
  });

  auto* head = log->add_subcommand("head",
                                   "Print the newest entry's seq and hash.\n"
                                   "Example: bulwark log head");
  head->fallthrough();
  head->callback([url] {
    store::OpenOptions o;
    o.migrate = false;
    o.create_if_missing = false;
    auto db = store::OpenDatabase(*url, o);
    if (!db.ok()) Fail(db.status());
    auto h = (*db)->decisions().Head();
    if (!h.ok()) Fail(h.status());
    std::printf("%lld %s\n", static_cast<long long>(h->seq), h->hash.c_str());
  });
}

}  // namespace bulwark::cli
