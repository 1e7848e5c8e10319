#include "text/normalizer.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "core/check.h"

namespace bulwark::text {
namespace {

// Character classes of the units the decoder feeds to the Builder.
enum Cls : uint8_t {
  kSep = 0,        // whitespace, punctuation, symbols, unassigned: a token boundary
  kLetter = 1,     // a letter (after folding); makes its token a word
  kDigit = 2,      // ASCII digit
  kWordOther = 3,  // non-ASCII digit / number: part of a token, not a letter
  kLeet = 4,       // ASCII symbol that is a letter inside words: $ @ ! | +
  kIgnore = 5,     // removed without a boundary: zero-width, bidi controls, invalid UTF-8
  kMark = 6,       // combining mark: dropped after Latin letters, kept after other letters
  kEmoji = 7,      // an emoji: its own token "u<hex>"
};
constexpr uint8_t kIdentityFlag = 0x80;  // output = the input bytes, class in the low bits
constexpr uint8_t kPoolEntry = 0x40;     // output = sub-units in Tables::pool

constexpr uint32_t kTableSize = 0x20000;  // planes 0 and 1

bool IsWordClass(uint8_t cls) { return cls >= kLetter && cls <= kLeet; }

// Latin small capitals and other letters that confusable skeletons leave non-ASCII but that
// are used as look-alikes of ASCII letters (e.g. Cyrillic "к" -> skeleton "ĸ" -> "k").
constexpr std::pair<UChar32, char> kLatinFixups[] = {
    {0x0138, 'k'}, {0x1D0E, 'n'}, {0x1D19, 'r'}, {0x028D, 'm'}, {0x1D1B, 't'}, {0x0280, 'r'},
    {0x029C, 'h'}, {0x0274, 'n'}, {0x0299, 'b'}, {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'},
    {0xA730, 'f'}, {0x0262, 'g'}, {0x1D0A, 'j'}, {0x029F, 'l'}, {0x1D0D, 'm'}, {0x1D0F, 'o'},
    {0x1D18, 'p'}, {0x1D1C, 'u'}, {0x1D20, 'v'}, {0x1D21, 'w'}, {0x028F, 'y'}, {0x1D22, 'z'},
    {0x1D00, 'a'}, {0x026A, 'i'}, {0x1D0B, 'k'}, {0xA731, 's'}, {0x0261, 'g'}, {0x0251, 'a'},
};

char LatinFixup(UChar32 c) {
  for (const auto& [from, to] : kLatinFixups) {
    if (from == c) return to;
  }
  // Negative circled / negative squared Latin capitals and regional indicators, which NFKC
  // leaves alone but which spell words ("🅺🅸🅻🅻").
  if (c >= 0x1F150 && c <= 0x1F169) return static_cast<char>('a' + (c - 0x1F150));
  if (c >= 0x1F170 && c <= 0x1F189) return static_cast<char>('a' + (c - 0x1F170));
  if (c >= 0x1F1E6 && c <= 0x1F1FF) return static_cast<char>('a' + (c - 0x1F1E6));
  return 0;
}

// Removed outright, whatever ICU says: zero-width, bidi controls, joiners, soft hyphen,
// variation selectors, emoji skin-tone modifiers.
bool IsForcedIgnorable(UChar32 c) {
  return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x180E || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || (c >= 0xFE00 && c <= 0xFE0F) ||
         (c >= 0x1F3FB && c <= 0x1F3FF);
}

bool IsSkeletonScript(UChar32 c) {
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode s = uscript_getScript(c, &err);
  if (U_FAILURE(err)) return false;
  switch (s) {
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
    case USCRIPT_CYRILLIC:
    case USCRIPT_ARMENIAN:
    case USCRIPT_CHEROKEE:
    case USCRIPT_COPTIC:
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED:
      return true;
    default:
      return false;
  }
}

uint8_t ClassifyNonAscii(UChar32 c) {
  switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return kLetter;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      return kMark;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return kWordOther;
    case U_FORMAT_CHAR:
      return kIgnore;
    default:
      return kSep;
  }
}

void AppendUtf8(UChar32 c, std::string* s) {
  char buf[4];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  s->append(buf, static_cast<size_t>(n));
}

// Length of the UTF-8 sequence whose lead byte is `b` (text we generate is valid UTF-8).
inline size_t SeqLen(unsigned char b) {
  if (b < 0x80) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return 4;
}

// Strict UTF-8 decode of one code point at s[i] (s[i] >= 0x80). Returns its length, or 0 if
// the bytes are ill-formed (overlong, surrogate, > U+10FFFF, truncated).
inline size_t DecodeUtf8(const unsigned char* s, size_t n, size_t i, UChar32* cp) {
  unsigned char b0 = s[i];
  auto cont = [&](size_t k) { return i + k < n && (s[i + k] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return 0;
    *cp = ((b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    unsigned char b1 = s[i + 1];
    if (b0 == 0xE0 && b1 < 0xA0) return 0;
    if (b0 == 0xED && b1 > 0x9F) return 0;
    *cp = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (s[i + 2] & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    unsigned char b1 = s[i + 1];
    if (b0 == 0xF0 && b1 < 0x90) return 0;
    if (b0 == 0xF4 && b1 > 0x8F) return 0;
    *cp = ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
    return 4;
  }
  return 0;
}

}  // namespace

struct Normalizer::Tables {
  std::array<uint8_t, 128> ascii_cls{};
  std::array<char, 128> ascii_out{};
  std::array<char, 128> leet{};  // 0 = no substitution
  // Per code point below kTableSize: a class (no output), a class | kIdentityFlag (output is
  // the input bytes), or kPoolEntry (output is the sub-units at ref[cp]).
  std::vector<uint8_t> cls;
  // For kPoolEntry: offset << 8 | length into pool. A sub-unit is [class][length][bytes].
  std::vector<uint32_t> ref;
  std::string pool;
};

namespace {

// Computes the table entry of one non-ASCII code point with ICU.
class TableBuilder {
 public:
  TableBuilder(const NormalizerOptions& o, const UNormalizer2* nfkc_cf, const USpoofChecker* sc)
      : o_(o), nfkc_cf_(nfkc_cf), sc_(sc) {}

  // Fills `units` ([class][len][bytes]...) for code point c; returns false on ICU failure.
  bool Compute(UChar32 c, const std::array<uint8_t, 128>& ascii_cls,
               const std::array<char, 128>& ascii_out, std::string* units) {
    units->clear();
    auto add = [&](uint8_t cls, std::string_view bytes) {
      units->push_back(static_cast<char>(cls));
      units->push_back(static_cast<char>(bytes.size()));
      units->append(bytes);
    };
    auto add_ascii = [&](UChar32 a) {
      char ch = ascii_out[a];
      add(ascii_cls[a], std::string_view(&ch, 1));
    };
    auto add_cp = [&](UChar32 e) {
      if (e < 0x80) {
        add_ascii(u_tolower(e));
        return;
      }
      if (char f = LatinFixup(e)) {
        add_ascii(f);
        return;
      }
      // Skeletons are not case-folded ("º" -> "o"): fold again when that yields ASCII.
      UChar e16[2], ef[16];
      int32_t e16_len = 0;
      U16_APPEND_UNSAFE(e16, e16_len, e);
      UErrorCode ferr = U_ZERO_ERROR;
      int32_t ef_len = unorm2_normalize(nfkc_cf_, e16, e16_len, ef, 16, &ferr);
      bool ascii = U_SUCCESS(ferr) && ef_len > 0;
      for (int32_t k = 0; ascii && k < ef_len; ++k) ascii = ef[k] < 0x80 && ef[k] > 0x20;
      if (ascii) {
        for (int32_t k = 0; k < ef_len; ++k) add_ascii(ef[k]);
        return;
      }
      std::string b;
      AppendUtf8(e, &b);
      add(ClassifyNonAscii(e), b);
    };

    int8_t gc = u_charType(c);
    if (gc == U_UNASSIGNED || gc == U_PRIVATE_USE_CHAR || gc == U_SURROGATE) return true;
    if (IsForcedIgnorable(c)) {
      units->assign(1, static_cast<char>(kIgnore));
      return true;
    }
    if (char f = LatinFixup(c)) {
      add_ascii(f);
      return true;
    }
    if ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
        (c >= 0xAC00 && c <= 0xD7A3)) {
      std::string b;
      AppendUtf8(c, &b);
      add(kLetter, b);
      return true;
    }

    UChar in[2];
    int32_t in_len = 0;
    U16_APPEND_UNSAFE(in, in_len, c);
    UChar folded[64];
    UErrorCode err = U_ZERO_ERROR;
    int32_t folded_len = unorm2_normalize(nfkc_cf_, in, in_len, folded, 64, &err);
    if (U_FAILURE(err)) return false;

    if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC)) {
      bool ascii = folded_len > 0;
      for (int32_t k = 0; k < folded_len; ++k) ascii = ascii && folded[k] < 0x80;
      if (!ascii) {
        if (!o_.emoji_tokens) return true;  // kSep
        char hex[16];
        int n = std::snprintf(hex, sizeof hex, "u%x", static_cast<unsigned>(c));
        add(kEmoji, std::string_view(hex, static_cast<size_t>(n)));
        return true;
      }
    }
    if (folded_len == 0) {
      units->assign(1, static_cast<char>(kIgnore));
      return true;
    }

    for (int32_t k = 0; k < folded_len;) {
      UChar32 d;
      U16_NEXT(folded, k, folded_len, d);
      if (d < 0x80) {
        add_ascii(d);
        continue;
      }
      // Skeletons only for letters and marks: symbols are boundaries either way, and their
      // skeletons are multi-character junk ("‰" -> "º/₀₀").
      const uint8_t dcls = ClassifyNonAscii(d);
      if (!o_.confusable_skeletons || (dcls != kLetter && dcls != kMark) || !IsSkeletonScript(d)) {
        add_cp(d);
        continue;
      }
      UChar din[2];
      int32_t din_len = 0;
      U16_APPEND_UNSAFE(din, din_len, d);
      UChar skel[64];
      err = U_ZERO_ERROR;
      int32_t skel_len = uspoof_getSkeleton(sc_, 0, din, din_len, skel, 64, &err);
      if (U_FAILURE(err)) return false;
      for (int32_t j = 0; j < skel_len;) {
        UChar32 e;
        U16_NEXT(skel, j, skel_len, e);
        add_cp(e);
      }
    }
    return true;
  }

 private:
  const NormalizerOptions& o_;
  const UNormalizer2* nfkc_cf_;
  const USpoofChecker* sc_;
};

}  // namespace

Result<std::unique_ptr<const Normalizer>> Normalizer::Create(NormalizerOptions options) {
  if (options.max_input_bytes < 1 || options.max_input_bytes > (size_t{1} << 30)) {
    return InvalidArgument("max_input_bytes must be in [1, 2^30]", "max_input_bytes");
  }
  if (options.repeat_squeeze_to < 1 || options.repeat_squeeze_to > 2) {
    return InvalidArgument("repeat_squeeze_to must be 1 or 2", "repeat_squeeze_to");
  }
  if (options.min_single_run < 0) {
    return InvalidArgument("min_single_run must be >= 0", "min_single_run");
  }

  auto t = std::make_unique<Tables>();
  for (int c = 0; c < 128; ++c) {
    t->ascii_cls[c] = kSep;
    t->ascii_out[c] = static_cast<char>(c);
    if (c >= 'A' && c <= 'Z') {
      t->ascii_cls[c] = kLetter;
      t->ascii_out[c] = static_cast<char>(c - 'A' + 'a');
    } else if (c >= 'a' && c <= 'z') {
      t->ascii_cls[c] = kLetter;
    } else if (c >= '0' && c <= '9') {
      t->ascii_cls[c] = kDigit;
    }
  }
  if (options.leetspeak) {
    constexpr std::pair<char, char> kLeetMap[] = {
        {'0', 'o'}, {'1', 'i'}, {'3', 'e'}, {'4', 'a'}, {'5', 's'}, {'6', 'b'}, {'7', 't'},
        {'8', 'a'}, {'9', 'g'}, {'$', 's'}, {'@', 'a'}, {'!', 'i'}, {'|', 'l'}, {'+', 't'}};
    for (auto [from, to] : kLeetMap) {
      t->leet[static_cast<unsigned char>(from)] = to;
      if (t->ascii_cls[static_cast<unsigned char>(from)] == kSep) {
        t->ascii_cls[static_cast<unsigned char>(from)] = kLeet;
      }
    }
  }

  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* nfkc_cf = unorm2_getNFKCCasefoldInstance(&err);
  if (U_FAILURE(err)) return Internal(std::string("ICU NFKC_Casefold: ") + u_errorName(err));
  std::unique_ptr<USpoofChecker, void (*)(USpoofChecker*)> sc(uspoof_open(&err), uspoof_close);
  if (U_FAILURE(err)) return Internal(std::string("ICU uspoof_open: ") + u_errorName(err));

  t->cls.assign(kTableSize, kSep);
  t->ref.assign(kTableSize, 0);
  TableBuilder tb(options, nfkc_cf, sc.get());
  std::string units;
  for (UChar32 c = 0x80; c < static_cast<UChar32>(kTableSize); ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    if (!tb.Compute(c, t->ascii_cls, t->ascii_out, &units)) {
      return Internal("ICU failed while building the normalisation table");
    }
    if (units.empty()) continue;  // kSep
    if (units.size() == 1) {      // a class without output (kIgnore)
      t->cls[c] = static_cast<uint8_t>(units[0]);
      continue;
    }
    std::string self;
    AppendUtf8(c, &self);
    if (units.size() == 2 + self.size() && static_cast<size_t>(units[1]) == self.size() &&
        units.compare(2, std::string::npos, self) == 0) {
      t->cls[c] = kIdentityFlag | static_cast<uint8_t>(units[0]);
      continue;
    }
    BULWARK_CHECK(units.size() < 256 && t->pool.size() < (1u << 24));
    t->cls[c] = kPoolEntry;
    t->ref[c] = static_cast<uint32_t>(t->pool.size() << 8 | units.size());
    t->pool += units;
  }
  return std::unique_ptr<const Normalizer>(new Normalizer(options, std::move(t)));
}

Normalizer::Normalizer(NormalizerOptions options, std::unique_ptr<const Tables> tables)
    : options_(options), tables_(std::move(tables)) {}

Normalizer::~Normalizer() = default;

void NormalizedText::Clear() {
  text.clear();
  tokens.clear();
  byte_origin.clear();
  truncated = false;
  had_invalid_utf8 = false;
}

std::pair<uint32_t, uint32_t> NormalizedText::OriginalSpan(uint32_t b, uint32_t e) const {
  const uint32_t n = static_cast<uint32_t>(byte_origin.size());
  e = std::min(e, n);
  if (b >= e) {
    uint32_t at = b < n ? byte_origin[b].begin : (n > 0 ? byte_origin[n - 1].end : 0);
    return {at, at};
  }
  return {byte_origin[b].begin, byte_origin[e - 1].end};
}

// Turns the unit stream into tokens, in place in the output buffers.
class Normalizer::Builder {
 public:
  Builder(const Normalizer& n, NormalizedText* out)
      : t_(*n.tables_), o_(n.options_), out_(*out), text_(out->text), origin_(out->byte_origin) {}

