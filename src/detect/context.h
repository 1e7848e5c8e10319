#pragma once

// Context rules for the classic failure modes of hate-speech filters (docs/detection.md):
// negation ("X are not vermin"), quotation and counter-speech ("saying 'X are vermin' is
// disgusting"), reported speech ("the witness testified that he yelled ..."), reclaimed in-group
// use ("as a queer woman"), violent verbs aimed at things rather than people ("blow up the
// balloons"), and dehumanising words with no group reference.
//
// The analyser works on the normaliser's tokens (so "isn't", "ISN'T" and "isnʼt" all give the
// tokens "isn" "t") plus the original text (quotation marks and sentence punctuation are token
// boundaries the normalised form no longer shows). Cue lists are built-in English word lists
// (context.cc); they are general patterns, not tuned to any test file.
//
// Usage: Analyze() once per text (O(tokens + bytes)), then Flags() per lexicon hit.
// Thread safety: a ContextAnalyzer is immutable; each thread passes its own ContextScratch.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "detect/lexicon.h"
#include "detect/verdict.h"
#include "text/normalizer.h"

namespace bulwark::detect {

// Classes of cue word / phrase, as bits.
enum CueBit : uint16_t {
  kCueNegator = 1u << 0,      // not, never, no, n't, nobody, ...
  kCueCondemn = 1u << 1,      // racist, is disgusting, stop calling, slur, bigot, ...
  kCueReport = 1u << 2,       // said, yelled, testified, headline, the word, ...
  kCueEndorse = 1u << 3,      // he was right, couldn't agree more, wake up, ...
  kCueFirstPerson = 1u << 4,  // i, i'm, me, my, we, us, our, as a
  kCuePerson = 1u << 5,       // you, them, him, her, people, protesters, ...
  kCuePlace = 1u << 6,        // school, mosque, synagogue, church, rally: places full of people
  kCueDeterminer = 1u << 7,   // the, this, that, a, all, every, some, these, those
  kCueFactCheck = 1u << 8,    // false, debunked, myth, fact check, no evidence, hoax claims
};

struct ContextScratch {
  std::vector<uint64_t> token_hash;
  std::vector<uint16_t> cue;            // CueBit set of cue phrases starting at each token
  std::vector<uint32_t> sentence;       // sentence index of each token
  std::vector<uint8_t> in_hit;          // token is covered by a categorised lexicon hit
  std::vector<uint32_t> quote_pos;      // original byte offsets of quotation marks
  std::vector<uint32_t> sentence_cues;  // per sentence: CueBit union (excluding in_hit tokens)
};

// Where a hit sits in the token stream.
struct HitTokens {
  uint32_t begin = 0, end = 0;  // token index range [begin, end)
};

// Sentence index of every token of `norm`: a new sentence starts where the original text between
// two tokens holds . ! ? ; or a newline. Returns the last sentence index.
uint32_t SentenceIds(std::string_view original, const text::NormalizedText& norm,
                     std::vector<uint32_t>* out);
// Byte offsets of quotation marks in original[0, limit): " “ ” „ « » and ' ‘ ’ unless between
// two word characters (an apostrophe).
void QuoteMarks(std::string_view original, size_t limit, std::vector<uint32_t>* out);

class ContextAnalyzer {
 public:
  ContextAnalyzer();
  ContextAnalyzer(const ContextAnalyzer&) = delete;
  ContextAnalyzer& operator=(const ContextAnalyzer&) = delete;

  // Prepares per-token cues for `norm` (normalised from `original`). `hits` are the lexicon hits
  // of the text; tokens covered by categorised hits are excluded from cue search so that "are
  // disgusting" in "gay people are disgusting" is not read as a condemnation.
  void Analyze(std::string_view original, const text::NormalizedText& norm, const Lexicon& lexicon,
               const std::vector<LexiconHit>& hits, ContextScratch* s) const;

  // Token range of a hit (normalised byte span -> tokens).
  static HitTokens TokensOf(const text::NormalizedText& norm, const LexiconHit& hit);

  // ContextFlag bits for one categorised hit after Analyze(). `group_nearby` says whether an
  // identity term or targeted slur is near the hit (the detector computes it).
  uint32_t Flags(const text::NormalizedText& norm, const LexiconEntry& entry, const LexiconHit& hit,
                 HitTokens ht, bool group_nearby, const ContextScratch& s) const;

  // Whether the text near a whole-text signal (a claim match, the classifier) reads as a
  // debunk or condemnation: fact-check / condemnation cues, or a negator, in the sentences
  // of tokens [begin, end) or next to them. Returns ContextFlag bits (counter_speech, negated).
  uint32_t SpanFlags(uint32_t begin, uint32_t end, const ContextScratch& s) const;

  // The discount the rules apply for a set of flags, in (0, 1]. Documented in
  // docs/detection.md: negated 0.15; quoted and condemned 0.1, condemned 0.25, quoted and
  // reported 0.3, quoted alone 0.6 (an endorsement cancels these four); reclaimed 0.15; object
  // target 0.15; dehumanising word without a group 0.3. Factors multiply.
  static double Weight(uint32_t flags);

  // Maximum token distance for negation scope (before the match) and for group references.
  static constexpr uint32_t kNegationWindow = 5;
  static constexpr uint32_t kGroupWindow = 8;

 private:
  struct Table;
  std::shared_ptr<const Table> table_;
};

}  // namespace bulwark::detect
