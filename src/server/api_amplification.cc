// POST /v1/recommendations/check: the amplification guard (amplification/guard.h) for the
// platform's recommender. Strict input (ingest/codec.h), one answer per candidate, from an
// in-memory snapshot.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "amplification/guard.h"
#include "core/decision.h"
#include "core/metrics.h"
#include "core/time.h"
#include "ingest/codec.h"
#include "server/api.h"
#include "server/api_json.h"

namespace bulwark::server {
namespace {

constexpr std::size_t kMaxCandidates = 1000;

// Appends `s` as a JSON string. Ids come out of the strict decoder as valid UTF-8; only quotes,
// backslashes and control characters need escaping.
void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

// The response is written by hand: with 1,000 candidates, building it as a JSON tree took most of
// the request's time (docs/amplification.md, "Speed").
HttpResponse Api::RecommendationsCheck(const HttpRequest& req) {
  if (!ctx_.guard) return ErrorResponse(Unavailable("the amplification guard is not running"));
  ingest::IngestLimits limits;
  limits.max_body_bytes = kMaxBodyRecommendations;
  auto candidates = ingest::DecodeRecommendationCandidates(req.body, limits, kMaxCandidates);
  if (!candidates.ok()) return ErrorResponse(candidates.status());
  // Items, groups and accounts are looked up apart (one lock each), then answered in request
  // order.
  std::vector<std::string_view> views;
  std::vector<std::string_view> ids[3];  // by TargetKind
  views.reserve(candidates->size());
  for (const ingest::RecommendationCandidate& c : *candidates) {
    views.push_back(c.id);
    ids[static_cast<int>(c.kind)].push_back(c.id);
  }
  std::vector<amplification::Answer> by_kind[3];
  const std::int64_t as_of = ctx_.guard->as_of_seq();
  ctx_.guard->CheckItems(ids[0], &by_kind[0]);
  if (!ids[1].empty()) ctx_.guard->CheckGroups(ids[1], &by_kind[1]);
  if (!ids[2].empty()) {
    ctx_.guard->CheckAccounts(ids[2], ctx_.clock ? ctx_.clock->NowMillis() : WallNowMillis(),
                              &by_kind[2]);
  }
  std::vector<amplification::Answer> answers;
  answers.reserve(views.size());
  std::size_t next[3] = {0, 0, 0};
  for (const ingest::RecommendationCandidate& c : *candidates) {
    const int k = static_cast<int>(c.kind);
    answers.push_back(by_kind[k][next[k]++]);
  }
  std::int64_t counts[3] = {0, 0, 0};
  HttpResponse r;
  std::string& body = r.body;
  body.reserve(64 + views.size() * 64);
  body += "{\"as_of_seq\":" + std::to_string(as_of) + ",\"results\":[";
  char factor[32];
  for (std::size_t i = 0; i < views.size(); ++i) {
    const amplification::Answer& a = answers[i];
    ++counts[static_cast<int>(a.verdict)];
    if (i) body.push_back(',');
    body += "{\"type\":\"";
    body += TargetKindName((*candidates)[i].kind);
    body += "\",\"id\":";
    AppendJsonString(&body, views[i]);
    body += ",\"verdict\":\"";
    body += amplification::VerdictName(a.verdict);
    body.push_back('"');
    if (a.verdict != amplification::Verdict::kAllow) {
      if (a.verdict == amplification::Verdict::kDemote) {
        std::snprintf(factor, sizeof(factor), "%g", a.factor);
        body += ",\"factor\":";
        body += factor;
      }
      body += ",\"reason_code\":";
      AppendJsonString(&body, a.reason_code);
      body += ",\"decision_seq\":" + std::to_string(a.decision_seq);
      if (!a.rule_id.empty()) {
        body += ",\"rule_id\":";
        AppendJsonString(&body, a.rule_id);
      }
    }
    body.push_back('}');
  }
  body += "]}\n";
  if (ctx_.metrics) {
    for (int v = 0; v < 3; ++v) {
      if (counts[v] == 0) continue;
      ctx_.metrics
          ->GetCounter(
              "bulwark_recommendation_candidates_total",
              "Candidates answered by POST /v1/recommendations/check, by verdict.",
              {{"verdict", std::string(VerdictName(static_cast<amplification::Verdict>(v)))}})
          .Inc(static_cast<std::uint64_t>(counts[v]));
    }
  }
  return r;
}

}  // namespace bulwark::server
