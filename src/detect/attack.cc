#include "detect/attack.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "detect/claims.h"   // HashToken
#include "detect/context.h"  // SentenceIds, QuoteMarks, ContextAnalyzer::Weight
#include "detect/verdict.h"  // ContextFlag

namespace bulwark::detect {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, kNumAttackRoles> kRoleNames = {
    "group_noun",  "group_adj",  "group_emoji", "person_noun", "human_noun", "pronoun_group",
    "pronoun_you", "negator",    "modal",       "report",      "condemn",    "endorse",
    "copula",      "hate_verb",  "neg_attr",    "dehum",       "exclusion",  "elimination",
    "violence",    "death_wish", "profanity",   "stereotype",  "praise"};

bool IsPredicate(AttackRole r) { return r >= AttackRole::kHateVerb; }
bool IsGroupish(AttackRole r) {
  return r == AttackRole::kGroupNoun || r == AttackRole::kGroupAdj ||
         r == AttackRole::kGroupEmoji || r == AttackRole::kPronounGroup ||
         r == AttackRole::kPronounYou;
}

constexpr uint32_t Bit(AttackRole r) { return 1u << static_cast<unsigned>(r); }

// Optimal string alignment distance (adjacent transposition counts 1), capped at cap + 1.
int OsaDistance(std::string_view a, std::string_view b, int cap) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > cap) return cap + 1;
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (int j = 0; j <= m; ++j) prev[j] = j;
  for (int i = 1; i <= n; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > cap) return cap + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

bool IsAlpha(std::string_view w) {
  for (unsigned char c : w) {
    if (c < 'a' || c > 'z') return false;
  }
  return !w.empty();
}

// Polynomial hashes of a word and of its one- and two-letter deletions, each in O(1) after an
// O(L) pass, so the fuzzy matcher probes every deletion of a token without building strings or
// rehashing it (H(w) = sum of w[i] * B^(L-1-i), mod 2^64). Words longer than kMaxFuzzyLen are
// not matched fuzzily.
constexpr size_t kMaxFuzzyLen = 32;
constexpr uint64_t kPolyBase = 0x100000001b3ull;

class DeletionHasher {
 public:
  explicit DeletionHasher(std::string_view w) : n_(w.size()) {
    pow_[0] = 1;
    pre_[0] = 0;
    for (size_t i = 0; i < n_; ++i) {
      pow_[i + 1] = pow_[i] * kPolyBase;
      pre_[i + 1] = pre_[i] * kPolyBase + static_cast<unsigned char>(w[i]) + 1;
    }
    suf_[n_] = 0;
    for (size_t i = n_; i-- > 0;) {
      suf_[i] = suf_[i + 1] + (static_cast<unsigned char>(w[i]) + 1) * pow_[n_ - 1 - i];
    }
  }
  uint64_t Whole() const { return pre_[n_]; }
  // Without position k.
  uint64_t Without(size_t k) const { return pre_[k] * pow_[n_ - 1 - k] + suf_[k + 1]; }
  // Without positions k < m.
  uint64_t Without(size_t k, size_t m) const {
    const uint64_t mid = pre_[m] - pre_[k + 1] * pow_[m - k - 1];
    return pre_[k] * pow_[n_ - 2 - k] + mid * pow_[n_ - 1 - m] + suf_[m + 1];
  }

 private:
  size_t n_;
  uint64_t pow_[kMaxFuzzyLen + 1], pre_[kMaxFuzzyLen + 1], suf_[kMaxFuzzyLen + 1];
};

constexpr size_t kFuzzyMemoSize = 1 << 14;  // entries of AttackScratch::fuzzy_memo (256 KB)

uint32_t Gram4(std::string_view w, size_t i) {
  uint32_t h = 2166136261u;
  for (size_t k = 0; k < 4; ++k) h = (h ^ static_cast<unsigned char>(w[i + k])) * 16777619u;
  return h & 0xFFFF;
}

}  // namespace

double AttackContextWeight(uint32_t flags) {
  double w = ContextAnalyzer::Weight(flags);
  if ((flags & kCtxReported) && !(flags & (kCtxQuoted | kCtxCounterSpeech | kCtxEndorsed))) {
    w *= 0.3;  // "my boss said X don't belong here": a report, not the speaker's claim
  }
  return w;
}

std::string_view AttackRoleName(AttackRole r) { return kRoleNames[static_cast<size_t>(r)]; }

std::string_view AttackKindName(AttackKind k) {
  switch (k) {
    case AttackKind::kHatred:
      return "hatred";
    case AttackKind::kDerogation:
      return "derogation";
    case AttackKind::kDehumanisation:
      return "dehumanisation";
    case AttackKind::kExclusion:
      return "exclusion";
    case AttackKind::kElimination:
      return "elimination";
    case AttackKind::kThreat:
      return "threat";
    case AttackKind::kProfanity:
      return "profanity";
    case AttackKind::kStereotype:
      return "stereotype";
    case AttackKind::kNegatedPraise:
      return "negated_praise";
  }
  return "derogation";
}

struct AttackAnalyzer::Tables {
  struct Phrase {
    std::vector<uint64_t> rest;  // hashes of the tokens after the first
    AttackRole role;
    uint8_t severity;
    bool object_me;
    uint32_t groups;
  };
  // Open-addressing table: first-token hash -> index into `lists` (0 = empty slot).
  std::vector<uint64_t> keys;
  std::vector<uint32_t> vals;
  uint64_t mask = 0;
  std::vector<std::vector<Phrase>> lists;  // lists[0] unused

  // Single-word vocabulary for fuzzy matching and segmentation.
  struct Word {
    std::string text;
    AttackRole role;
    uint8_t severity;
    uint32_t groups;
  };
  std::vector<Word> words;
  // Deletion hash -> words, one index for group words and one for predicates.
  std::unordered_map<uint64_t, std::vector<uint32_t>> group_deletions, pred_deletions;
  // Bit filters over the same hashes (2^18 bits each): most probes miss and stop here.
  std::vector<uint64_t> group_filter, pred_filter;
  static bool InFilter(const std::vector<uint64_t>& f, uint64_t h) {
    const uint64_t b = (h ^ (h >> 31)) & ((1u << 18) - 1);
    return f[b >> 6] >> (b & 63) & 1;
  }
  static void AddFilter(std::vector<uint64_t>* f, uint64_t h) {
    const uint64_t b = (h ^ (h >> 31)) & ((1u << 18) - 1);
    (*f)[b >> 6] |= 1ull << (b & 63);
  }
  std::unordered_set<uint64_t> exceptions;  // ordinary English words never matched fuzzily
  std::unordered_set<uint64_t> glue;        // any single vocabulary word (segmentation)
  std::vector<uint64_t> group_grams;        // 65536-bit set of group words' 4-grams
  std::vector<uint64_t> pred_grams;         // ... of group and predicate words' 4-grams
  std::vector<std::string> short_groups;    // group words of 3 letters ("gay"), no 4-gram
  bool HasShortGroup(std::string_view w) const {
    for (const std::string& g : short_groups) {
      if (w.find(g) != std::string_view::npos) return true;
    }
    return false;
  }

  const std::vector<Phrase>* Find(uint64_t h) const {
    if (h == 0) h = 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
      if (keys[i] == 0) return nullptr;
      if (keys[i] == h) return &lists[vals[i]];
    }
  }
  void Insert(uint64_t h, Phrase p) {
    if (h == 0) h = 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
      if (keys[i] == 0) {
        keys[i] = h;
        vals[i] = static_cast<uint32_t>(lists.size());
        lists.push_back({std::move(p)});
        return;
      }
      if (keys[i] == h) {
        lists[vals[i]].push_back(std::move(p));
        return;
      }
    }
  }
  static bool HasGram(std::string_view w, const std::vector<uint64_t>& grams) {
    for (size_t i = 0; i + 4 <= w.size(); ++i) {
      uint32_t g = Gram4(w, i);
      if (grams[g >> 6] >> (g & 63) & 1) return true;
    }
    return false;
  }
};

AttackAnalyzer::~AttackAnalyzer() = default;

