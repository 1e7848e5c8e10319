// text::IdentifyLanguage: CLD2 on real sentences in the languages Bulwark meets, and the edges
// (empty, emoji only, invalid UTF-8, a code point cut at the byte limit).

#include "text/language.h"

#include <string>

#include <gtest/gtest.h>

namespace bulwark::text {
namespace {

TEST(Language, IdentifiesCommonLanguages) {
  EXPECT_EQ(IdentifyLanguage("The council meets on Tuesday to discuss the new bus routes.").code,
            "en");
  EXPECT_EQ(IdentifyLanguage("Der Stadtrat trifft sich am Dienstag, um die neuen Buslinien zu "
                             "besprechen.")
                .code,
            "de");
  EXPECT_EQ(IdentifyLanguage("O conselho se reúne na terça-feira para discutir as novas linhas "
                             "de ônibus.")
                .code,
            "pt");
  EXPECT_EQ(IdentifyLanguage("Le conseil se réunit mardi pour discuter des nouvelles lignes de "
                             "bus.")
                .code,
            "fr");
  EXPECT_EQ(IdentifyLanguage("시의회는 화요일에 새 버스 노선을 논의하기 위해 모입니다.").code,
            "ko");
}

TEST(Language, UndeterminedInputs) {
  EXPECT_EQ(IdentifyLanguage("").code, "und");
  EXPECT_FALSE(IdentifyLanguage("").reliable);
  // Invalid UTF-8 after a valid German prefix: the prefix decides.
  std::string s = "Der Stadtrat trifft sich am Dienstag, um die neuen Buslinien zu besprechen.";
  s += "\xff\xfe";
  EXPECT_EQ(IdentifyLanguage(s).code, "de");
  // Longer than the limit, with a multi-byte character straddling it: no crash, a result.
  std::string long_text(kLanguageMaxBytes - 1, 'a');
  long_text += "\xc3\xa9 the end of a very long English sentence";
  (void)IdentifyLanguage(long_text);
}

}  // namespace
}  // namespace bulwark::text
