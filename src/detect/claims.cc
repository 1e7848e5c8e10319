#include "detect/claims.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace bulwark::detect {
namespace {

uint64_t Mix(uint64_t a, uint64_t b) {
  // Order-sensitive combination of two token hashes (splitmix64 finaliser over a*K ^ b).
  uint64_t x = a * 0x9E3779B97F4A7C15ull ^ b;
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x == 0 ? 1 : x;  // 0 marks an empty slot in the index
}

// Distinct bigram shingles of `t`, each with the index of its first token, sorted by hash.
void Shingles(const text::NormalizedText& t, std::vector<std::pair<uint64_t, uint32_t>>* out) {
  out->clear();
  if (t.tokens.size() < 2) return;
  uint64_t prev = HashToken(t.TokenText(0));
  for (size_t i = 1; i < t.tokens.size(); ++i) {
    uint64_t cur = HashToken(t.TokenText(i));
    out->emplace_back(Mix(prev, cur), static_cast<uint32_t>(i - 1));
    prev = cur;
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; }),
             out->end());
}

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

uint64_t HashToken(std::string_view token) {
  // FNV-1a. Tokens are short (~6 bytes); word-at-a-time variants measured no faster here.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : token) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Result<std::shared_ptr<const ClaimMatcher>> ClaimMatcher::Load(const std::string& path,
                                                               const text::Normalizer& normalizer,
                                                               const ClaimOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open claims file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string name = path.substr(path.find_last_of('/') + 1);
  return FromString(ss.str(), name, normalizer, options);
}

Result<std::shared_ptr<const ClaimMatcher>> ClaimMatcher::FromString(
    std::string_view content, std::string_view name, const text::Normalizer& normalizer,
    const ClaimOptions& options) {
  std::shared_ptr<ClaimMatcher> m(new ClaimMatcher());
  m->min_shared_ = options.min_shared;
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> text_shingles;
  std::vector<std::pair<uint64_t, uint32_t>> sh;
  size_t line_no = 0;
  size_t pos = 0;
  text::NormalizedText norm;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string_view::npos) nl = content.size();
    std::string_view line = content.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    auto where = std::string(name) + ":" + std::to_string(line_no) + ": ";
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (line.size() > options.max_line_bytes) {
      return ResourceExhausted(where + "line longer than " +
                               std::to_string(options.max_line_bytes));
    }
    if (m->claims_.size() >= options.max_claims) {
      return ResourceExhausted(where + "more than " + std::to_string(options.max_claims) +
                               " claims");
    }
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return InvalidArgument(where + "not a JSON object");
    auto str = [&](const char* key, std::string* out) -> Status {
      auto it = j.find(key);
      if (it == j.end() || !it->is_string()) {
        return InvalidArgument(where + "field '" + key + "' must be a string");
      }
      *out = it->get<std::string>();
      return Status::Ok();
    };
    Claim c;
    std::string cat;
    BULWARK_RETURN_IF_ERROR(str("id", &c.id));
    BULWARK_RETURN_IF_ERROR(str("category", &cat));
    BULWARK_RETURN_IF_ERROR(str("claim", &c.claim));
    if (j.contains("fact_check")) BULWARK_RETURN_IF_ERROR(str("fact_check", &c.fact_check));
    auto parsed = ParseCategory(cat);
    if (!parsed || !IsMisinformation(*parsed)) {
      return InvalidArgument(where + "category '" + cat + "' is not a misinformation category");
    }
    c.category = *parsed;
    if (auto it = j.find("variants"); it != j.end()) {
      if (!it->is_array()) return InvalidArgument(where + "field 'variants' must be an array");
      for (const auto& v : *it) {
        if (!v.is_string()) return InvalidArgument(where + "variants must be strings");
        c.variants.push_back(v.get<std::string>());
      }
    }
    uint32_t claim_index = static_cast<uint32_t>(m->claims_.size());
    auto add_text = [&](const std::string& t) {
      normalizer.Normalize(t, &norm);
      Shingles(norm, &sh);
      if (sh.size() < options.min_shingles) return;
      m->text_claim_.push_back(claim_index);
      m->text_shingles_.push_back(static_cast<uint32_t>(sh.size()));
      text_shingles.push_back(sh);
    };
    add_text(c.claim);
    for (const auto& v : c.variants) add_text(v);
    m->claims_.push_back(std::move(c));
  }

  // Inverted index: shingle -> claim texts holding it.
  std::vector<std::pair<uint64_t, uint32_t>> all;
  for (uint32_t t = 0; t < text_shingles.size(); ++t) {
    for (const auto& s : text_shingles[t]) all.emplace_back(s.first, t);
  }
  std::sort(all.begin(), all.end());
  size_t distinct = 0;
  for (size_t i = 0; i < all.size(); ++i) distinct += (i == 0 || all[i].first != all[i - 1].first);
  size_t cap = 16;
  while (cap < distinct * 2) cap <<= 1;
  m->table_.assign(cap, Slot{});
  m->mask_ = cap - 1;
  m->postings_.reserve(all.size());
  m->filter_.assign(1024, 0);
  for (const auto& a : all) m->filter_[(a.first >> 54) & 1023] |= 1ull << ((a.first >> 48) & 63);
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    uint32_t begin = static_cast<uint32_t>(m->postings_.size());
    while (j < all.size() && all[j].first == all[i].first) m->postings_.push_back(all[j++].second);
    uint64_t slot = all[i].first & m->mask_;
    while (m->table_[slot].key != 0) slot = (slot + 1) & m->mask_;
    m->table_[slot] = Slot{all[i].first, begin, static_cast<uint32_t>(m->postings_.size())};
    i = j;
  }
  m->version_ = "claims-" + Hex64(HashToken(content)) + "-" + std::to_string(m->claims_.size());
  return std::shared_ptr<const ClaimMatcher>(std::move(m));
}