Result<std::shared_ptr<const AttackAnalyzer>> AttackAnalyzer::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound("attack vocabulary directory " + dir);
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto ext = e.path().extension();
    if (ext == ".jsonl" || e.path().filename() == "fuzzy_exceptions.txt") {
      paths.push_back(e.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return NotFound("cannot open " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    files.emplace_back(p.filename().string(), ss.str());
  }
  return FromFiles(files);
}

Result<std::shared_ptr<const AttackAnalyzer>> AttackAnalyzer::FromFiles(
    const std::vector<std::pair<std::string, std::string>>& files) {
  auto t = std::make_unique<Tables>();
  struct Term {
    std::string text;
    AttackRole role;
    uint8_t severity;
    uint32_t groups;
  };
  std::vector<Term> terms;
  std::vector<std::string> exceptions;
  uint64_t content = 0xcbf29ce484222325ull;
  for (const auto& [name, body] : files) {
    content = (content ^ HashToken(name)) * 0x100000001b3ull;
    content = (content ^ HashToken(body)) * 0x100000001b3ull;
    std::istringstream in(body);
    std::string line;
    size_t lineno = 0;
    const bool is_txt = name.size() >= 4 && name.compare(name.size() - 4, 4, ".txt") == 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.empty() || line[0] == '#') continue;
      const std::string where = name + ":" + std::to_string(lineno);
      if (is_txt) {
        exceptions.push_back(line);
        continue;
      }
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) return InvalidArgument(where + ": not a JSON object");
      auto role_it = j.find("role");
      auto terms_it = j.find("terms");
      if (role_it == j.end() || !role_it->is_string()) {
        return InvalidArgument(where + ": \"role\" must be a string");
      }
      if (terms_it == j.end() || !terms_it->is_array() || terms_it->empty()) {
        return InvalidArgument(where + ": \"terms\" must be a non-empty array");
      }
      auto prov = j.find("provenance");
      if (prov == j.end() || !prov->is_string() || prov->get<std::string>().empty()) {
        return InvalidArgument(where + ": \"provenance\" is required");
      }
      const std::string role_name = role_it->get<std::string>();
      auto rn = std::find(kRoleNames.begin(), kRoleNames.end(), role_name);
      if (rn == kRoleNames.end()) return InvalidArgument(where + ": unknown role " + role_name);
      const auto role = static_cast<AttackRole>(rn - kRoleNames.begin());
      uint8_t severity = 0;
      if (auto sv = j.find("severity"); sv != j.end()) {
        if (!sv->is_number_integer() || sv->get<int>() < 1 || sv->get<int>() > 4) {
          return InvalidArgument(where + ": \"severity\" must be an integer 1..4");
        }
        severity = static_cast<uint8_t>(sv->get<int>());
      } else if (IsPredicate(role)) {
        return InvalidArgument(where + ": predicates need a \"severity\"");
      }
      uint32_t groups = 0;
      if (auto tg = j.find("target"); tg != j.end()) {
        auto g = tg->is_string() ? ParseTargetGroup(tg->get<std::string>()) : std::nullopt;
        if (!g) return InvalidArgument(where + ": unknown \"target\"");
        groups = 1u << static_cast<unsigned>(*g);
      } else if (role == AttackRole::kGroupNoun || role == AttackRole::kGroupAdj ||
                 role == AttackRole::kGroupEmoji) {
        return InvalidArgument(where + ": group roles need a \"target\"");
      }
      for (const auto& term : *terms_it) {
        if (!term.is_string() || term.get<std::string>().empty()) {
          return InvalidArgument(where + ": every term must be a non-empty string");
        }
        const std::string& s = term.get_ref<const std::string&>();
        if (s.front() == ' ' || s.back() == ' ' || s.find("  ") != std::string::npos) {
          return InvalidArgument(where + ": term \"" + s + "\" is not in normalised form");
        }
        for (unsigned char c : s) {
          if (c >= 'A' && c <= 'Z') {
            return InvalidArgument(where + ": term \"" + s + "\" is not in normalised form");
          }
        }
        terms.push_back(Term{s, role, severity, groups});
      }
    }
  }

  size_t cap = 16;
  while (cap < terms.size() * 4) cap <<= 1;
  t->keys.assign(cap, 0);
  t->vals.assign(cap, 0);
  t->mask = cap - 1;
  t->lists.emplace_back();
  t->group_grams.assign(65536 / 64, 0);
  t->pred_grams.assign(65536 / 64, 0);
  for (const Term& term : terms) {
    std::vector<uint64_t> hashes;
    size_t pos = 0;
    while (pos <= term.text.size()) {
      size_t sp = term.text.find(' ', pos);
      if (sp == std::string::npos) sp = term.text.size();
      hashes.push_back(HashToken(std::string_view(term.text).substr(pos, sp - pos)));
      pos = sp + 1;
    }
    const bool object_me =
        term.role == AttackRole::kHateVerb &&
        (term.text.ends_with(" me") || term.text.ends_with(" sick") ||
         term.text.ends_with("crawl") || term.text.find(" me ") != std::string::npos ||
         term.text.find(" my ") != std::string::npos);
    Tables::Phrase p{std::vector<uint64_t>(hashes.begin() + 1, hashes.end()), term.role,
                     term.severity, object_me, term.groups};
    t->Insert(hashes[0], std::move(p));
    if (hashes.size() == 1) {
      t->glue.insert(hashes[0]);
      if (IsAlpha(term.text) && term.text.size() >= 4 &&
          (IsPredicate(term.role) || term.role == AttackRole::kGroupNoun ||
           term.role == AttackRole::kGroupAdj ||
           // "black peple": the person noun that makes a group adjective a reference
           (term.role == AttackRole::kPersonNoun && term.text.size() >= 6))) {
        t->words.push_back(Tables::Word{term.text, term.role, term.severity, term.groups});
      }
      if (IsAlpha(term.text) && term.text.size() == 3 &&
          (term.role == AttackRole::kGroupNoun || term.role == AttackRole::kGroupAdj)) {
        t->short_groups.push_back(term.text);  // "gay": no 4-gram gates its segmentation
      }
      if ((term.role == AttackRole::kGroupNoun || term.role == AttackRole::kGroupAdj ||
           IsPredicate(term.role)) &&
          IsAlpha(term.text)) {
        const bool group =
            term.role == AttackRole::kGroupNoun || term.role == AttackRole::kGroupAdj;
        for (size_t i = 0; i + 4 <= term.text.size(); ++i) {
          uint32_t g = Gram4(term.text, i);
          if (group) t->group_grams[g >> 6] |= 1ull << (g & 63);
          t->pred_grams[g >> 6] |= 1ull << (g & 63);
        }
      }
    }
  }
  // Glue words for segmentation beyond the vocabulary.
  for (std::string_view w :
       {"i",      "we",    "all",  "the",  "to",   "of",   "be",      "are",     "is",
        "a",      "an",    "and",  "so",   "my",   "our",  "just",    "go",      "get",
        "out",    "back",  "up",   "them", "they", "you",  "should",  "must",    "will",
        "im",     "gonna", "want", "on",   "in",   "off",  "like",    "now",     "today",
        "please", "me",    "us",   "here", "home", "asap", "forever", "already", "death"}) {
    t->glue.insert(HashToken(w));
  }
  // Deletion indexes over the single words (distance 1 for all, 2 for words of 8+ letters).
  t->group_filter.assign((1u << 18) / 64, 0);
  t->pred_filter.assign((1u << 18) / 64, 0);
  for (uint32_t wi = 0; wi < t->words.size(); ++wi) {
    const std::string& w = t->words[wi].text;
    const AttackRole role = t->words[wi].role;
    auto& index = role == AttackRole::kGroupNoun || role == AttackRole::kGroupAdj ||
                          role == AttackRole::kPersonNoun
                      ? t->group_deletions
                      : t->pred_deletions;
    if (role == AttackRole::kPraise) continue;  // praise is never fuzzy: it needs a negation
    auto* filter = &index == &t->group_deletions ? &t->group_filter : &t->pred_filter;
    auto add = [&](uint64_t h) {
      auto& v = index[h];
      if (v.empty() || v.back() != wi) v.push_back(wi);
      Tables::AddFilter(filter, h);
    };
    if (w.size() > kMaxFuzzyLen) continue;
    const DeletionHasher dh(w);
    add(dh.Whole());
    for (size_t i = 0; i < w.size(); ++i) {
      add(dh.Without(i));
      if (w.size() >= 8) {
        for (size_t k = i + 1; k < w.size(); ++k) add(dh.Without(i, k));
      }
    }
  }
  for (const auto& e : exceptions) t->exceptions.insert(HashToken(e));

  std::shared_ptr<AttackAnalyzer> a(new AttackAnalyzer());
  a->num_terms_ = terms.size();
  a->num_exceptions_ = exceptions.size();
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(content));
  a->version_ = hex;
  a->content_hash_ = content;
  a->t_ = std::move(t);
  return std::shared_ptr<const AttackAnalyzer>(std::move(a));
}

