#include "detect/context.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "detect/claims.h"

namespace bulwark::detect {
namespace {

// Cue phrases in normalised form (tokens separated by single spaces; apostrophes are token
// boundaries, so "isn't" is "isn t" and the lone "t" is the negator). General English usage,
// not a list of test sentences.
struct CueList {
  uint16_t bits;
  const char* const* phrases;
  size_t n;
};

constexpr const char* kNegators[] = {
    "not",    "never",   "no",   "nor",    "t",        "nobody", "none",        "neither",
    "cannot", "nothing", "dont", "doesnt", "didnt",    "isnt",   "arent",       "wasnt",
    "werent", "wont",    "cant", "aint",   "shouldnt", "hardly", "stop saying", "stop calling"};
constexpr const char* kCondemn[] = {"racist",
                                    "racism",
                                    "sexist",
                                    "sexism",
                                    "ableist",
                                    "ableism",
                                    "bigot",
                                    "bigots",
                                    "bigoted",
                                    "bigotry",
                                    "homophobic",
                                    "homophobia",
                                    "transphobic",
                                    "transphobia",
                                    "islamophobic",
                                    "islamophobia",
                                    "antisemitic",
                                    "antisemitism",
                                    "xenophobic",
                                    "xenophobia",
                                    "hateful",
                                    "hate speech",
                                    "is disgusting",
                                    "was disgusting",
                                    "s disgusting",
                                    "is wrong",
                                    "s wrong",
                                    "it is wrong",
                                    "is not okay",
                                    "s not okay",
                                    "not ok",
                                    "unacceptable",
                                    "stop saying",
                                    "stop calling",
                                    "don t call",
                                    "dont call",
                                    "never call",
                                    "never say",
                                    "is a slur",
                                    "a slur",
                                    "slurs",
                                    "smear",
                                    "prejudice",
                                    "propaganda",
                                    "stereotype",
                                    "stereotypes",
                                    "dehumanising",
                                    "dehumanizing",
                                    "dehumanising language",
                                    "conspiracy theory",
                                    "should be banned",
                                    "report it",
                                    "report them",
                                    "reported it",
                                    "condemn",
                                    "condemning",
                                    "condemned",
                                    "called me",
                                    "call me",
                                    "calls me",
                                    "calls you",
                                    "called her",
                                    "called him",
                                    "called us",
                                    "being called",
                                    "was called",
                                    "were called",
                                    "get called",
                                    "gets called",
                                    "hurts",
                                    "harmful",
                                    "offensive",
                                    "cruel",
                                    "ugly history",
                                    "violent history",
                                    "shameful",
                                    "vile",
                                    "removed",
                                    "moderators",
                                    "don t deserve that",
                                    "is a bigot",
                                    "hate crime",
                                    "hate crimes",
                                    "to justify",
                                    "get people killed",
                                    "gets people killed",
                                    "prejudiced"};
constexpr const char* kReport[] = {
    "said",       "says",         "saying",        "say",       "wrote",     "writes",
    "written",    "posted",       "tweeted",       "painted",   "graffiti",  "yelled",
    "shouted",    "screamed",     "chanted",       "testified", "quoted",    "quote",
    "read",       "according to", "headline",      "lyrics",    "manifesto", "novel",
    "the word",   "n word",       "the phrase",    "the term",  "court",     "prosecutors",
    "charged",    "study",        "researchers",   "reported",  "sign said", "the villain",
    "uses",       "asked",        "history class", "lists",     "meaning",   "means",
    "the slogan", "the chant"};
constexpr const char* kEndorse[] = {"he was right",   "she was right", "was right",  "is right",
                                    "so true",        "truest",        "agree more", "i agree",
                                    "couldn t agree", "couldnt agree", "wake up",    "based",
                                    "facts",          "100",           "exactly",    "spot on",
                                    "preach",         "true words",    "hell yes",   "amen"};
constexpr const char* kFirstPerson[] = {"i",    "i m",    "im",        "me",   "my",
                                        "we",   "we re",  "were here", "us",   "our",
                                        "as a", "myself", "ourselves", "proud"};
constexpr const char* kPerson[] = {
    "you",           "your",        "u",          "ya",          "yourself",
    "them",          "him",         "her",        "his",         "us",
    "everyone",      "everybody",   "people",     "person",      "men",
    "women",         "kids",        "children",   "family",      "families",
    "traitors",      "protesters",  "protestors", "councillors", "councilors",
    "politicians",   "journalists", "judge",      "judges",      "cops",
    "police",        "officers",    "teachers",   "students",    "immigrants",
    "refugees",      "crowd",       "mayor",      "senator",     "congressman",
    "congresswoman", "president",   "governor",   "liberals",    "conservatives",
    "leftists",      "voters",      "doctors",    "nurses",      "reporters",
    "neighbors",     "neighbours",  "guy",        "guys",        "girl",
    "girls",         "boy",         "boys",       "whites",      "blacks",
    "jews",          "muslims",     "gays"};
constexpr const char* kPlace[] = {
    "school",   "schools", "mosque",   "mosques",   "synagogue", "synagogues", "church",
    "churches", "temple",  "temples",  "gurdwara",  "rally",     "concert",    "parade",
    "march",    "clinic",  "hospital", "capitol",   "office",    "offices",    "mall",
    "festival", "stadium", "campus",   "classroom", "town hall", "courthouse", "station",
    "pride",    "shelter", "embassy"};
constexpr const char* kDeterminer[] = {"the",   "this", "that",  "these", "those", "a",
                                       "an",    "all",  "every", "some",  "my",    "our",
                                       "their", "its",  "few",   "more"};
constexpr const char* kFactCheck[] = {"false",
                                      "is false",
                                      "untrue",
                                      "not true",
                                      "isn t true",
                                      "myth",
                                      "myths",
                                      "debunked",
                                      "debunk",
                                      "fact check",
                                      "fact checkers",
                                      "factcheck",
                                      "no evidence",
                                      "misinformation",
                                      "disinformation",
                                      "hoax claims",
                                      "conspiracy theories",
                                      "rumor",
                                      "rumour",
                                      "lie that",
                                      "baseless",
                                      "claims that",
                                      "claim that",
                                      "correction",
                                      "don t fall for",
                                      "scam",
                                      "is it true",
                                      "refuted",
                                      "refute",
                                      "deniers",
                                      "denialists",
                                      "falsely",
                                      "conspiracy theorists"};

constexpr CueList kLists[] = {
    {kCueNegator, kNegators, std::size(kNegators)},
    {kCueCondemn, kCondemn, std::size(kCondemn)},
    {kCueReport, kReport, std::size(kReport)},
    {kCueEndorse, kEndorse, std::size(kEndorse)},
    {kCueFirstPerson, kFirstPerson, std::size(kFirstPerson)},
    {kCuePerson, kPerson, std::size(kPerson)},
    {kCuePlace, kPlace, std::size(kPlace)},
    {kCueDeterminer, kDeterminer, std::size(kDeterminer)},
    {kCueFactCheck, kFactCheck, std::size(kFactCheck)},
};

// Phrase continuation after the first token.
struct Phrase {
  std::vector<uint64_t> rest;
  uint16_t bits;
};

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

}  // namespace

uint32_t SentenceIds(std::string_view original, const text::NormalizedText& norm,
                     std::vector<uint32_t>* out) {
  // Sentences: split where the original text between two tokens holds . ! ? ; or a newline.
  const size_t n = norm.tokens.size();
  out->resize(n);
  uint32_t sent = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) {
      uint32_t a = norm.tokens[i - 1].orig_end, b = norm.tokens[i].orig_begin;
      b = std::min<uint32_t>(b, static_cast<uint32_t>(original.size()));
      for (uint32_t k = a; k < b; ++k) {
        char c = original[k];
        if (c == '.' || c == '!' || c == '?' || c == ';' || c == '\n') {
          ++sent;
          break;
        }
      }
    }
    (*out)[i] = sent;
  }
  return sent;
}