void ClaimMatcher::Match(const text::NormalizedText& text, double min_containment, ClaimScratch* s,
                         std::vector<ClaimMatch>* out) const {
  out->clear();
  if (table_.empty() || text.tokens.size() < 2) return;
  if (s->counts.size() != text_claim_.size()) {
    s->counts.assign(text_claim_.size(), 0);
    s->first_tok.assign(text_claim_.size(), 0);
    s->last_tok.assign(text_claim_.size(), 0);
  }
  s->touched.clear();
  // Most bigrams of a post are in no claim: probe the index first; a per-slot epoch stamp
  // makes a repeated shingle count once per claim text, in O(1).
  if (s->slot_epoch.size() != table_.size() || ++s->epoch == 0) {
    s->slot_epoch.assign(table_.size(), 0);
    s->epoch = 1;
  }
  uint64_t prev = HashToken(text.TokenText(0));
  for (size_t i = 1; i < text.tokens.size(); ++i) {
    uint64_t cur = HashToken(text.TokenText(i));
    uint64_t hash = Mix(prev, cur);
    prev = cur;
    // An 8 KiB bit filter (L1-resident) rejects most absent shingles before the table probe.
    if (!((filter_[(hash >> 54) & 1023] >> ((hash >> 48) & 63)) & 1)) continue;
    uint64_t slot = hash & mask_;
    while (table_[slot].key != 0 && table_[slot].key != hash) slot = (slot + 1) & mask_;
    const Slot& e = table_[slot];
    if (e.key == 0) continue;
    if (s->slot_epoch[slot] == s->epoch) continue;
    s->slot_epoch[slot] = s->epoch;
    const uint32_t tok = static_cast<uint32_t>(i - 1);
    for (uint32_t p = e.begin; p < e.end; ++p) {
      uint32_t t = postings_[p];
      if (s->counts[t]++ == 0) {
        s->touched.push_back(t);
        s->first_tok[t] = tok;
        s->last_tok[t] = tok + 1;
      } else {
        s->first_tok[t] = std::min(s->first_tok[t], tok);
        s->last_tok[t] = std::max(s->last_tok[t], tok + 1);
      }
    }
  }
  for (uint32_t t : s->touched) {
    double c = static_cast<double>(s->counts[t]) / text_shingles_[t];
    if (c >= min_containment && s->counts[t] >= min_shared_) {
      const auto& fb = text.tokens[s->first_tok[t]];
      const auto& lb = text.tokens[s->last_tok[t]];
      ClaimMatch m{text_claim_[t],    c, s->counts[t], fb.orig_begin, lb.orig_end, s->first_tok[t],
                   s->last_tok[t] + 1};
      // Keep the best per category.
      Category cat = claims_[m.claim].category;
      auto it = std::find_if(out->begin(), out->end(),
                             [&](const ClaimMatch& x) { return claims_[x.claim].category == cat; });
      if (it == out->end()) {
        out->push_back(m);
      } else if (m.containment > it->containment) {
        *it = m;
      }
    }
    s->counts[t] = 0;
  }
  std::sort(out->begin(), out->end(),
            [](const ClaimMatch& a, const ClaimMatch& b) { return a.containment > b.containment; });
}

}  // namespace bulwark::detect