void AttackAnalyzer::MatchAtoms(const text::NormalizedText& norm, AttackScratch* s) const {
  const size_t n = norm.tokens.size();
  s->hash.resize(n);
  for (size_t i = 0; i < n; ++i) s->hash[i] = HashToken(norm.TokenText(i));
  for (size_t i = 0; i < n; ++i) {
    const auto* list = t_->Find(s->hash[i]);
    if (list == nullptr) continue;
    // For each role, keep the longest phrase that starts here.
    for (const auto& p : *list) {
      bool ok = true;
      for (size_t k = 0; k < p.rest.size(); ++k) {
        if (i + 1 + k >= n || s->hash[i + 1 + k] != p.rest[k]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const uint32_t end = static_cast<uint32_t>(i + 1 + p.rest.size());
      bool replaced = false;
      for (auto it = s->atoms.rbegin(); it != s->atoms.rend() && it->begin == i; ++it) {
        auto& a = *it;
        if (a.role == p.role) {
          if (end > a.end)
            a = {static_cast<uint32_t>(i), end, p.role, p.severity, false, p.object_me, p.groups};
          else if (end == a.end)
            a.groups |= p.groups;
          replaced = true;
          break;
        }
      }
      if (!replaced) {
        s->atoms.push_back(
            {static_cast<uint32_t>(i), end, p.role, p.severity, false, p.object_me, p.groups});
      }
    }
  }
}

void AttackAnalyzer::Fuzzy(const text::NormalizedText& norm, FuzzyMode mode,
                           AttackScratch* s) const {
  const size_t n = norm.tokens.size();
  s->covered.assign(n, 0);
  for (const auto& a : s->atoms) {
    for (uint32_t k = a.begin; k < a.end && k < n; ++k) s->covered[k] = 1;
  }
  const size_t before = s->atoms.size();
  if ((mode.groups || mode.predicates) &&
      (s->memo_owner != content_hash_ || s->fuzzy_memo.size() != kFuzzyMemoSize)) {
    s->fuzzy_memo.assign(kFuzzyMemoSize, {});
    s->memo_owner = content_hash_;
  }
  for (size_t i = 0; i < n; ++i) {
    if (s->covered[i]) continue;
    std::string_view w = norm.TokenText(i);
    if (w.size() < 3 || !IsAlpha(w)) continue;
    // Ordinary English words near a vocabulary word are never fuzzy matches; the (hash set)
    // check is made only once a candidate is found, since most tokens have none.
    auto is_exception = [&] { return t_->exceptions.count(s->hash[i]) != 0; };
    // Segmentation of run-together words that contain a group word (or, when the text names a
    // group elsewhere, a predicate word).
    if (w.size() >= 6 && w.size() <= 48 &&
        (t_->HasGram(w, mode.predicates ? t_->pred_grams : t_->group_grams) ||
         t_->HasShortGroup(w))) {
      // best[k]: fewest pieces covering w[0, k), with back pointers.
      const size_t L = w.size();
      std::vector<int>& best = s->seg_best;
      std::vector<int>& from = s->seg_from;
      best.assign(L + 1, 1 << 20);
      from.assign(L + 1, -1);
      best[0] = 0;
      for (size_t k = 1; k <= L; ++k) {
        for (size_t b = (k > 24 ? k - 24 : 0); b < k; ++b) {
          if (best[b] >= (1 << 20)) continue;
          if (best[b] + 1 < best[k] && t_->glue.count(HashToken(w.substr(b, k - b)))) {
            best[k] = best[b] + 1;
            from[k] = static_cast<int>(b);
          }
        }
      }
      if (best[L] >= 2 && best[L] < (1 << 20) && !is_exception()) {
        // Add the pieces' atoms (all on token i).
        bool has_content = false;
        std::vector<std::pair<size_t, size_t>> pieces;
        for (size_t k = L; k > 0; k = static_cast<size_t>(from[k])) {
          pieces.emplace_back(static_cast<size_t>(from[k]), k);
        }
        std::reverse(pieces.begin(), pieces.end());
        std::vector<AttackScratch::Atom> found;
        for (size_t j = 0; j < pieces.size(); ++j) {
          const auto [b, e] = pieces[j];
          const auto* list = t_->Find(HashToken(w.substr(b, e - b)));
          if (list == nullptr) continue;
          for (const auto& p : *list) {
            // A phrase over consecutive pieces ("deathtowomen": "death to").
            bool phrase = !p.rest.empty() && j + p.rest.size() < pieces.size();
            for (size_t q = 0; phrase && q < p.rest.size(); ++q) {
              const auto [qb, qe] = pieces[j + 1 + q];
              phrase = HashToken(w.substr(qb, qe - qb)) == p.rest[q];
            }
            if (!p.rest.empty() && !phrase) continue;
            has_content |= p.role == AttackRole::kGroupNoun || p.role == AttackRole::kGroupAdj ||
                           IsPredicate(p.role);
            found.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1), p.role,
                             p.severity, true, p.object_me, p.groups});
          }
        }
        if (has_content) {
          // A segmented token becomes one reference and its predicates, in order: the
          // composition treats the whole token as the span of both.
          s->atoms.insert(s->atoms.end(), found.begin(), found.end());
          s->covered[i] = 1;
          continue;
        }
      }
    }
    if (!mode.groups && !mode.predicates) continue;
    // The memo first: the answer depends only on the token and the side.
    const uint64_t memo_key = ((s->hash[i] << 1) | (mode.groups ? 1u : 0u)) + 1;
    AttackScratch::FuzzyMemo& memo = s->fuzzy_memo[memo_key & (kFuzzyMemoSize - 1)];
    if (memo.key == memo_key) {
      if (memo.word >= 0) {
        const auto& word = t_->words[static_cast<size_t>(memo.word)];
        s->atoms.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1), word.role,
                            word.severity, true, false, word.groups});
      }
      continue;
    }
    memo.key = memo_key;
    memo.word = -1;
    // Edit-distance candidates via the deletion index of the side the text lacks.
    const auto& index = mode.groups ? t_->group_deletions : t_->pred_deletions;
    const auto& filter = mode.groups ? t_->group_filter : t_->pred_filter;
    const int cap = w.size() >= 8 ? 2 : 1;
    int best_d = cap + 1;
    int best_w = -1;
    auto probe = [&](uint64_t h) {
      if (!Tables::InFilter(filter, h)) return;
      auto it = index.find(h);
      if (it == index.end()) return;
      for (uint32_t wi : it->second) {
        const std::string& cand = t_->words[wi].text;
        const int allowed = std::min<int>(cap, cand.size() >= 8 ? 2 : 1);
        if (cand.size() < 4) continue;
        if (cand[0] != w[0] && allowed < 2) continue;  // short words keep their first letter
        int d2 = OsaDistance(w, cand, allowed);
        if (d2 <= allowed && d2 < best_d) {
          best_d = d2;
          best_w = static_cast<int>(wi);
        }
      }
    };
    if (w.size() > kMaxFuzzyLen) continue;
    const DeletionHasher dh(w);
    probe(dh.Whole());
    for (size_t k = 0; k < w.size(); ++k) {
      probe(dh.Without(k));
      if (cap >= 2) {
        for (size_t m = k + 1; m < w.size(); ++m) probe(dh.Without(k, m));
      }
    }
    if (best_w >= 0 && best_d > 0 && !is_exception()) {
      memo.word = best_w;
      const auto& word = t_->words[static_cast<size_t>(best_w)];
      s->atoms.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1), word.role,
                          word.severity, true, false, word.groups});
    }
  }
  if (s->atoms.size() != before) {
    std::stable_sort(s->atoms.begin(), s->atoms.end(),
                     [](const auto& a, const auto& b) { return a.begin < b.begin; });
  }
}

void AttackAnalyzer::Analyze(std::string_view original, const text::NormalizedText& norm,
                             const std::vector<ExternalRef>& refs, AttackScratch* s) const {
  s->atoms.clear();
  s->truncated = false;
  s->findings.clear();
  if (norm.tokens.empty()) return;
  MatchAtoms(norm, s);
  for (const ExternalRef& r : refs) {
    if (r.token_end <= r.token_begin || r.groups == 0) continue;
    s->atoms.push_back(
        {r.token_begin, r.token_end, AttackRole::kGroupNoun, 0, false, false, r.groups});
  }
  // Fuzzy matching looks for the side of an attack the text lacks: group words when it holds
  // a predicate (praise does not count: it needs a negation too), predicates when it names a
  // group. Segmentation of run-together words always runs (gated by 4-grams of group words,
  // and of predicates when a group is named).
  // A group adjective alone ("black" in "black peple") is not yet a reference: its noun may be
  // the disguised word.
  bool has_group = false, has_pred = false;
  for (const auto& a : s->atoms) {
    has_group |= a.role == AttackRole::kGroupNoun || a.role == AttackRole::kGroupEmoji;
    has_pred |= IsPredicate(a.role) && a.role != AttackRole::kPraise;
  }
  FuzzyMode mode;
  mode.groups = has_pred && !has_group;
  mode.predicates = has_group && !has_pred;
  Fuzzy(norm, mode, s);
  bool any_ref = false, any_pred = false, any_negator = false, any_praise = false;
  for (const auto& a : s->atoms) {
    any_ref |= IsGroupish(a.role);
    any_pred |= IsPredicate(a.role) && a.role != AttackRole::kPraise;
    any_praise |= a.role == AttackRole::kPraise;
    any_negator |= a.role == AttackRole::kNegator;
  }
  any_pred |= any_praise && any_negator;  // praise is an attack only when negated
  if (any_ref && !any_pred) {
    // Forms with no predicate word: a rhetorical "why should we tolerate X?" (praise, denied
    // by the question), "until there are no X left" (a negator and "left") and "ban X from
    // voting" (a verb of prevention and "from").
    for (size_t k = 0; k < norm.tokens.size() && !any_pred; ++k) {
      const std::string_view t = norm.TokenText(k);
      any_pred = (any_praise && t == "why") || (any_negator && (t == "left" || t == "remaining")) ||
                 t == "from";
    }
  }
  if (!any_ref || !any_pred) return;
  if (s->atoms.size() > kMaxAtoms) {
    // Bounded work on hostile input: compose over the first kMaxAtoms atoms only.
    std::stable_sort(s->atoms.begin(), s->atoms.end(),
                     [](const auto& a, const auto& b) { return a.begin < b.begin; });
    s->atoms.resize(kMaxAtoms);
    s->truncated = true;
  }
  std::stable_sort(s->atoms.begin(), s->atoms.end(),
                   [](const auto& a, const auto& b) { return a.begin < b.begin; });
  Compose(original, norm, s);
}

