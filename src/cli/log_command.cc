#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/http_get.h"
#include "core/decision.h"
#include "core/log_signing.h"
#include "server/api_json.h"
#include "store/log_checkpoint.h"
#include "store/store.h"

namespace bulwark::cli {

std::string DefaultLogKeyPath(const std::string& db_url) {
  std::string_view path = db_url;
  if (path.starts_with("postgres://") || path.starts_with("postgresql://")) return "";
  if (path.starts_with("sqlite:")) path.remove_prefix(7);
  if (path.empty() || path == ":memory:") return "";
  return std::string(path) + ".logkey";
}

namespace {

using nlohmann::json;

struct LogOptions {
  std::string db = kDefaultDb;
  std::string expect_head;
  std::string log_key;      // default DefaultLogKeyPath(db)
  std::string public_key;   // hex
  std::string checkpoints;  // a JSONL file of signed heads
  std::string from_feed;    // base URL of a Bulwark server
  std::string api_key;      // for the feed; default $BULWARK_API_KEY
  std::string out;          // checkpoint: where to append
};

void CheckPublicKeyOption(const std::string& hex) {
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    Fail(InvalidArgument("must be the 64 lower-case hex digits of an Ed25519 public key",
                         "--public-key"));
  }
}

[[noreturn]] void Broken(const std::string& what) {
  std::printf("BROKEN: %s\n", what.c_str());
  std::fflush(stdout);
  throw CLI::RuntimeError(1);
}

std::string KeyPath(const LogOptions& o) {
  std::string path = o.log_key.empty() ? DefaultLogKeyPath(o.db) : o.log_key;
  if (path.empty()) Fail(InvalidArgument("pass --log-key PATH", "--log-key"));
  return path;
}

std::unique_ptr<store::Database> OpenExisting(const std::string& url) {
  store::OpenOptions o;
  o.migrate = false;
  o.create_if_missing = false;
  auto db = store::OpenDatabase(url, o);
  if (!db.ok()) Fail(db.status());
  return std::move(db).value();
}

// A signed head as GET /v1/log/head serves it and a checkpoint file holds it.
Result<SignedHead> ParseSignedHead(const json& j) {
  if (!j.is_object()) return InvalidArgument("a signed head is a JSON object");
  for (const char* f : {"hash", "signed_at", "signature", "public_key", "algorithm"}) {
    if (!j.contains(f) || !j[f].is_string()) {
      return InvalidArgument(std::string("the head has no string '") + f + "' (is it signed?)", f);
    }
  }
  if (!j.contains("seq") || !j["seq"].is_number_integer()) {
    return InvalidArgument("the head has no integer 'seq'", "seq");
  }
  if (j["algorithm"] != kLogSignatureAlgorithm) {
    return InvalidArgument(
        "the head is signed with '" + j["algorithm"].get<std::string>() + "', not ed25519",
        "algorithm");
  }
  SignedHead h;
  h.seq = j["seq"].get<std::int64_t>();
  h.hash = j["hash"].get<std::string>();
  h.signed_at = j["signed_at"].get<std::string>();
  h.signature = j["signature"].get<std::string>();
  h.public_key = j["public_key"].get<std::string>();
  return h;
}

// Every line of a checkpoint file, each signature checked against `public_key`, by seq.
std::map<std::int64_t, SignedHead> ReadCheckpoints(const std::string& path,
                                                   const std::string& public_key) {
  std::ifstream f(path);
  if (!f) Fail(NotFound(path + ": cannot read the checkpoint file"));
  std::map<std::int64_t, SignedHead> out;
  std::string line;
  for (int n = 1; std::getline(f, line); ++n) {
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    auto h = ParseSignedHead(json::parse(line, nullptr, false));
    if (!h.ok()) Fail(InvalidArgument(where + ": " + h.status().message()));
    Status s = VerifySignedHead(*h, public_key);
    if (!s.ok()) Broken(where + ": " + s.message());
    auto [it, fresh] = out.emplace(h->seq, *h);
    if (!fresh && it->second.hash != h->hash) {
      Broken(where + ": two signed heads for entry " + std::to_string(h->seq) +
             " with different hashes (" + it->second.hash + ", " + h->hash + ")");
    }
  }
  return out;
}

// The served fields of a feed entry must be the hashed ones: a platform acts on the former.
std::string ServedFieldMismatch(const json& served, const Decision& hashed) {
  auto str = [&](const char* f, const std::string& want) -> std::string {
    if (!served.contains(f) || !served[f].is_string() || served[f].get<std::string>() != want) {
      return f;
    }
    return "";
  };
  for (auto [f, v] : std::initializer_list<std::pair<const char*, std::string>>{
           {"item_id", hashed.item_id},
           {"action", std::string(ActionName(hashed.action))},
           {"category", hashed.category},
           {"rule_id", hashed.rule_id},
           {"policy_version", hashed.policy_version},
           {"model_version", hashed.model_version},
           {"actor", hashed.actor},
           {"reason", hashed.reason},
           {"created_at", FormatRfc3339(hashed.created_at)},
           {"prev_hash", hashed.prev_hash}}) {
    std::string bad = str(f, v);
    if (!bad.empty()) return bad;
  }
  if (!served.contains("item_revision") || !served["item_revision"].is_number_integer() ||
      served["item_revision"].get<std::int64_t>() != hashed.item_revision) {
    return "item_revision";
  }
  json evidence = json::parse(hashed.evidence, nullptr, false);
  if (evidence.is_discarded()) evidence = hashed.evidence;
  if (!served.contains("evidence") || served["evidence"] != evidence) return "evidence";
  return "";
}

// bulwark log verify --from-feed URL: everything from outside, nothing from Bulwark's word.
void VerifyFromFeed(const LogOptions& o) {
  if (o.public_key.empty()) {
    Fail(
        InvalidArgument("--from-feed needs --public-key: the log key the operator published "
                        "(a key taken from the server itself proves nothing)",
                        "--public-key"));
  }
  CheckPublicKeyOption(o.public_key);
  std::string api_key = o.api_key;
  if (api_key.empty()) {
    const char* env = std::getenv("BULWARK_API_KEY");
    if (env) api_key = env;
  }
  if (api_key.empty()) {
    Fail(InvalidArgument("the feed needs an API key: --key or BULWARK_API_KEY", "--key"));
  }
  std::map<std::int64_t, SignedHead> checkpoints;
  if (!o.checkpoints.empty()) checkpoints = ReadCheckpoints(o.checkpoints, o.public_key);

  // The head first: the feed is then read up to it, however much is appended meanwhile.
  auto body = HttpGet(o.from_feed, "/v1/log/head", "");
  if (!body.ok()) Fail(body.status());
  auto head = ParseSignedHead(json::parse(*body, nullptr, false));
  if (!head.ok()) Broken("GET /v1/log/head: " + head.status().message());
  Status s = VerifySignedHead(*head, o.public_key);
  if (!s.ok()) Broken("GET /v1/log/head: " + s.message());
  if (!checkpoints.empty() && checkpoints.rbegin()->first > head->seq) {
    Broken("the signed head is entry " + std::to_string(head->seq) +
           ", but a checkpoint names entry " + std::to_string(checkpoints.rbegin()->first) +
           " (entries removed)");
  }
  if (auto zero = checkpoints.find(0);
      zero != checkpoints.end() && zero->second.hash != GenesisHash()) {
    Broken("the checkpoint of entry 0 is not the empty log's head");
  }

  std::int64_t seq = 0;
  std::string hash = GenesisHash();
  size_t matched = checkpoints.count(0);
  while (seq < head->seq) {
    const std::int64_t limit = std::min<std::int64_t>(1000, head->seq - seq);
    auto page = HttpGet(
        o.from_feed,
        "/v1/decisions?after=" + std::to_string(seq) + "&limit=" + std::to_string(limit), api_key);
    if (!page.ok()) Fail(page.status());
    json j = json::parse(*page, nullptr, false);
    if (!j.is_object() || !j.contains("decisions") || !j["decisions"].is_array()) {
      Broken("GET /v1/decisions?after=" + std::to_string(seq) + ": not a feed page");
    }
    if (j["decisions"].empty()) {
      Broken("the feed ends at entry " + std::to_string(seq) + ", before the signed head " +
             std::to_string(head->seq));
    }
    for (const json& e : j["decisions"]) {
      if (seq == head->seq) break;
      const std::string at = "entry " + std::to_string(seq + 1);
      if (!e.is_object() || !e.contains("hash") || !e["hash"].is_string() ||
          !e.contains("hashed_bytes") || !e["hashed_bytes"].is_string()) {
        Broken(at + ": the feed entry has no hash or hashed_bytes");
      }
      auto bytes = Base64Decode(e["hashed_bytes"].get<std::string>());
      if (!bytes) Broken(at + ": hashed_bytes is not base64");
      auto d = CheckChainEntry(seq, hash, e["hash"].get<std::string>(), *bytes);
      if (!d.ok()) Broken(at + ": " + d.status().message());
      if (!e.contains("seq") || e["seq"] != d->seq) Broken(at + ": the served seq differs");
      std::string field = ServedFieldMismatch(e, *d);
      if (!field.empty()) Broken(at + ": the served " + field + " is not the hashed one");
      seq = d->seq;
      hash = d->hash;
      if (auto c = checkpoints.find(seq); c != checkpoints.end()) {
        if (c->second.hash != hash) {
          Broken(at + " has hash " + hash + ", but the head signed at " + c->second.signed_at +
                 " says " + c->second.hash + " (the log was rewritten)");
        }
        ++matched;
      }
    }
  }
  if (hash != head->hash) {
    Broken("the feed's entry " + std::to_string(seq) + " has hash " + hash +
           ", not the signed head's " + head->hash);
  }
  std::printf("OK: %lld entries recomputed from the feed; head %lld %s signed at %s by %s",
              static_cast<long long>(seq), static_cast<long long>(head->seq), head->hash.c_str(),
              head->signed_at.c_str(), head->public_key.c_str());
  if (!o.checkpoints.empty()) std::printf("; %zu checkpoints matched", matched);
  std::printf("\n");
}

void VerifyDatabase(const LogOptions& o) {
  auto db = OpenExisting(o.db);
  auto v = db->decisions().VerifyLog();
  if (!v.ok()) Fail(v.status());
  if (!v->ok) {
    std::printf("BROKEN at entry %lld: %s (%lld entries checked)\n",
                static_cast<long long>(v->first_broken_seq), v->problem.c_str(),
                static_cast<long long>(v->entries_checked));
    throw CLI::RuntimeError(1);
  }
  std::printf("OK: %lld entries, head %lld %s\n", static_cast<long long>(v->entries_checked),
              static_cast<long long>(v->head.seq), v->head.hash.c_str());
  if (!o.expect_head.empty()) {
    // The published head must still be in the chain (not necessarily the newest entry).
    bool found = o.expect_head == GenesisHash();
    for (std::int64_t after = 0; !found;) {
      auto page = db->decisions().ListDecisions(after, 10000);
      if (!page.ok()) Fail(page.status());
      if (page->empty()) break;
      for (const auto& d : *page) found = found || d.hash == o.expect_head;
      after = page->back().seq;
    }
    if (!found) {
      Broken("the expected head " + o.expect_head + " is not in the log (entries removed)");
    }
  }
  if (!o.checkpoints.empty()) {
    // The key to trust: the one given, else this server's own (its public half).
    std::string public_key = o.public_key;
    if (!public_key.empty()) CheckPublicKeyOption(public_key);
    if (public_key.empty()) {
      auto key = LogSigningKey::Load(KeyPath(o));
      if (!key.ok()) Fail(key.status());
      public_key = key->public_key();
    }
    auto checkpoints = ReadCheckpoints(o.checkpoints, public_key);
    for (const auto& [seq, c] : checkpoints) {
      Status s = store::CheckCheckpoint(db->decisions(), c, public_key);
      if (!s.ok() && s.code() != Code::kFailedPrecondition) Fail(s);
      if (!s.ok()) Broken(s.message());
    }
    std::printf("OK: %zu checkpoints still in the log\n", checkpoints.size());
  }
}

void Checkpoint(const LogOptions& o) {
  auto db = OpenExisting(o.db);
  // Never sign a chain that does not verify.
  auto v = db->decisions().VerifyLog();
  if (!v.ok()) Fail(v.status());
  if (!v->ok) {
    Fail(FailedPrecondition("the log is broken at entry " + std::to_string(v->first_broken_seq) +
                            ": " + v->problem + "; not signing it"));
  }
  auto key = LogSigningKey::Load(KeyPath(o));
  if (key.status().code() == Code::kNotFound) {
    Fail(NotFound(key.status().message() +
                  " (bulwark serve creates it on first start; or pass --log-key PATH)"));
  }
  if (!key.ok()) Fail(key.status());
  SignedHead h = key->Sign(v->head.seq, v->head.hash, WallNowMillis());
  std::string line = server::SignedHeadJson(h).dump() + "\n";
  int fd = ::open(o.out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) Fail(Internal(o.out + ": " + std::strerror(errno)));
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) Fail(Internal(o.out + ": cannot append the checkpoint"));
  std::fputs(line.c_str(), stdout);
}

}  // namespace