void QuoteMarks(std::string_view original, size_t limit, std::vector<uint32_t>* out) {
  // Quotation marks in the examined part of the original text. An ASCII or typographic
  // apostrophe between two word characters ("it's", "don’t") is an apostrophe, not a quote.
  out->clear();
  limit = std::min(limit, original.size());
  for (size_t k = 0; k < limit; ++k) {
    unsigned char c = static_cast<unsigned char>(original[k]);
    size_t len = 0;
    bool ambiguous = false;
    if (c == '"') {
      len = 1;
    } else if (c == '\'') {
      len = 1;
      ambiguous = true;
    } else if (c == 0xE2 && k + 2 < original.size() &&
               static_cast<unsigned char>(original[k + 1]) == 0x80) {
      unsigned char d = static_cast<unsigned char>(original[k + 2]);
      if (d == 0x9C || d == 0x9D || d == 0x9E) len = 3;
      if (d == 0x98 || d == 0x99) len = 3, ambiguous = true;
    } else if (c == 0xC2 && k + 1 < original.size()) {
      unsigned char d = static_cast<unsigned char>(original[k + 1]);
      if (d == 0xAB || d == 0xBB) len = 2;
    }
    if (len == 0) continue;
    if (ambiguous) {
      bool before = k > 0 && IsWordByte(static_cast<unsigned char>(original[k - 1]));
      bool after =
          k + len < original.size() && IsWordByte(static_cast<unsigned char>(original[k + len]));
      if (before && after) continue;
    }
    out->push_back(static_cast<uint32_t>(k));
    k += len - 1;
  }
}