  void Unit(uint8_t cls, const char* bytes, size_t len, uint32_t ob, uint32_t oe) {
    switch (cls) {
      case kLetter:
      case kDigit:
      case kWordOther:
      case kLeet:
        if (!in_word_) StartWord(ob);
        if (cls == kLetter) has_letter_ = true;
        needs_work_ = true;  // conservative: full processing for non-ASCII words
        Append(bytes, len, ob, oe);
        ++word_cps_;
        return;
      case kMark:
        if (!in_word_) return;
        if (static_cast<unsigned char>(text_.back()) < 0x80) {
          origin_.back().end = oe;  // accent on a Latin letter: dropped, but highlighted
          return;
        }
        Append(bytes, len, ob, oe);
        return;
      case kIgnore:
        return;
      case kEmoji:
        StandaloneToken(bytes, len, ob, oe);
        return;
      default:  // kSep
        if (in_word_) EndWord();
        ++gap_cps_;
        return;
    }
  }

  // Hot path: consumes the run of ASCII word bytes starting at s[i]; returns its end.
  size_t AsciiWordRun(const unsigned char* s, size_t i, size_t n) {
    if (!in_word_) StartWord(static_cast<uint32_t>(i));
    bool letter = false, special = false;
    char prev = prev_byte_;
    int repeat = repeat_;
    size_t j = i;
    for (; j < n && s[j] < 0x80; ++j) {
      const uint8_t cls = t_.ascii_cls[s[j]];
      if (!IsWordClass(cls)) break;
      const char lc = t_.ascii_out[s[j]];
      text_.push_back(lc);
      origin_.push_back(OrigRange{static_cast<uint32_t>(j), static_cast<uint32_t>(j + 1)});
      letter |= cls == kLetter;
      special |= cls != kLetter;
      if (lc == prev) {
        special |= ++repeat >= 3;
      } else {
        prev = lc;
        repeat = 1;
      }
    }
    prev_byte_ = prev;
    repeat_ = repeat;
    has_letter_ |= letter;
    needs_work_ |= special;
    word_cps_ += static_cast<int>(j - i);
    return j;
  }