void AddLogCommand(CLI::App& app) {
  auto o = std::make_shared<LogOptions>();
  auto* log = app.add_subcommand("log", "The hash-chained decision log.");
  log->require_subcommand(1);
  log->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  log->add_option("--log-key", o->log_key,
                  "The log signing key file (default: the SQLite file's path + .logkey)");

  auto* verify = log->add_subcommand(
      "verify",
      "Re-read the whole log and check every link; names the first edited, deleted or\n"
      "reordered entry and exits 1. With --expect-head, also fails if the newest entry is not\n"
      "the one published earlier (detects truncation). With --checkpoints, fails unless every\n"
      "signed head in the file is still in the log (detects a rewritten, re-hashed chain).\n"
      "With --from-feed, reads no database: an auditor's check of a running server from\n"
      "outside, recomputing every hash from the bytes the feed serves and checking the signed\n"
      "head against the operator's published key.\n"
      "Example: bulwark log verify --expect-head 3b1f...e9\n"
      "Example: bulwark log verify --from-feed https://bulwark.example --public-key 9a4c...\n"
      "         --key $KEY --checkpoints heads.jsonl");
  verify->add_option("--expect-head", o->expect_head,
                     "A head hash recorded earlier (GET /v1/log/head)");
  verify->add_option("--checkpoints", o->checkpoints,
                     "A file of signed heads, one JSON object a line (bulwark log checkpoint, or\n"
                     "saved GET /v1/log/head responses)");
  verify->add_option("--public-key", o->public_key,
                     "The log key's public half (64 hex digits) that signatures must verify with;\n"
                     "required with --from-feed; by default the local --log-key's");
  verify->add_option("--from-feed", o->from_feed,
                     "Base URL of a Bulwark server: verify its feed instead of a database");
  verify->add_option(
      "--key", o->api_key,
      "API key (platform, admin or auditor) for the feed (default $BULWARK_API_KEY)");
  verify->fallthrough();
  verify->callback([o] {
    if (!o->from_feed.empty()) {
      if (!o->expect_head.empty()) {
        Fail(InvalidArgument("--expect-head reads a database; use --checkpoints with --from-feed",
                             "--expect-head"));
      }
      VerifyFromFeed(*o);
    } else {
      VerifyDatabase(*o);
    }
  });

  auto* head = log->add_subcommand("head",
                                   "Print the newest entry's seq and hash.\n"
                                   "Example: bulwark log head");
  head->fallthrough();
  head->callback([o] {
    auto db = OpenExisting(o->db);
    auto h = db->decisions().Head();
    if (!h.ok()) Fail(h.status());
    std::printf("%lld %s\n", static_cast<long long>(h->seq), h->hash.c_str());
  });

  auto* checkpoint = log->add_subcommand(
      "checkpoint",
      "Verify the log, sign its head with the log key and append it as one JSON line to a\n"
      "file the operator publishes elsewhere (run it from cron). Anyone holding the file can\n"
      "later prove what the log contained: bulwark log verify --checkpoints FILE.\n"
      "Example: bulwark log checkpoint --db sqlite:bulwark.db --out heads.jsonl");
  checkpoint->add_option("--out", o->out, "The checkpoint file (appended to)")->required();
  checkpoint->fallthrough();
  checkpoint->callback([o] { Checkpoint(*o); });
}

}  // namespace bulwark::cli
