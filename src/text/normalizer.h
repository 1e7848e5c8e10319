#pragma once

// Text normalisation for evasion-resistant matching.
//
// Normalizer turns untrusted UTF-8 into a canonical, lower-case, space-separated token stream
// that detectors (lexicon, classifier) match against, and keeps a byte-exact map from every
// normalised byte back to the original input so evidence can be highlighted.
//
// What it does (full rules in docs/text-normalization.md):
//   * NFKC case folding (ICU NFKC_Casefold) and TR39 confusable skeletons (ICU uspoof) for
//     Latin-look-alike scripts (Latin, Greek, Cyrillic, Armenian, Cherokee, Coptic, Common),
//     so fullwidth, mathematical, Cyrillic and Greek look-alikes become ASCII; accents on
//     Latin letters are dropped. Other scripts (Arabic, Hebrew, CJK, ...) keep their letters.
//   * removes zero-width, bidi-control, variation-selector and other default-ignorable
//     characters without splitting the word they sit in ("k<ZWSP>ill" -> "kill");
//   * leetspeak inside words that contain a letter ("k1ll" -> "kill", "$hit" -> "shit"); only
//     lone digits are substituted ("c18", "covid19" keep their digit runs); tokens without
//     letters stay numbers ("1488", "88");
//   * joins runs of >= 3 single-character tokens split by short separator gaps
//     ("k i l l", "k.i.l.l", "k-i-l-l" -> "kill");
//   * squeezes runs of one character longer than 2 down to `repeat_squeeze_to` (default 2:
//     "kiiiiill" -> "kiill", "goooood" -> "good"; matchers let a single letter of a term match
//     one or two copies, see docs/lexicon-matcher.md); a token that is one repeated character
//     keeps up to 3 ("kkk", "www"); numbers are never squeezed;
//   * runs of 3+ "(" or ")" become the tokens "(((" and ")))" (the antisemitic "echo");
//   * maps each emoji code point to a stable token "u<hex>" ("🐸" -> "u1f438");
//   * punctuation, symbols and whitespace become token boundaries.
//
// Cost: ICU is used only in Create(), to precompute a table for planes 0 and 1; Normalize()
// itself is table-driven (ASCII has its own 128-entry fast path) and never calls ICU.
// Time and memory are linear in min(input size, max_input_bytes).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace bulwark::text {

struct NormalizerOptions {
  // Input beyond this many bytes is ignored (cut at a code point boundary) and
  // NormalizedText::truncated is set. Must be in [1, 1 << 30].
  size_t max_input_bytes = 1 << 20;
  // Map confusable look-alikes (Cyrillic, Greek, Armenian, Cherokee, ...) to Latin skeletons.
  bool confusable_skeletons = true;
  // Apply leetspeak substitutions inside tokens that contain at least one letter.
  bool leetspeak = true;
  // With leetspeak: also a pair of leet digits between two letters ("refug33s"); lone digits
  // are always leet, longer runs and runs at a word's edge never are ("covid19", "c18").
  bool leet_digit_pairs = true;
  // Join runs of >= min_single_run single-character tokens ("k i l l" -> "kill"); 0 disables.
  int min_single_run = 3;
  // A run of the same character longer than 2 is cut to this many copies (1 or 2).
  int repeat_squeeze_to = 2;
  // Map emoji to "u<hex>" tokens; when false they are dropped (treated as boundaries).
  bool emoji_tokens = true;
};

struct Token {
  uint32_t begin, end;            // byte span in NormalizedText::text
  uint32_t orig_begin, orig_end;  // byte span in the original input
};

// Byte span [begin, end) in the original input that produced one normalised byte.
struct OrigRange {
  uint32_t begin, end;
};

struct NormalizedText {
  // Normalised form: valid UTF-8, tokens separated by single ASCII spaces, no leading or
  // trailing space. Empty when the input has no tokens.
  std::string text;
  // Tokens in order; text == join(token texts, " ").
  std::vector<Token> tokens;
  // byte_origin[i] is the original span that produced text[i]; same size as text. Spans are
  // non-decreasing (both ends) along the text. A separator space maps to the gap between the
  // neighbouring tokens.
  std::vector<OrigRange> byte_origin;
  bool truncated = false;         // input was longer than max_input_bytes
  bool had_invalid_utf8 = false;  // ill-formed UTF-8 was seen (and dropped)

  // Smallest original byte span covering normalised bytes [b, e). Requires b < e <= size.
  // Out-of-range arguments are clamped; an empty range maps to an empty span.
  std::pair<uint32_t, uint32_t> OriginalSpan(uint32_t b, uint32_t e) const;

  // Text of token i.
  std::string_view TokenText(size_t i) const {
    return std::string_view(text).substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
  }

  // Empties the object but keeps its buffers' capacity.
  void Clear();
};

class Normalizer {
 public:
  // Builds the lookup tables (a few milliseconds, ~700 KB). Fails with InvalidArgument on bad
  // options and Internal if ICU data is unavailable.
  static Result<std::unique_ptr<const Normalizer>> Create(NormalizerOptions options = {});

  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;
  ~Normalizer();

  // Normalises `input` into `*out`, reusing out's buffers (pass the same object again for
  // allocation-free steady state). Never fails: invalid UTF-8 and over-long input are flagged
  // in *out. Thread-safe: one Normalizer may serve any number of threads, each with its own out.
  void Normalize(std::string_view input, NormalizedText* out) const;
  NormalizedText Normalize(std::string_view input) const;

  const NormalizerOptions& options() const { return options_; }

 private:
  struct Tables;
  class Builder;
  Normalizer(NormalizerOptions options, std::unique_ptr<const Tables> tables);

  NormalizerOptions options_;
  std::unique_ptr<const Tables> tables_;
};

}  // namespace bulwark::text