  // A token of its own that never joins a run: an emoji, or "(((" / ")))".
  void StandaloneToken(const char* bytes, size_t len, uint32_t ob, uint32_t oe) {
    if (in_word_) EndWord();
    CloseRun();
    StartWord(ob);
    Append(bytes, len, ob, oe);
    in_word_ = false;
    PushToken();
  }

  void AsciiSep() {
    if (in_word_) EndWord();
    ++gap_cps_;
  }

  void Finish() {
    if (in_word_) EndWord();
    CloseRun();
  }

 private:
  void StartWord(uint32_t ob) {
    in_word_ = true;
    has_letter_ = false;
    needs_work_ = false;
    prev_byte_ = 0;
    repeat_ = 0;
    word_cps_ = 0;
    space_pos_ = text_.size();
    if (!text_.empty()) {
      text_.push_back(' ');
      // One input character can yield several tokens ("⑴" -> "( 1 )" style expansions), so
      // the gap can be empty: keep the span ordered and the map non-decreasing.
      origin_.push_back({std::min(last_tok_orig_end_, ob), std::max(last_tok_orig_end_, ob)});
    }
    word_begin_ = text_.size();
  }

  void Append(const char* bytes, size_t len, uint32_t ob, uint32_t oe) {
    text_.append(bytes, len);
    origin_.insert(origin_.end(), len, OrigRange{ob, oe});
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  static bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
  static bool IsEdgeTrim(char c) { return c == '!' || c == '|' || c == '+'; }

  // Leetspeak and squeezing, in place on text_[begin, end) (and origin_); returns the new end
  // and the number of code points left in *cps. Bytes after `end` are untouched.
  size_t ProcessWord(size_t begin, size_t end, bool has_letter, int* cps) {
    const size_t w0 = begin;
    // Symbols that are letters only inside words are stripped from the edges ("kill!").
    while (begin < end && IsEdgeTrim(text_[begin])) ++begin;
    while (end > begin && (IsEdgeTrim(text_[end - 1]) || text_[end - 1] == '@')) --end;
    // A token of one repeated character ("kkk", "iii", "www") keeps up to 3 copies, so that
    // "kkk" stays apart from "kk".
    bool uniform = has_letter && begin < end;
    if (uniform) {
      const size_t l0 = SeqLen(static_cast<unsigned char>(text_[begin]));
      for (size_t r = begin + l0; uniform && r < end; r += l0) {
        uniform = r + l0 <= end && std::memcmp(&text_[begin], &text_[r], l0) == 0;
      }
    }
    const int cap = uniform ? 3 : 2;
    size_t w = w0;
    size_t prev = std::string::npos;  // start of the previous written code point
    size_t prev_len = 0;
    int run = 0;
    *cps = 0;
    for (size_t r = begin; r < end;) {
      const unsigned char b = static_cast<unsigned char>(text_[r]);
      const size_t len = SeqLen(b);
      if (len == 1) {
        if (t_.ascii_cls[b] == kLeet && !has_letter) {  // "$100" -> "100"
          ++r;
          continue;
        }
        // Only lone digits are leet ("k1ll"); digit runs are codes or numbers ("c18",
        // "covid19"), so "c18" does not become "cia". A pair of leet digits between letters
        // is spelling too ("refug33s", "chri57ians"): the second is replaced here, so the
        // first reads as lone below.
        if (o_.leet_digit_pairs && has_letter && t_.ascii_cls[b] == kDigit && t_.leet[b] &&
            r + 2 < end && IsDigit(text_[r + 1]) &&
            t_.leet[static_cast<unsigned char>(text_[r + 1])] && IsLower(text_[r + 2]) &&
            prev != std::string::npos && prev_len == 1 && IsLower(text_[prev]) &&
            (r == begin || !IsDigit(text_[r - 1]))) {
          text_[r + 1] = t_.leet[static_cast<unsigned char>(text_[r + 1])];
        }
        if (has_letter && t_.leet[b] &&
            (t_.ascii_cls[b] != kDigit || ((r == begin || !IsDigit(text_[r - 1])) &&
                                           (r + 1 == end || !IsDigit(text_[r + 1]))))) {
          text_[r] = t_.leet[b];
        }
      }
      if (has_letter && prev != std::string::npos && len == prev_len &&
          std::memcmp(&text_[prev], &text_[r], len) == 0) {
        ++run;
        if (run > cap) {
          if (!uniform && run == 3 && o_.repeat_squeeze_to == 1) {  // drop the 2nd copy written
            w -= len;
            prev = w - len;
            --*cps;
          }
          for (size_t k = 0; k < len; ++k) origin_[w - len + k].end = origin_[r + k].end;
          r += len;
          continue;
        }
      } else {
        run = 1;
      }
      if (w != r) {
        std::memmove(&text_[w], &text_[r], len);
        std::memmove(&origin_[w], &origin_[r], len * sizeof(OrigRange));
      }
      prev = w;
      prev_len = len;
      w += len;
      r += len;
      ++*cps;
    }
    return w;
  }

  void EndWord() {
    in_word_ = false;
    int cps = word_cps_;
    // Words of plain ASCII letters without triple repeats need no second pass.
    size_t end =
        needs_work_ ? ProcessWord(word_begin_, text_.size(), has_letter_, &cps) : text_.size();
    if (end == word_begin_) {  // nothing left ("!!!"): drop it and its separator
      text_.resize(space_pos_);
      origin_.resize(space_pos_);
      gap_cps_ += word_cps_;
      return;
    }
    text_.resize(end);
    origin_.resize(end);
    PushToken();
    const size_t idx = out_.tokens.size() - 1;
    const bool single = cps == 1;
    const bool gap_ok = gap_since_prev_ >= 1 && gap_since_prev_ <= 3;
    if (single && run_len_ > 0 && gap_ok && run_first_ + run_len_ == idx) {
      ++run_len_;
    } else {
      CloseRun();
      if (single) {
        run_first_ = out_.tokens.size() - 1;
        run_len_ = 1;
      }
    }
  }

  void PushToken() {
    const uint32_t b = static_cast<uint32_t>(word_begin_);
    const uint32_t e = static_cast<uint32_t>(text_.size());
    out_.tokens.push_back(Token{b, e, origin_[b].begin, origin_[e - 1].end});
    last_tok_orig_end_ = origin_[e - 1].end;
    gap_since_prev_ = gap_cps_;
    gap_cps_ = 0;
  }

  // Joins the current run of single-character tokens if it is long enough.
  void CloseRun() {
    const size_t first = run_first_, n = static_cast<size_t>(run_len_);
    run_len_ = 0;
    if (o_.min_single_run == 0 || n < static_cast<size_t>(o_.min_single_run)) return;
    auto& toks = out_.tokens;
    const size_t begin = toks[first].begin;
    const size_t tail = toks[first + n - 1].end;
    size_t w = begin;
    bool has_letter = false;
    for (size_t k = first; k < first + n; ++k) {
      for (size_t r = toks[k].begin; r < toks[k].end; ++r, ++w) {
        const unsigned char c = static_cast<unsigned char>(text_[r]);
        has_letter |= c >= 0x80 || t_.ascii_cls[c] == kLetter;
        text_[w] = text_[r];
        origin_[w] = origin_[r];
      }
    }
    int cps = 0;
    const size_t end = ProcessWord(begin, w, has_letter, &cps);
    BULWARK_CHECK(end > begin);
    const size_t shift = tail - end;
    const size_t size = text_.size();
    if (shift > 0) {
      std::memmove(&text_[end], &text_[tail], size - tail);
      std::memmove(&origin_[end], &origin_[tail], (size - tail) * sizeof(OrigRange));
      text_.resize(size - shift);
      origin_.resize(size - shift);
    }
    toks[first] = Token{static_cast<uint32_t>(begin), static_cast<uint32_t>(end),
                        origin_[begin].begin, origin_[end - 1].end};
    toks.erase(toks.begin() + static_cast<std::ptrdiff_t>(first + 1),
               toks.begin() + static_cast<std::ptrdiff_t>(first + n));
    for (size_t k = first + 1; k < toks.size(); ++k) {
      toks[k].begin -= static_cast<uint32_t>(shift);
      toks[k].end -= static_cast<uint32_t>(shift);
    }
  }

  const Tables& t_;
  const NormalizerOptions& o_;
  NormalizedText& out_;
  std::string& text_;
  std::vector<OrigRange>& origin_;

  bool in_word_ = false;
  bool has_letter_ = false;
  bool needs_work_ = false;  // the word has digits, symbols, non-ASCII or a triple repeat
  char prev_byte_ = 0;
  int repeat_ = 0;
  int word_cps_ = 0;
  size_t space_pos_ = 0;   // where the current word's separator space starts
  size_t word_begin_ = 0;  // first byte of the current word
  uint32_t last_tok_orig_end_ = 0;
  int gap_cps_ = 0;         // boundary code points since the last token
  int gap_since_prev_ = 0;  // boundary code points between the last two tokens
  size_t run_first_ = 0;    // run of single-character tokens
  int run_len_ = 0;
};

void Normalizer::Normalize(std::string_view input, NormalizedText* out) const {
  out->Clear();
  size_t n = input.size();
  if (n > options_.max_input_bytes) {
    out->truncated = true;
    n = options_.max_input_bytes;
    // Do not cut a code point in half: back up to its lead byte (at most 3 bytes).
    for (int k = 0; k < 3 && n > 0 && (static_cast<unsigned char>(input[n]) & 0xC0) == 0x80; ++k) {
      --n;
    }
  }
  out->text.reserve(n + 16);
  out->byte_origin.reserve(n + 16);

  const Tables& t = *tables_;
  const auto* s = reinterpret_cast<const unsigned char*>(input.data());
  Builder b(*this, out);
  for (size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    const uint32_t pos = static_cast<uint32_t>(i);
    if (c < 0x80) {
      if ((c == '(' || c == ')') && i + 2 < n && s[i + 1] == c && s[i + 2] == c) {
        // The antisemitic "echo" ((( name ))): runs of 3+ parentheses are tokens "(((", ")))".
        size_t j = i + 3;
        while (j < n && s[j] == c) ++j;
        b.StandaloneToken(c == '(' ? "(((" : ")))", 3, pos, static_cast<uint32_t>(j));
        i = j;
        continue;
      }
      if (IsWordClass(t.ascii_cls[c])) {
        i = b.AsciiWordRun(s, i, n);
      } else {
        b.AsciiSep();
        ++i;
      }
      continue;
    }
    UChar32 cp = 0;
    const size_t len = DecodeUtf8(s, n, i, &cp);
    if (len == 0) {
      out->had_invalid_utf8 = true;
      ++i;  // U+FFFD semantics: the bad byte is replaced, then dropped without a boundary
      continue;
    }
    const uint32_t end = static_cast<uint32_t>(i + len);
    const char* bytes = input.data() + i;
    i += len;
    if (cp >= static_cast<UChar32>(kTableSize)) {
      if (cp >= 0xE0000 && cp <= 0xE0FFF) continue;  // tags, variation selectors supplement
      if (cp < 0x40000) {
        b.Unit(kLetter, bytes, len, pos, end);  // CJK extensions
      } else {
        b.Unit(kSep, nullptr, 0, pos, end);
      }
      continue;
    }
    const uint8_t e = t.cls[static_cast<size_t>(cp)];
    if (e & kIdentityFlag) {
      b.Unit(e & ~kIdentityFlag, bytes, len, pos, end);
    } else if (e == kPoolEntry) {
      const uint32_t ref = t.ref[static_cast<size_t>(cp)];
      const char* u = t.pool.data() + (ref >> 8);
      const char* u_end = u + (ref & 0xFF);
      while (u < u_end) {
        const uint8_t ucls = static_cast<uint8_t>(u[0]);
        const size_t ulen = static_cast<uint8_t>(u[1]);
        b.Unit(ucls, u + 2, ulen, pos, end);
        u += 2 + ulen;
      }
    } else {
      b.Unit(e, nullptr, 0, pos, end);
    }
  }
  b.Finish();
}

NormalizedText Normalizer::Normalize(std::string_view input) const {
  NormalizedText out;
  Normalize(input, &out);
  return out;
}

}  // namespace bulwark::text
