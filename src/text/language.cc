#include "text/language.h"

#include <algorithm>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

namespace CLD2 {
// Exported by libcld2 (declared in its internal lang_script.h, which is not meant to be
// included on its own).
const char* LanguageCode(Language lang);
}  // namespace CLD2

namespace bulwark::text {

namespace {

// Function words that English uses constantly and German, Dutch, French, Spanish, Portuguese
// and Italian do not (so "in", "a", "die", "me" are left out).
bool IsEnglishFunctionWord(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "the", "and", "is",   "you",  "of",   "that", "it",    "this", "with",  "are",   "was",
      "for", "not", "have", "they", "what", "but",  "would", "your", "there", "their", "just"};
  for (std::string_view k : kWords) {
    if (w.size() == k.size()) {
      bool eq = true;
      for (size_t i = 0; i < w.size() && eq; ++i) eq = (w[i] | 0x20) == k[i];
      if (eq) return true;
    }
  }
  return false;
}

// The fast path: an all-ASCII text whose first 64 words hold at least three distinct English
// function words is English (docs/detection.md, "Languages", measured against CLD2).
bool ObviouslyEnglish(std::string_view text) {
  const size_t limit = std::min<size_t>(text.size(), kLanguageMaxBytes);
  for (size_t k = 0; k < limit; ++k) {
    if (static_cast<unsigned char>(text[k]) >= 0x80) return false;
  }
  auto letter = [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; };
  auto same = [](std::string_view x, std::string_view y) {
    if (x.size() != y.size()) return false;
    for (size_t k = 0; k < x.size(); ++k) {
      if ((x[k] | 0x20) != (y[k] | 0x20)) return false;
    }
    return true;
  };
  std::string_view found[3];
  int n_found = 0, words = 0;
  for (size_t i = 0; i < limit && words < 64;) {
    while (i < limit && !letter(text[i])) ++i;
    size_t j = i;
    while (j < limit && letter(text[j])) ++j;
    if (j == i) break;
    ++words;
    std::string_view w = text.substr(i, j - i);
    if (IsEnglishFunctionWord(w)) {
      bool dup = false;
      for (int f = 0; f < n_found; ++f) dup |= same(found[f], w);
      if (!dup) {
        found[n_found++] = w;
        if (n_found == 3) return true;
      }
    }
    i = j;
  }
  return false;
}

}  // namespace

LanguageGuess IdentifyLanguage(std::string_view utf8) {
  LanguageGuess g;
  if (ObviouslyEnglish(utf8)) {
    g.code = "en";
    g.reliable = true;
    return g;
  }
  int len = static_cast<int>(std::min(utf8.size(), kLanguageMaxBytes));
  // Do not cut a code point in half: back up to a lead byte.
  while (len > 0 && static_cast<size_t>(len) < utf8.size() &&
         (static_cast<unsigned char>(utf8[static_cast<size_t>(len)]) & 0xC0) == 0x80) {
    --len;
  }
  if (len == 0) return g;
  bool reliable = false;
  int valid = 0;
  CLD2::Language lang =
      CLD2::DetectLanguageCheckUTF8(utf8.data(), len, /*is_plain_text=*/true, &reliable, &valid);
  if (valid < len && valid > 0) {
    lang = CLD2::DetectLanguageCheckUTF8(utf8.data(), valid, true, &reliable, &valid);
  }
  if (lang == CLD2::UNKNOWN_LANGUAGE || lang == CLD2::TG_UNKNOWN_LANGUAGE) return g;
  const char* code = CLD2::LanguageCode(lang);
  if (code == nullptr || *code == '\0' || std::string_view(code) == "un") return g;
  g.code = code;
  g.reliable = reliable;
  return g;
}

}  // namespace bulwark::text