struct ContextAnalyzer::Table {
  // First token hash -> phrases starting with it (single-token phrases have empty `rest`).
  std::unordered_map<uint64_t, std::vector<Phrase>> first;
};

ContextAnalyzer::ContextAnalyzer() {
  auto t = std::make_shared<Table>();
  for (const auto& list : kLists) {
    for (size_t i = 0; i < list.n; ++i) {
      std::string_view p = list.phrases[i];
      std::vector<uint64_t> toks;
      size_t pos = 0;
      while (pos <= p.size()) {
        size_t sp = p.find(' ', pos);
        if (sp == std::string_view::npos) sp = p.size();
        toks.push_back(HashToken(p.substr(pos, sp - pos)));
        pos = sp + 1;
      }
      auto& v = t->first[toks[0]];
      std::vector<uint64_t> rest(toks.begin() + 1, toks.end());
      auto it = std::find_if(v.begin(), v.end(), [&](const Phrase& x) { return x.rest == rest; });
      if (it != v.end()) {
        it->bits |= list.bits;
      } else {
        v.push_back(Phrase{std::move(rest), list.bits});
      }
    }
  }
  table_ = std::move(t);
}

HitTokens ContextAnalyzer::TokensOf(const text::NormalizedText& norm, const LexiconHit& hit) {
  const auto& toks = norm.tokens;
  auto b = std::lower_bound(toks.begin(), toks.end(), hit.begin,
                            [](const text::Token& t, uint32_t v) { return t.end <= v; });
  auto e = std::lower_bound(b, toks.end(), hit.end,
                            [](const text::Token& t, uint32_t v) { return t.begin < v; });
  HitTokens ht{static_cast<uint32_t>(b - toks.begin()), static_cast<uint32_t>(e - toks.begin())};
  if (ht.begin >= toks.size() && !toks.empty()) ht.begin = static_cast<uint32_t>(toks.size() - 1);
  if (ht.end <= ht.begin) ht.end = std::min<uint32_t>(ht.begin + 1, toks.size());
  return ht;
}

void ContextAnalyzer::Analyze(std::string_view original, const text::NormalizedText& norm,
                              const Lexicon& lexicon, const std::vector<LexiconHit>& hits,
                              ContextScratch* s) const {
  const size_t n = norm.tokens.size();
  s->token_hash.resize(n);
  s->cue.assign(n, 0);
  s->sentence.resize(n);
  s->in_hit.assign(n, 0);
  s->quote_pos.clear();
  s->sentence_cues.clear();
  for (size_t i = 0; i < n; ++i) s->token_hash[i] = HashToken(norm.TokenText(i));

  for (const auto& h : hits) {
    const auto& e = lexicon.entries()[h.entry];
    if (!e.category) continue;
    HitTokens ht = TokensOf(norm, h);
    for (uint32_t k = ht.begin; k < ht.end && k < n; ++k) s->in_hit[k] = 1;
  }

  const uint32_t sent = SentenceIds(original, norm, &s->sentence);
  s->sentence_cues.assign(n == 0 ? 0 : sent + 1, 0);

  // Cue phrases starting at each token.
  for (size_t i = 0; i < n; ++i) {
    auto it = table_->first.find(s->token_hash[i]);
    if (it == table_->first.end()) continue;
    uint16_t bits = 0;
    for (const auto& p : it->second) {
      if (i + p.rest.size() >= n) continue;
      bool ok = true;
      for (size_t k = 0; k < p.rest.size(); ++k) {
        if (s->token_hash[i + 1 + k] != p.rest[k]) {
          ok = false;
          break;
        }
      }
      if (ok) bits |= p.bits;
    }
    s->cue[i] = bits;
    if (!s->in_hit[i]) s->sentence_cues[s->sentence[i]] |= bits;
  }

  size_t limit = n == 0 ? 0 : std::min<size_t>(original.size(), norm.tokens.back().orig_end + 8);
  QuoteMarks(original, limit, &s->quote_pos);
}

