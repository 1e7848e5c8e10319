#pragma once

// Deterministic synthetic posts for benchmarks: lengths 20..2,000 bytes (skewed short, like
// real comment streams), about 5% containing non-ASCII text (accents, CJK, Arabic, emoji).

#include <cstdint>
#include <random>
#include <string>

namespace bulwark::bench {

inline std::string SyntheticPost(std::mt19937_64& rng) {
  static const char* kWords[] = {
      "the",    "people", "group",   "today",   "vote",    "election", "city",    "council",
      "great",  "news",   "thanks",  "sharing", "photo",   "family",   "weekend", "match",
      "team",   "really", "think",   "should",  "never",   "always",   "friends", "meeting",
      "school", "health", "vaccine", "climate", "weather", "market",   "price",   "music",
      "love",   "hate",   "crazy",   "stupid",  "amazing", "terrible", "post",    "comment"};
  static const char* kNonAscii[] = {"café",   "naïve", "日本語", "مرحبا", "😀",
                                    "Москва", "größe", "niño",   "שלום",  "🙏"};
  std::uniform_real_distribution<double> u(0, 1);
  // Log-uniform target length between 20 and 2000 bytes.
  size_t target = static_cast<size_t>(20 * std::pow(100.0, u(rng)));
  bool non_ascii = u(rng) < 0.05;
  std::string s;
  s.reserve(target + 16);
  while (s.size() < target) {
    if (!s.empty()) s += ' ';
    if (non_ascii && u(rng) < 0.15) {
      s += kNonAscii[rng() % std::size(kNonAscii)];
    } else {
      s += kWords[rng() % std::size(kWords)];
    }
    if (u(rng) < 0.08) s += u(rng) < 0.5 ? "." : "!";
  }
  return s;
}

inline void AppendJsonString(std::string* out, const std::string& s) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace bulwark::bench
