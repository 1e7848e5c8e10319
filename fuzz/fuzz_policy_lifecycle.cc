// Fuzzes the policy lifecycle as the HTTP API drives it: request bodies decoded by the policy
// routes' decoder (server::ParseStringFieldsBody, ParsePolicyId), then draft, submit, approve,
// reject and activate by actors of every role, on a real SQLite database. No crash, no sanitizer
// report, no Internal error for any input, and the lifecycle's promises hold after every step:
// at most one active version; nothing approved without a civil-rights approver who is not the
// author and chose their own password; the history only grows.
//
// Input: a sequence of steps, each [op][actor][n][n bytes of request body].

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "core/time.h"
#include "fuzz_check.h"
#include "policy/lifecycle.h"
#include "server/api_json.h"
#include "store/store.h"

using namespace bulwark;

namespace {

struct World {
  std::unique_ptr<store::Database> db;
  SystemClock clock;
  std::unique_ptr<policy::Lifecycle> lifecycle;
  std::string default_text;
  int next_version = 1;
  size_t history_entries = 0;
};

World* Init() {
  auto* w = new World;
  static int generation = 0;
  const std::string path = "/dev/shm/bulwark-fuzz-policy-" + std::to_string(getpid()) + "-" +
                           std::to_string(generation++ % 2) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  store::OpenOptions o;
  o.synchronous_full = false;
  o.read_connections = 1;
  auto db = store::OpenDatabase("sqlite:" + path, o);
  FUZZ_CHECK(db.ok());
  w->db = std::move(db).value();
  w->lifecycle = std::make_unique<policy::Lifecycle>(
      w->db->policies(), w->clock,
      [](const policy::Policy*, const policy::Policy&,
         const policy::BacktestProgressFn& progress) -> Result<std::string> {
        if (progress && !progress(0)) return Unavailable("the backtest was stopped");
        return std::string(R"({"items":0,"changed":0})");
      });
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
  std::stringstream ss;
  ss << in.rdbuf();
  w->default_text = ss.str();
  FUZZ_CHECK(!w->default_text.empty());
  return w;
}

// The actors: author, two civil-rights officers (one whose password an admin set), an admin, an
// auditor and an API key of the civil-rights role.
policy::Actor ActorFor(uint8_t b) {
  switch (b % 6) {
    case 0:
      return {"alice", Role::kPolicyAuthor, std::string("user:alice")};
    case 1:
      return {"carol", Role::kCivilRights, std::string("user:carol")};
    case 2:
      return {"mallory", Role::kCivilRights, std::string("user:dave")};
    case 3:
      return {"dave", Role::kAdmin, std::string("user:dave")};
    case 4:
      return {"audrey", Role::kAuditor, std::string("user:audrey")};
    default:
      return {"key-cr", Role::kCivilRights, std::nullopt};
  }
}

void CheckInvariants(World& w) {
  auto versions = w.db->policies().ListVersions();
  FUZZ_CHECK(versions.ok());
  int active = 0;
  size_t history = 0;
  for (const store::PolicyVersion& v : *versions) {
    active += v.state == store::PolicyState::kActive;
    const bool signed_off =
        v.state == store::PolicyState::kApproved ||
        ((v.state == store::PolicyState::kActive || v.state == store::PolicyState::kRetired) &&
         v.author != std::string(policy::kBootstrapActor));
    if (signed_off) {
      FUZZ_CHECK(!v.approved_by.empty());
      FUZZ_CHECK(v.approved_by != v.author);
      FUZZ_CHECK(v.approved_by == "carol" || v.approved_by == "key-cr");
    }
    auto h = w.db->policies().History(v.id);
    FUZZ_CHECK(h.ok());
    history += h->size();
  }
  FUZZ_CHECK(active <= 1);
  FUZZ_CHECK(history >= w.history_entries);  // append-only
  w.history_entries = history;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* w = Init();
  if (w->next_version > 64) {
    // A fresh database now and then keeps every input fast (the invariants read every version).
    delete w;
    w = Init();
  }
  size_t i = 0;
  for (int step = 0; step < 16 && i + 3 <= size; ++step) {
    const uint8_t op = data[i], who = data[i + 1];
    const size_t n = std::min<size_t>(data[i + 2], size - i - 3);
    std::string_view body(reinterpret_cast<const char*>(data + i + 3), n);
    i += 3 + n;
    const policy::Actor actor = ActorFor(who);
    Status s;
    if (op % 6 == 0) {
      // POST /v1/policies with the fuzzed body.
      auto j = server::ParseStringFieldsBody(body, {"text", "comment"});
      if (!j.ok()) {
        FUZZ_CHECK(j.status().code() == Code::kInvalidArgument && !j.status().field().empty());
        continue;
      }
      if (!j->contains("text")) continue;
      s = w->lifecycle
              ->Draft((*j)["text"].get<std::string>(), "text", actor, j->value("comment", ""))
              .status();
    } else if (op % 6 == 1) {
      // A valid draft, so that the later steps have versions to move.
      std::string text = w->default_text;
      const std::string line = "version = 1.0.0";
      if (auto at = text.find(line); at != std::string::npos) {
        text.replace(at, line.size(), "version = 9." + std::to_string(w->next_version++) + ".0");
      }
      s = w->lifecycle->Draft(text, "text", actor, std::string(body)).status();
    } else {
      // POST /v1/policies/{id}/<step>: the id from the first byte, the body's comment.
      auto id = server::ParsePolicyId(std::to_string(n ? static_cast<uint8_t>(body[0]) % 8 : 0));
      auto j = server::ParseStringFieldsBody(body.substr(n ? 1 : 0), {"comment"});
      if (!id.ok() || !j.ok()) continue;
      const std::string comment = j->value("comment", "");
      switch (op % 6) {
        case 2:
          if (who & 0x80) {
            // The HTTP path: a pending backtest, run at once or left for a later step.
            s = w->lifecycle->SubmitWithPendingBacktest(*id, actor, comment).status();
            if (s.ok() && (who & 0x40)) s = w->lifecycle->RunBacktest(*id).status();
          } else {
            s = w->lifecycle->Submit(*id, actor, comment).status();
          }
          break;
        case 3:
          s = w->lifecycle->Approve(*id, actor, comment).status();
          break;
        case 4:
          s = w->lifecycle->Reject(*id, actor, comment).status();
          break;
        default:
          s = w->lifecycle->Activate(*id, actor, comment).status();
          break;
      }
    }
    // Refusals are the caller's fault (4xx), never the server's.
    FUZZ_CHECK(s.code() != Code::kInternal);
    if (s.code() == Code::kUnavailable) std::fprintf(stderr, "%s\n", s.ToString().c_str());
    FUZZ_CHECK(s.code() != Code::kUnavailable);
  }
  CheckInvariants(*w);
  return 0;
}
