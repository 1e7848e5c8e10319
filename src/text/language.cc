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

LanguageGuess IdentifyLanguage(std::string_view utf8) {
  LanguageGuess g;
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
