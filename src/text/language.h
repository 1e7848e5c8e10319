#pragma once

// Language identification with CLD2 (Debian's libcld2), for the verdict's `language` and
// `coverage` fields (docs/detection.md, "Languages").
//
// IdentifyLanguage() looks at the first kLanguageMaxBytes bytes of a text (a long text's language
// is its prefix's) and returns an ISO 639-1 code ("en", "de", "pt", ...; CLD2's code for the few
// languages without one) or "und" when CLD2 cannot tell (too short, only emoji or numbers).
// Invalid UTF-8 is cut at the first bad byte. Thread-safe and stateless: CLD2 keeps no state
// between calls; cost is linear in min(text size, kLanguageMaxBytes).

#include <cstddef>
#include <string_view>

namespace bulwark::text {

struct LanguageGuess {
  std::string_view code = "und";  // static storage
  bool reliable = false;          // CLD2's own reliability flag
};

inline constexpr size_t kLanguageMaxBytes = 128;  // measured: docs/detection.md, "Languages"

LanguageGuess IdentifyLanguage(std::string_view utf8);

}  // namespace bulwark::text