namespace {

struct Ref {
  uint32_t begin, end;
  AttackTarget target;
  uint32_t groups;
  bool fuzzy;
  uint32_t sentence;
};

}  // namespace

namespace {

// Predicates that name an act done to or by someone (see the passive rule in Compose).
bool IsActRole(AttackRole r) {
  return r == AttackRole::kStereotype || r == AttackRole::kViolence ||
         r == AttackRole::kExclusion || r == AttackRole::kElimination;
}

// A past participle: regular "-ed", or one of the irregular forms the act vocabulary uses.
bool IsParticiple(std::string_view w) {
  if (w.size() > 3 && w.ends_with("ed")) return true;
  for (std::string_view x : {"shot", "beaten", "slain", "hung", "burnt", "stolen", "taken",
                             "driven", "thrown", "cut", "slit", "blown", "struck", "bitten"}) {
    if (w == x) return true;
  }
  return false;
}

// Forms of "be" and "get" that make a participle passive.
bool IsPassiveAuxiliary(std::string_view w) {
  for (std::string_view x : {"is", "are", "was", "were", "be", "been", "being", "get", "gets",
                             "got", "getting", "gotten"}) {
    if (w == x) return true;
  }
  return false;
}

// What follows a participle used as a reduced passive ("X killed in ...", "X deported by ...").
bool IsPassiveContinuation(std::string_view w) {
  for (std::string_view x : {"in", "by", "at", "from", "during", "on", "after", "while", "for",
                             "to", "into", "under", "and", "or", "as", "since", "before"}) {
    if (w == x) return true;
  }
  return false;
}

// "nothing makes me sick quite like X", "nothing disgusts me more than X": between a
// speaker-object hate phrase and a reference after it, a comparison ("like", "than") over
// degree words only. The reference is what is compared, and "nothing" does not negate it.
bool ComparedAfter(const text::NormalizedText& norm, uint32_t from, uint32_t to) {
  if (to <= from || to - from > 4) return false;
  bool compared = false;
  for (uint32_t k = from; k < to; ++k) {
    const std::string_view g = norm.TokenText(k);
    if (g == "like" || g == "than") {
      compared = true;
    } else if (g != "quite" && g != "more" && g != "so" && g != "much" && g != "as" && g != "the" &&
               g != "those" && g != "all") {
      return false;
    }
  }
  return compared;
}

// A reference that is the object of a preposition after a noun of hostility ("hate against
// X", "violence towards X", "discrimination of X"): the sentence is about the hostility.
bool TopicObject(const text::NormalizedText& norm, uint32_t ref_begin) {
  if (ref_begin < 2) return false;
  const std::string_view prep = norm.TokenText(ref_begin - 1);
  if (prep != "against" && prep != "towards" && prep != "toward" && prep != "of" && prep != "on") {
    return false;
  }
  static constexpr std::string_view kHostility[] = {
      "hate",      "hatred",    "violence", "discrimination", "bigotry",    "racism",
      "prejudice", "attacks",   "crimes",   "abuse",          "harassment", "slurs",
      "bias",      "hostility", "contempt", "propaganda",     "persecution"};
  const std::string_view noun = norm.TokenText(ref_begin - 2);
  for (std::string_view h : kHostility) {
    if (noun == h) return true;
  }
  return false;
}

// Verbs of acceptance, which a rhetorical "why should we ...?" denies.
bool IsAcceptanceVerb(std::string_view w) {
  static constexpr std::string_view kVerbs[] = {
      "tolerate", "accept", "trust",   "welcome", "respect", "allow",    "allowed",   "let",
      "hire",     "help",   "believe", "listen",  "trusted", "accepted", "tolerated", "welcomed"};
  for (std::string_view v : kVerbs) {
    if (w == v) return true;
  }
  return false;
}

// "none of the X", "not one of the X", "not a single one of these X": the quantifier
// negates what is said of X, as "no X" does.
bool NoneOfThe(const text::NormalizedText& norm, const std::vector<uint32_t>& sentence,
               uint32_t ref_begin) {
  uint32_t k = ref_begin;
  int skipped = 0;
  while (k > 0 && skipped < 2 && sentence[k - 1] == sentence[ref_begin]) {
    const std::string_view g = norm.TokenText(k - 1);
    if (g != "the" && g != "these" && g != "those" && g != "of" && g != "my" && g != "our") break;
    --k;
    ++skipped;
  }
  if (skipped == 0 || k == 0 || sentence[k - 1] != sentence[ref_begin]) return false;
  const std::string_view q = norm.TokenText(k - 1);
  if (q == "none") return true;
  if (q != "one") return false;
  for (uint32_t j = k - 1; j > 0 && j + 4 > k && sentence[j - 1] == sentence[ref_begin]; --j) {
    const std::string_view g = norm.TokenText(j - 1);
    if (g == "not" || g == "no" || g == "never") return true;
    if (g != "single" && g != "a") break;
  }
  return false;
}

// A finding made by a construction rather than by a predicate word ("no X left", "ban X from
// voting"): the reference's target, the token ranges given. Elimination is also a threat.
AttackFinding ConstructionFinding(AttackKind kind, const Ref& r, int severity, uint32_t ref_begin,
                                  uint32_t pred_begin, uint32_t pred_end) {
  AttackFinding f;
  f.kind = kind;
  f.target = r.target;
  f.groups = r.groups;
  f.fuzzy = r.fuzzy;
  f.severity = severity;
  f.threat = kind == AttackKind::kElimination;
  f.ref_begin = ref_begin;
  f.ref_end = r.end;
  f.pred_begin = pred_begin;
  f.pred_end = pred_end;
  return f;
}

// Filth words that, right after a noun, make a compound ("X shit" = "X stuff").
bool IsCompoundFiller(std::string_view w) { return w == "shit" || w == "crap"; }

}  // namespace