uint32_t ContextAnalyzer::Flags(const text::NormalizedText& norm, const LexiconEntry& entry,
                                const LexiconHit& hit, HitTokens ht, bool group_nearby,
                                const ContextScratch& s) const {
  uint32_t flags = kCtxNone;
  const size_t n = norm.tokens.size();
  if (n == 0 || ht.begin >= n) return flags;
  const uint32_t sent = s.sentence[ht.begin];

  // Negation scope: a negator shortly before the match, in the same sentence.
  uint32_t from = ht.begin > kNegationWindow ? ht.begin - kNegationWindow : 0;
  for (uint32_t k = from; k < ht.begin; ++k) {
    if (s.sentence[k] == sent && (s.cue[k] & kCueNegator) && !s.in_hit[k]) {
      flags |= kCtxNegated;
      break;
    }
  }

  // Cues in this sentence and its neighbours.
  uint16_t near = 0;
  uint32_t last_sent = s.sentence[std::min<size_t>(ht.end, n) - 1];
  uint32_t s0 = sent > 0 ? sent - 1 : 0;
  uint32_t s1 =
      std::min<uint32_t>(last_sent + 1, static_cast<uint32_t>(s.sentence_cues.size()) - 1);
  for (uint32_t k = s0; k <= s1; ++k) near |= s.sentence_cues[k];

  // Inside quotation marks: an odd number of marks before the match and one after it.
  auto before = std::lower_bound(s.quote_pos.begin(), s.quote_pos.end(), hit.orig_begin);
  size_t n_before = static_cast<size_t>(before - s.quote_pos.begin());
  bool quoted = (n_before % 2 == 1) && !s.quote_pos.empty() && s.quote_pos.back() >= hit.orig_end;
  if (quoted) flags |= kCtxQuoted;
  if (near & (kCueCondemn | kCueFactCheck)) flags |= kCtxCounterSpeech;
  if (near & kCueReport) flags |= kCtxReported;
  if (near & kCueEndorse) flags |= kCtxEndorsed;
  if (entry.reclaimed && (near & kCueFirstPerson)) flags |= kCtxReclaimed;

  if (entry.kind == "threat_phrase") {
    bool person = false;
    for (uint32_t k = ht.begin; k < ht.end && k < n; ++k) person |= (s.cue[k] & kCuePerson) != 0;
    if (person) {
      flags |= kCtxPersonTarget;
    } else if (ht.end > ht.begin &&
               (s.cue[ht.end - 1] & kCueDeterminer || norm.TokenText(ht.end - 1) == "to" ||
                norm.TokenText(ht.end - 1) == "up" || norm.TokenText(ht.end - 1) == "in")) {
      // An open phrase ("blow up the", "death to"): classify what follows.
      for (uint32_t k = ht.end; k < n && k < ht.end + 4 && s.sentence[k] == sent; ++k) {
        if (s.cue[k] & kCueDeterminer) continue;
        if ((s.cue[k] & (kCuePerson | kCuePlace)) || group_nearby) {
          flags |= kCtxPersonTarget;
        } else {
          flags |= kCtxObjectTarget;
        }
        break;
      }
    }
  }
  if (entry.kind == "dehumanizing") flags |= group_nearby ? kCtxGroupTarget : kCtxNoGroup;
  return flags;
}

uint32_t ContextAnalyzer::SpanFlags(uint32_t begin, uint32_t end, const ContextScratch& s) const {
  uint32_t flags = kCtxNone;
  const size_t n = s.sentence.size();
  if (n == 0 || begin >= n) return flags;
  end = std::min<uint32_t>(end, static_cast<uint32_t>(n));
  uint32_t s0 = s.sentence[begin] > 0 ? s.sentence[begin] - 1 : 0;
  uint32_t s1 = std::min<uint32_t>(s.sentence[end - 1] + 1,
                                   static_cast<uint32_t>(s.sentence_cues.size()) - 1);
  uint16_t near = 0;
  for (uint32_t k = s0; k <= s1; ++k) near |= s.sentence_cues[k];
  if (near & (kCueFactCheck | kCueCondemn)) flags |= kCtxCounterSpeech;
  uint32_t from = begin > kNegationWindow ? begin - kNegationWindow : 0;
  for (uint32_t k = from; k < end; ++k) {
    if (s.cue[k] & kCueNegator) {
      flags |= kCtxNegated;
      break;
    }
  }
  return flags;
}

double ContextAnalyzer::Weight(uint32_t flags) {
  double w = 1.0;
  if (flags & kCtxNegated) w *= 0.15;
  if (!(flags & kCtxEndorsed)) {
    // Reported speech matters only for quoted words: "he wrote 'X'" reports X, while
    // "you deserve to die for what you wrote" is a direct threat.
    bool counter = flags & kCtxCounterSpeech;
    bool quoted = flags & kCtxQuoted;
    bool reported = flags & kCtxReported;
    if (counter && quoted) {
      w *= 0.1;
    } else if (counter) {
      w *= 0.25;
    } else if (quoted && reported) {
      w *= 0.3;
    } else if (quoted) {
      w *= 0.6;
    }
  }
  if (flags & kCtxReclaimed) w *= 0.15;
  if (flags & kCtxObjectTarget) w *= 0.15;
  if (flags & kCtxNoGroup) w *= 0.3;
  return w;
}

}  // namespace bulwark::detect