void AttackAnalyzer::Compose(std::string_view original, const text::NormalizedText& norm,
                             AttackScratch* s) const {
  using A = AttackScratch::Atom;
  const size_t n = norm.tokens.size();
  SentenceIds(original, norm, &s->sentence);
  const auto& atoms = s->atoms;

  // Per-token role bits (any atom starting at the token).
  std::vector<uint32_t>& starts = s->starts;
  std::vector<uint32_t>& covers = s->covers;
  starts.assign(n + 1, 0);
  covers.assign(n + 1, 0);
  for (const A& a : atoms) {
    starts[a.begin] |= Bit(a.role);
    for (uint32_t k = a.begin; k < a.end && k < n; ++k) covers[k] |= Bit(a.role);
  }
  auto starts_with = [&](uint32_t k, AttackRole r) { return k < n && (starts[k] & Bit(r)); };
  // A negator that opens a longer copula or cue phrase ("nothing but", "no better than") or
  // lies inside one is not a negation; an endorsement inside a condemnation is neither.
  for (const A& a : atoms) {
    if (a.role != AttackRole::kCopula && a.role != AttackRole::kCondemn) continue;
    if (a.end <= a.begin + 1) continue;
    for (uint32_t k = a.begin; k < a.end && k < n; ++k) {
      starts[k] &= ~(Bit(AttackRole::kNegator) | Bit(AttackRole::kEndorse));
    }
  }

  // 1. References, in text order. Pronouns resolve to the latest explicit reference (a
  // protected group or a non-protected human group) within the three sentences before.
  std::vector<Ref> refs;
  std::vector<const A*> unresolved;  // group pronouns with no antecedent before them
  struct Antecedent {
    bool valid = false;
    AttackTarget target = AttackTarget::kOther;
    uint32_t groups = 0;
    uint32_t sentence = 0;
  } last;
  for (const A& a : atoms) {
    const uint32_t sent = s->sentence[std::min<size_t>(a.begin, n - 1)];
    switch (a.role) {
      case AttackRole::kGroupNoun:
      case AttackRole::kGroupEmoji: {
        refs.push_back({a.begin, a.end, AttackTarget::kGroup, a.groups, a.fuzzy, sent});
        last = {true, AttackTarget::kGroup, a.groups, sent};
        break;
      }
      case AttackRole::kGroupAdj: {
        // An adjective names the group before a person noun, a predicate noun ("jewish rats"),
        // or at the end of a clause after a determiner ("the disabled").
        uint32_t k = a.end;
        bool person =
            starts_with(k, AttackRole::kPersonNoun) || starts_with(k, AttackRole::kDehum) ||
            starts_with(k, AttackRole::kNegAttr) || starts_with(k, AttackRole::kStereotype) ||
            starts_with(k, AttackRole::kProfanity) || starts_with(k, AttackRole::kHumanNoun);
        bool segmented = a.fuzzy && a.end == a.begin + 1 && (covers[a.begin] & ~Bit(a.role));
        // Most group adjectives are nouns too after a determiner ("no muslim", "every jew",
        // "the disabled"); colour and sense words are not ("a black car", "the blind spot").
        bool as_noun = false;
        if (a.begin > 0) {
          std::string_view det = norm.TokenText(a.begin - 1);
          std::string_view adj = norm.TokenText(a.begin);
          as_noun = (det == "no" || det == "every" || det == "any" || det == "a" || det == "an" ||
                     det == "each" || det == "one" || det == "the" || det == "all" ||
                     det == "some" || det == "most" || det == "many" || det == "those" ||
                     det == "these" || det == "single") &&
                    adj != "black" && adj != "white" && adj != "native" && adj != "foreign" &&
                    adj != "blind" && adj != "deaf" && adj != "female" && adj != "male" &&
                    adj != "african" && adj != "indian" && adj != "arabic" && adj != "islamic";
        }
        if (as_noun && a.end < n) {
          // ... and only when what follows is not another noun ("the gay couple").
          std::string_view next = norm.TokenText(a.end);
          static constexpr std::string_view kAux[] = {
              "can",  "could", "will", "would",    "should", "must",  "may",  "might",
              "is",   "are",   "was",  "were",     "has",    "have",  "had",  "does",
              "do",   "did",   "ever", "deserves", "needs",  "shall", "s",    "who",
              "that", "in",    "on",   "at",       "from",   "here",  "there"};
          bool aux = false;
          for (std::string_view x : kAux) aux |= next == x;
          const uint32_t gap_b = norm.tokens[a.end - 1].orig_end;
          const uint32_t gap_e = std::min<uint32_t>(norm.tokens[a.end].orig_begin,
                                                    static_cast<uint32_t>(original.size()));
          bool punct = false;
          for (uint32_t q = gap_b; q < gap_e; ++q) punct |= original[q] != ' ';
          as_noun = aux || punct ||
                    (starts[a.end] & (Bit(AttackRole::kModal) | Bit(AttackRole::kNegator) |
                                      Bit(AttackRole::kCopula)));
        }
        if (!person && !segmented && !as_noun) break;
        uint32_t end = a.end;
        if (starts_with(k, AttackRole::kPersonNoun)) {
          for (const A& b : atoms) {
            if (b.begin == k && b.role == AttackRole::kPersonNoun) end = std::max(end, b.end);
          }
        }
        refs.push_back({a.begin, end, AttackTarget::kGroup, a.groups, a.fuzzy, sent});
        last = {true, AttackTarget::kGroup, a.groups, sent};
        break;
      }
      case AttackRole::kHumanNoun: {
        if (covers[a.begin] & (Bit(AttackRole::kGroupNoun) | Bit(AttackRole::kGroupAdj))) break;
        if (!refs.empty() && a.begin < refs.back().end) break;  // "muslim neighbours"
        refs.push_back({a.begin, a.end, AttackTarget::kOther, 0, false, sent});
        last = {true, AttackTarget::kOther, 0, sent};
        break;
      }
      case AttackRole::kPronounGroup: {
        if (!last.valid || sent > last.sentence + 3) {
          unresolved.push_back(&a);  // may name a group that comes after it (below)
          break;
        }
        refs.push_back({a.begin, a.end, last.target, last.groups, false, sent});
        break;
      }
      case AttackRole::kDehum: {
        // A demonstrative epithet refers back like a pronoun and says what it calls them:
        // "Loads of X at the mall. Those animals ..." is dehumanisation of X.
        if (!last.valid || sent > last.sentence + 3 || a.begin == 0) break;
        const std::string_view det = norm.TokenText(a.begin - 1);
        if (det != "those" && det != "these") break;
        if (s->sentence[a.begin - 1] != sent) break;
        refs.push_back({a.begin - 1, a.begin, last.target, last.groups, false, sent});
        break;
      }
      case AttackRole::kPronounYou: {
        refs.push_back({a.begin, a.end, AttackTarget::kAddressee, 0, false, sent});
        break;
      }
      default:
        break;
    }
  }
  // A pronoun with nothing to refer back to may point ahead, to a group named in an
  // afterthought of its own ("Round them up and get rid of them. All X."): a sentence that is
  // only the reference and at most two words before it.
  const size_t explicit_refs = refs.size();
  for (const A* a : unresolved) {
    const uint32_t sent = s->sentence[std::min<size_t>(a->begin, n - 1)];
    for (size_t i = 0; i < explicit_refs; ++i) {
      const Ref r = refs[i];
      if (r.begin < a->end || r.target != AttackTarget::kGroup) continue;
      if (r.sentence > sent + 1) break;
      uint32_t sb = r.begin, se = r.end;
      while (sb > 0 && s->sentence[sb - 1] == r.sentence) --sb;
      while (se < n && s->sentence[se] == r.sentence) ++se;
      if (r.sentence != sent && r.begin - sb <= 2 && se == r.end) {
        refs.push_back({a->begin, a->end, r.target, r.groups, false, sent});
      }
      break;
    }
  }
  if (refs.empty()) return;
  std::stable_sort(refs.begin(), refs.end(),
                   [](const Ref& x, const Ref& y) { return x.begin < y.begin; });

  auto has_between = [&](uint32_t from, uint32_t to, uint32_t role_bits) {
    for (uint32_t k = from; k < to && k < n; ++k) {
      if (starts[k] & role_bits) return true;
    }
    return false;
  };
  auto negated_before = [&](uint32_t from, uint32_t pos) {
    // A negator in [max(from, pos - 3), pos), same sentence.
    uint32_t lo = pos > 3 ? pos - 3 : 0;
    lo = std::max(lo, from);
    for (uint32_t k = lo; k < pos && k < n; ++k) {
      if (!(starts[k] & Bit(AttackRole::kNegator)) || s->sentence[k] != s->sentence[pos]) continue;
      // A negative question ("don't you just hate X?", "why don't we deport them") asks for
      // agreement: it negates nothing.
      uint32_t next = k + 1;
      if (next < n && norm.TokenText(next) == "t") ++next;
      const std::string_view after = next < n ? norm.TokenText(next) : "";
      if (after == "you" || after == "u" || after == "we") continue;
      return true;
    }
    return false;
  };
  auto sentence_start = [&](uint32_t k) {
    uint32_t b = k;
    while (b > 0 && s->sentence[b - 1] == s->sentence[k]) --b;
    return b;
  };
  const uint32_t kRefBits = Bit(AttackRole::kGroupNoun) | Bit(AttackRole::kPronounGroup) |
                            Bit(AttackRole::kPronounYou) | Bit(AttackRole::kPersonNoun) |
                            Bit(AttackRole::kHumanNoun);

  // 2. Attach every predicate to a reference.
  for (const A& p : atoms) {
    if (!IsPredicate(p.role)) continue;
    const uint32_t psent = s->sentence[std::min<size_t>(p.begin, n - 1)];
    // A predicate word that is itself part of a reference ("black" in "black people") is not
    // a predicate.
    if (covers[p.begin] & (Bit(AttackRole::kGroupNoun) | Bit(AttackRole::kPersonNoun)) &&
        p.role != AttackRole::kProfanity && !p.fuzzy) {
      bool inside_ref = false;
      for (const Ref& r : refs) inside_ref |= p.begin >= r.begin && p.end <= r.end;
      if (inside_ref) continue;
    }
    const Ref* best = nullptr;
    int best_dist = 1 << 20;
    bool best_before = false;  // reference before the predicate
    for (const Ref& r : refs) {
      if (r.sentence != psent) continue;
      const bool same_token = r.begin == p.begin && r.end == p.end && p.fuzzy && r.fuzzy;
      int dist;
      bool before;
      if (same_token) {
        // A segmented token ("ihatewomen"): its pieces are in order and attach to each other.
        if (best_dist > 0) {
          best = &r;
          best_dist = 0;
          best_before = true;
        }
        continue;
      } else if (r.end <= p.begin) {
        dist = static_cast<int>(p.begin - r.end);
        before = true;
      } else if (p.end <= r.begin) {
        dist = static_cast<int>(r.begin - p.end);
        before = false;
      } else if (r.begin > p.begin && r.end <= p.end && p.end > p.begin + 1) {
        // The object inside a particle verb's phrase ("lock them up", "kick them out").
        dist = 0;
        before = false;
      } else {
        continue;  // overlapping
      }
      int max_after = 6, max_before = 4;  // reference before / after the predicate
      switch (p.role) {
        case AttackRole::kHateVerb:
          if (norm.TokenText(p.begin) == "feel") {
            max_after = 6;  // "when i see X i feel hatred", "i feel hatred for X"
            max_before = 4;
          } else {
            max_after = p.object_me ? 4 : -1;
            max_before = p.object_me ? (ComparedAfter(norm, p.end, r.begin) ? 4 : -1) : 4;
          }
          break;
        case AttackRole::kNegAttr:
        case AttackRole::kStereotype:
        case AttackRole::kDehum:
          max_after = 6;
          max_before = 1;  // attributive: "filthy X", "filthy dirty X"
          break;
        case AttackRole::kProfanity:
          max_after = 3;
          max_before = 3;
          break;
        default:
          max_after = 6;
          max_before = 4;
      }
      if (before ? dist > max_after : dist > max_before) continue;
      // "get rid of X", "be free of X": a phrase ending in "of" takes its object after it, so
      // "X want to get rid of the stereotype" says nothing of X ("get out of" takes either).
      if (before && (p.role == AttackRole::kElimination || p.role == AttackRole::kExclusion) &&
          p.end >= p.begin + 2 && norm.TokenText(p.end - 1) == "of" &&
          norm.TokenText(p.end - 2) != "out") {
        continue;
      }
      // "hate against X has no place here": X is the object of a preposition after a noun of
      // hostility, and what follows is said of that noun, not of X.
      if (before && TopicObject(norm, r.begin)) continue;
      // "hate against X" as the topic of a sentence ("Hate against X has no place here", "we
      // fight hate towards X") names the hostility, it does not express it; "i have nothing but
      // hate towards X" does.
      if (!before && p.role == AttackRole::kHateVerb && p.end + 1 == r.begin) {
        const std::string_view prep = norm.TokenText(p.end);
        if (prep == "against" || prep == "towards" || prep == "toward") {
          const std::string_view pre = p.begin > 0 && s->sentence[p.begin - 1] == psent
                                           ? norm.TokenText(p.begin - 1)
                                           : std::string_view();
          if (pre.empty() || pre == "the" || pre == "this" || pre == "that" || pre == "any" ||
              pre == "all" || pre == "no" || pre == "of" || pre == "against" || pre == "and" ||
              pre == "stop" || pre == "end" || pre == "on" || pre == "about" || pre == "fight" ||
              pre == "fighting" || pre == "combat" || pre == "oppose" || pre == "report" ||
              pre == "rising" || pre == "online") {
            continue;
          }
        }
      }
      if (!before && dist > 0) {
        // A verb before its object reaches it only over determiners and quantifiers ("kill all
        // the X"), not over another noun ("kill the lights when you leave").
        bool direct = true;
        for (uint32_t k = p.end; k < r.begin && direct; ++k) {
          std::string_view g = norm.TokenText(k);
          direct = g == "all" || g == "the" || g == "those" || g == "these" || g == "every" ||
                   g == "of" || g == "some" || g == "any" || g == "single" || g == "last" ||
                   g == "one" || g == "a" || g == "an" || g == "more" || g == "them" ||
                   g == "most" || g == "many" || g == "few" || g == "such" || g == "like" ||
                   g == "at" || g == "on" || g == "to" || g == "for" || g == "with" ||
                   g == "about" || g == "towards" || g == "toward" || g == "against" || g == "up" ||
                   g == "out" || g == "down" || g == "off" || g == "over" || g == "more" ||
                   g == "than" || g == "even" || g == "really" || g == "so" || g == "just" ||
                   g == "much" || g == "throat" || g == "throats" || g == "head" || g == "heads" ||
                   g == "face" || g == "faces" || g == "neck" || g == "necks" || g == "every" ||
                   g == "each" || g == "quite" || g == "homes" || g == "houses" || g == "home" ||
                   g == "house" || g == "shops" || g == "businesses" || g == "families" ||
                   g == "kids" || g == "children" ||
                   (covers[k] & (Bit(AttackRole::kCopula) | Bit(AttackRole::kNegAttr) |
                                 Bit(AttackRole::kProfanity)));
        }
        if (!direct) continue;
      }
      // The predicate's object is the nearest noun phrase: a person noun or another reference
      // in between takes the predicate ("i hate people who say X ...").
      if (!same_token && !before && has_between(p.end, r.begin, kRefBits)) continue;
      if (!same_token && before && has_between(r.end, p.begin, kRefBits)) continue;
      // Attributes and comparisons prefer their subject ("X are parasites, they ...").
      const int rank =
          dist + (!before && (p.role == AttackRole::kDehum || p.role == AttackRole::kNegAttr ||
                              p.role == AttackRole::kStereotype)
                      ? 2
                      : 0);
      if (rank < best_dist) {
        best = &r;
        best_dist = rank;
        best_before = before;
      }
    }
    if (best == nullptr) continue;
    const Ref& r = *best;
    best_dist = best_before ? static_cast<int>(p.begin >= r.end ? p.begin - r.end : 0)
                            : static_cast<int>(r.begin - p.end);

    // Only the first predicate after a reference attaches to it ("saying X are animals is
    // disgusting": "disgusting" is about the saying, not X), unless joined by "and"/"or".
    if (best_before && p.role != AttackRole::kPraise) {
      bool other = false;
      for (const A& q : atoms) {
        if (q.begin >= r.end && q.begin < p.begin && IsPredicate(q.role) &&
            q.role != AttackRole::kPraise && q.end <= p.begin) {
          other = true;
          break;
        }
      }
      if (other) {
        std::string_view prev = p.begin > 0 ? norm.TokenText(p.begin - 1) : "";
        if (prev != "and" && prev != "or" && prev != "but" &&
            !(p.begin > 0 && covers[p.begin - 1] & Bit(AttackRole::kCopula))) {
          continue;
        }
      }
    }

    // Negation: a negator shortly before the predicate (after the reference when the
    // reference comes first), or "no X" / "not a single X" right before the reference.
    const uint32_t neg_from = best_before ? r.end : sentence_start(p.begin);
    bool negated = negated_before(neg_from, p.begin) ||
                   (best_before && p.role != AttackRole::kPraise &&
                    has_between(r.end, p.begin, Bit(AttackRole::kNegator)));
    if (!negated && best_before && r.begin > 0 && starts_with(r.begin - 1, AttackRole::kNegator) &&
        s->sentence[r.begin - 1] == psent) {
      std::string_view prev = norm.TokenText(r.begin - 1);
      negated =
          prev == "no" || prev == "none" || prev == "not" || prev == "nobody" || prev == "never";
    }
    if (!negated && best_before) negated = NoneOfThe(norm, s->sentence, r.begin);
    // A particle after the reference ("kicking X out", "sending X back") belongs to a verb
    // before it; a negator shortly before that verb negates it ("we will not be kicking X out").
    if (!negated && best_before && best_dist == 0 &&
        (p.role == AttackRole::kExclusion || p.role == AttackRole::kElimination)) {
      const std::string_view particle = norm.TokenText(p.begin);
      if (particle == "out" || particle == "back" || particle == "away" || particle == "off") {
        negated = negated_before(sentence_start(r.begin), r.begin);
      }
    }
    if (!negated && best_before) {
      // A negated belief or report governs its clause ("i never thought X were ...").
      for (uint32_t k = sentence_start(r.begin); k < r.begin && !negated; ++k) {
        if (!(starts[k] & Bit(AttackRole::kReport))) continue;
        negated = (k > 0 && (starts[k - 1] & Bit(AttackRole::kNegator))) ||
                  (k > 1 && (starts[k - 2] & Bit(AttackRole::kNegator)));
      }
    }
    if (!negated && !best_before && r.begin > 0) {
      // "nothing decent about X", "not a good X"
      negated = negated_before(sentence_start(p.begin), p.begin);
    }
    if (!negated && best_before && p.role == AttackRole::kPraise) {
      // "X are never any good", "X can't be trusted": negator between reference and praise.
      negated = has_between(r.end, p.begin, Bit(AttackRole::kNegator));
    }
    if (!negated && p.role == AttackRole::kPraise) {
      // The object denied: "X contribute absolutely nothing", "X have zero ...".
      uint32_t k = p.end;
      while (k < n && (norm.TokenText(k) == "absolutely" || norm.TokenText(k) == "literally")) ++k;
      const std::string_view praise = norm.TokenText(p.begin);
      negated = praise != "equal" && praise != "equals" && k < n && s->sentence[k] == psent &&
                (norm.TokenText(k) == "nothing" || norm.TokenText(k) == "zero");
      // A negated verb governing the reference: "you won't find an X with any decency", "i've
      // never met an X who was honest".
      if (!negated && best_before && r.end < n &&
          (norm.TokenText(r.end) == "with" || norm.TokenText(r.end) == "who" ||
           norm.TokenText(r.end) == "that")) {
        negated = negated_before(sentence_start(r.begin), r.begin > 0 ? r.begin - 1 : 0) ||
                  negated_before(sentence_start(r.begin), r.begin);
      }
    }
    // "nothing makes me sick quite like X": a comparison, not a negation.
    if (negated && !best_before && p.role == AttackRole::kHateVerb &&
        ComparedAfter(norm, p.end, r.begin)) {
      negated = false;
    }
    // A rhetorical "why should" question denies what it asks about ("why should we tolerate
    // X?", "why would anyone trust X?").
    if (!negated && p.role == AttackRole::kPraise && IsAcceptanceVerb(norm.TokenText(p.begin))) {
      const uint32_t sb = sentence_start(p.begin);
      if (norm.TokenText(sb) == "why") {
        for (uint32_t k = sb + 1; k < sb + 3 && k < p.begin && !negated; ++k) {
          const std::string_view m = norm.TokenText(k);
          negated = m == "should" || m == "would" || m == "must";
        }
      }
    }
    // "Has anyone ever met an X who wasn't a liar?", "name one X who isn't ...": the double
    // negative says every X is.
    if (negated && best_before && p.role != AttackRole::kPraise && r.end < n &&
        (norm.TokenText(r.end) == "who" || norm.TokenText(r.end) == "that")) {
      const uint32_t sb = sentence_start(r.begin);
      bool rhetorical = false;
      for (uint32_t k = sb; k < r.begin && !rhetorical; ++k)
        rhetorical = norm.TokenText(k) == "ever";
      const std::string_view first = norm.TokenText(sb);
      rhetorical |= first == "name" || first == "show" || first == "find";
      if (rhetorical) negated = false;
    }

    // The group as the one acted on: "X were deported", "X who were killed", "X are being
    // shot", "a woman raped in ..." report what was done to the group, not what it does or
    // should suffer. Only for acts (crimes, violence, exclusion, elimination) in a participle
    // form, and never under a modal or desire frame ("X should be shot" stays a threat).
    if (best_before && IsActRole(p.role) && IsParticiple(norm.TokenText(p.begin)) &&
        !has_between(sentence_start(p.begin), p.begin, Bit(AttackRole::kModal))) {
      bool passive = false;
      for (uint32_t k = r.end; k < p.begin && !passive; ++k) {
        passive = IsPassiveAuxiliary(norm.TokenText(k));
      }
      if (!passive && best_dist == 0) {
        // Reduced passive: "X killed in the war", "X deported from ...", or the sentence ends.
        std::string_view next =
            p.end < n && s->sentence[p.end] == psent ? norm.TokenText(p.end) : std::string_view();
        passive = next.empty() || IsPassiveContinuation(next);
      }
      if (passive) continue;
    }
    // "X shit" is slang for "X stuff" ("gay shit", "redneck shit"): a compound noun, not a
    // predicate of X. "X are shit" keeps it.
    if (best_before && best_dist == 0 &&
        (p.role == AttackRole::kDehum || p.role == AttackRole::kProfanity) &&
        IsCompoundFiller(norm.TokenText(p.begin))) {
      continue;
    }

    AttackFinding f;
    f.target = r.target;
    f.groups = r.groups;
    f.fuzzy = p.fuzzy || r.fuzzy;
    f.severity = p.severity;
    f.ref_begin = r.begin;
    f.ref_end = r.end;
    f.pred_begin = p.begin;
    f.pred_end = p.end;
    bool framed = false;  // first-person, desire, normative or imperative frame
    {
      const uint32_t sb = sentence_start(p.begin);
      framed = has_between(sb, p.begin, Bit(AttackRole::kModal));
      if (!framed) {
        // Imperative: the predicate opens its sentence (after at most two filler tokens).
        uint32_t k = sb;
        int skipped = 0;
        while (k < p.begin && skipped < 2 &&
               !(starts[k] & (kRefBits | Bit(AttackRole::kGroupAdj)))) {
          ++k;
          ++skipped;
        }
        std::string_view pw = norm.TokenText(p.begin);
        const bool nounish = pw.ends_with("tion") || pw.ends_with("sion") || pw.ends_with("cide") ||
                             pw.ends_with("caust") || pw.ends_with("ment") || pw.ends_with("ing") ||
                             pw.ends_with("ed");
        framed = k == p.begin && !best_before && !nounish;
      }
      if (!framed && p.fuzzy && r.fuzzy && p.begin == r.begin) {
        framed = true;  // a run-together sentence ("killallx", "xshoulddie") is a slogan
      }
      if (!framed && best_before && best_dist == 0 && p.role == AttackRole::kExclusion) {
        framed = true;  // "X out!"
      }
      if (!framed && (norm.TokenText(p.begin).starts_with("u1f") ||
                      norm.TokenText(p.begin).starts_with("u26") ||
                      norm.TokenText(p.begin).starts_with("u2620"))) {
        framed = best_dist <= 3;
      }
    }
    switch (p.role) {
      case AttackRole::kHateVerb: {
        f.kind = AttackKind::kHatred;
        // "he hates X", "they despised X": someone else's hatred, reported, unless the speaker
        // is the subject ("i hated X").
        // A run-together slogan ("ihatex") is one token: its last letters are the group's,
        // not the verb's.
        std::string_view verb = norm.TokenText(p.begin);
        const bool run_together = p.fuzzy && r.fuzzy && p.begin == r.begin;
        if (!p.object_me && !run_together && (verb.ends_with("s") || verb.ends_with("ed"))) {
          bool own = false;
          for (uint32_t k = p.begin > 3 ? p.begin - 3 : 0; k < p.begin; ++k) {
            std::string_view t = norm.TokenText(k);
            own |= t == "i" || t == "we" || t == "im";
          }
          if (!own) f.context |= kCtxReported;
        } else if (!p.object_me && !run_together && p.begin > 0) {
          // "do you hate X?", "they hate X": the hatred of the addressee or of others, said of
          // them. The subject is the nearest word before the verb past auxiliaries and
          // adverbs. A negative question ("don't you just hate X?") is the speaker's own.
          const uint32_t sb = sentence_start(p.begin);
          uint32_t k = p.begin;
          auto skippable = [](std::string_view t) {
            return t == "do" || t == "does" || t == "did" || t == "really" || t == "just" ||
                   t == "also" || t == "still" || t == "all" || t == "so" || t == "actually" ||
                   t == "secretly" || t == "truly" || t == "clearly" || t == "obviously" ||
                   t == "openly" || t == "both" || t == "must" || t == "seem" || t == "to";
          };
          while (k > sb && skippable(norm.TokenText(k - 1))) --k;
          std::string_view subject = k > sb ? norm.TokenText(k - 1) : "";
          const bool other = subject == "you" || subject == "u" || subject == "ya" ||
                             subject == "they" || subject == "he" || subject == "she";
          bool rhetorical = false;
          for (uint32_t q = sb; q < k && !rhetorical; ++q) {
            rhetorical = starts_with(q, AttackRole::kNegator);
          }
          if (other && !rhetorical) f.context |= kCtxReported;
        }
        break;
      }
      case AttackRole::kNegAttr:
        f.kind = AttackKind::kDerogation;
        break;
      case AttackRole::kDehum:
        f.kind = AttackKind::kDehumanisation;
        break;
      case AttackRole::kExclusion:
        f.kind = AttackKind::kExclusion;
        if (!framed && !(best_before && has_between(r.end, p.begin, Bit(AttackRole::kModal)))) {
          // A bare report ("X were deported in 1942", "X expelled from ...") is not a call
          // for exclusion.
          if (best_dist > 1 || norm.TokenText(p.begin).ends_with("ed")) continue;
        }
        break;
      case AttackRole::kElimination:
        f.kind = AttackKind::kElimination;
        // "the holocaust killed ...", "X were wiped out in 1942" are history, not calls.
        if (!framed && (best_dist > 1 || norm.TokenText(p.begin).ends_with("ed"))) continue;
        f.threat = true;
        break;
      case AttackRole::kViolence:
        if (!framed) {
          if (!best_before || r.target != AttackTarget::kGroup) continue;
          // "X kill people": violence as an attribute of the group.
          f.kind = AttackKind::kStereotype;
          f.severity = 2;
          break;
        }
        f.kind = AttackKind::kThreat;
        f.threat = true;
        break;
      case AttackRole::kDeathWish:
        f.kind = AttackKind::kThreat;
        f.threat = true;
        break;
      case AttackRole::kProfanity: {
        // An intensifier of praise ("fucking brilliant") or an interjection followed by
        // punctuation ("Damn, X raised ...") is aimed at nobody.
        if (starts_with(p.end, AttackRole::kPraise)) continue;
        if (p.end < n) {
          const uint32_t gap_b = norm.tokens[p.end - 1].orig_end;
          const uint32_t gap_e = std::min<uint32_t>(norm.tokens[p.end].orig_begin,
                                                    static_cast<uint32_t>(original.size()));
          bool punct = false;
          for (uint32_t k = gap_b; k < gap_e; ++k) {
            punct |= original[k] == ',' || original[k] == '!' || original[k] == ':';
          }
          if (punct && !best_before) continue;
        }
        f.kind = AttackKind::kProfanity;
        if (best_dist <= 1) f.severity = 3;
        break;
      }
      case AttackRole::kStereotype:
        f.kind = AttackKind::kStereotype;
        break;
      case AttackRole::kPraise:
        if (!negated) continue;
        f.kind = AttackKind::kNegatedPraise;
        f.severity = 3;
        negated = false;
        break;
      default:
        continue;
    }
    if (f.threat && r.target == AttackTarget::kAddressee) {
      std::string_view t = norm.TokenText(r.begin);
      if (t == "yourself" || t == "urself" || t == "yourselves") {
        f.threat = false;  // "kill yourself": incitement to self-harm, harassment
        f.kind = AttackKind::kDerogation;
      }
    }
    if (negated) f.context |= kCtxNegated;
    s->findings.push_back(f);
    if (s->findings.size() >= kMaxFindings) break;
  }
  // "until there are no X left", "a world with no X remaining": the wish for a group's
  // absence is elimination. It needs a frame like any elimination: a modal or desire before it,
  // or "until" ("i won't rest until ..."); "there are no X left in the village" is a report.
  for (const Ref& r : refs) {
    if (s->findings.size() >= kMaxFindings) break;
    if (r.target != AttackTarget::kGroup || r.begin == 0 || r.end >= n) continue;
    const std::string_view pre = norm.TokenText(r.begin - 1);
    const std::string_view post = norm.TokenText(r.end);
    if ((pre != "no" && pre != "zero") || (post != "left" && post != "remaining")) continue;
    if (s->sentence[r.end] != r.sentence || s->sentence[r.begin - 1] != r.sentence) continue;
    const uint32_t sb = sentence_start(r.begin);
    bool framed = has_between(sb, r.begin, Bit(AttackRole::kModal));
    for (uint32_t k = sb; k < r.begin && !framed; ++k) {
      const std::string_view g = norm.TokenText(k);
      framed = g == "until" || g == "till" || g == "til" || g == "untill";
    }
    if (!framed) continue;
    s->findings.push_back(
        ConstructionFinding(AttackKind::kElimination, r, 4, r.begin - 1, r.end, r.end + 1));
  }
  // "a law that stops X from voting", "ban X from entering": keeping a group from taking
  // part (voting, working, living somewhere, ...) is exclusion. Only for those activities, so
  // "stop X from being attacked" and "stop X from drowning" stay protective; only under a
  // frame (a modal before it, or the verb opening the sentence); never in the past tense.
  for (const Ref& r : refs) {
    if (s->findings.size() >= kMaxFindings) break;
    if (r.target != AttackTarget::kGroup || r.begin == 0 || r.end + 1 >= n) continue;
    if (norm.TokenText(r.end) != "from" || s->sentence[r.end + 1] != r.sentence) continue;
    if (s->sentence[r.begin - 1] != r.sentence) continue;
    static constexpr std::string_view kPrevent[] = {
        "stop",     "stops",    "ban",     "bans",       "bar",      "bars",
        "prevent",  "prevents", "block",   "blocks",     "forbid",   "forbids",
        "stopping", "banning",  "barring", "preventing", "blocking", "forbidding"};
    static constexpr std::string_view kTakingPart[] = {
        "voting",  "working",   "entering", "coming",      "owning",  "marrying", "adopting",
        "buying",  "renting",   "living",   "holding",     "running", "teaching", "serving",
        "joining", "attending", "settling", "immigrating", "moving",  "getting"};
    const std::string_view verb = norm.TokenText(r.begin - 1);
    const std::string_view act = norm.TokenText(r.end + 1);
    bool prevent = false, part = false;
    for (std::string_view v : kPrevent) prevent |= verb == v;
    for (std::string_view v : kTakingPart) part |= act == v;
    if (act == "getting" && r.end + 2 < n) {
      const std::string_view obj = norm.TokenText(r.end + 2);  // "getting jobs", not "getting hurt"
      part = obj == "jobs" || obj == "work" || obj == "housing" || obj == "benefits" ||
             obj == "citizenship" || obj == "visas" || obj == "married";
    }
    if (!prevent || !part) continue;
    const uint32_t sb = sentence_start(r.begin);
    const bool framed = r.begin - 1 == sb || has_between(sb, r.begin - 1, Bit(AttackRole::kModal));
    if (!framed) continue;
    s->findings.push_back(
        ConstructionFinding(AttackKind::kExclusion, r, 3, r.begin, r.begin - 1, r.begin));
  }
  if (s->findings.empty()) return;

  // 3. Context: quotation, counter-speech, reports and endorsements outside the attacks.
  s->in_attack.assign(n, 0);
  for (const AttackFinding& f : s->findings) {
    for (uint32_t k = f.ref_begin; k < f.ref_end && k < n; ++k) s->in_attack[k] = 1;
    for (uint32_t k = f.pred_begin; k < f.pred_end && k < n; ++k) s->in_attack[k] = 1;
  }
  size_t limit = std::min<size_t>(original.size(), norm.tokens.back().orig_end + 8);
  QuoteMarks(original, limit, &s->quote_pos);
  for (AttackFinding& f : s->findings) {
    const uint32_t b = std::min(f.ref_begin, f.pred_begin);
    const uint32_t e = std::max(f.ref_end, f.pred_end);
    f.orig_begin = norm.tokens[b].orig_begin;
    f.orig_end = norm.tokens[std::min<size_t>(e, n) - 1].orig_end;
    const uint32_t sent = s->sentence[b];
    auto before = std::lower_bound(s->quote_pos.begin(), s->quote_pos.end(), f.orig_begin);
    size_t n_before = static_cast<size_t>(before - s->quote_pos.begin());
    if ((n_before % 2 == 1) && s->quote_pos.back() >= f.orig_end) f.context |= kCtxQuoted;
    uint32_t near = 0;
    for (const A& a : atoms) {
      if (a.begin >= n || s->in_attack[a.begin]) continue;
      const uint32_t as = s->sentence[a.begin];
      if (as + 1 < sent || as > sent + 1) continue;
      // A negated condemnation ("i'm not racist but ...") condemns nothing.
      if (a.role == AttackRole::kCondemn && a.begin > 0 &&
          (starts[a.begin - 1] & Bit(AttackRole::kNegator) ||
           (a.begin > 1 && starts[a.begin - 2] & Bit(AttackRole::kNegator)))) {
        continue;
      }
      if (a.role == AttackRole::kCondemn) near |= Bit(AttackRole::kCondemn);
      if (a.role == AttackRole::kEndorse && (starts[a.begin] & Bit(AttackRole::kEndorse))) {
        near |= Bit(AttackRole::kEndorse);
      }
      // A report verb before the attack in its sentence; or, for a quoted attack, anywhere near
      // ("'X' is the most common comment we saw in our study").
      const bool quoted_near = (f.context & kCtxQuoted) != 0;
      if (a.role == AttackRole::kReport && ((as == sent && a.begin < b) || quoted_near)) {
        // The speaker's own belief or words ("i genuinely believe", "we always said") are not
        // a report of someone else's.
        bool own = false;
        for (uint32_t k = a.begin > 3 ? a.begin - 3 : 0; k < a.begin; ++k) {
          std::string_view t = norm.TokenText(k);
          own |= t == "i" || t == "we" || t == "im" || t == "ive" || t == "me";
        }
        if (!own) near |= Bit(AttackRole::kReport);
      }
    }
    if (near & Bit(AttackRole::kCondemn)) f.context |= kCtxCounterSpeech;
    if (near & Bit(AttackRole::kReport)) f.context |= kCtxReported;
    if (near & Bit(AttackRole::kEndorse)) f.context |= kCtxEndorsed;
    f.weight = AttackContextWeight(f.context);
  }
}

}  // namespace bulwark::detect
