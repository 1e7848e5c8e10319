// Fuzzes text::Normalizer: no crash, no sanitizer report, and every documented invariant of
// NormalizedText holds (valid UTF-8, token/offset spans in bounds and monotonic, the text is
// the tokens joined by single spaces).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>

#include "fuzz_check.h"
#include "text/normalizer.h"

namespace {

using bulwark::text::NormalizedText;
using bulwark::text::Normalizer;
using bulwark::text::NormalizerOptions;

const Normalizer& Make(NormalizerOptions o) {
  auto r = Normalizer::Create(o);
  FUZZ_CHECK(r.ok());
  return *std::move(r).value().release();
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

void Check(std::string_view in, const NormalizedText& nt) {
  FUZZ_CHECK(nt.text.size() == nt.byte_origin.size());
  FUZZ_CHECK(ValidUtf8(nt.text));
  FUZZ_CHECK(nt.text.empty() || (nt.text.front() != ' ' && nt.text.back() != ' '));
  size_t expect_begin = 0;
  for (size_t i = 0; i < nt.tokens.size(); ++i) {
    const auto& t = nt.tokens[i];
    FUZZ_CHECK(t.begin == expect_begin);
    FUZZ_CHECK(t.begin < t.end && t.end <= nt.text.size());
    FUZZ_CHECK(t.orig_begin <= t.orig_end && t.orig_end <= in.size());
    FUZZ_CHECK(nt.TokenText(i).find(' ') == std::string_view::npos);
    FUZZ_CHECK(t.end == nt.text.size() || nt.text[t.end] == ' ');
    auto span = nt.OriginalSpan(t.begin, t.end);
    FUZZ_CHECK(span.first == t.orig_begin && span.second == t.orig_end);
    expect_begin = t.end + 1;
  }
  FUZZ_CHECK(nt.tokens.empty() ? nt.text.empty() : nt.tokens.back().end == nt.text.size());
  uint32_t lb = 0, le = 0;
  for (const auto& r : nt.byte_origin) {
    FUZZ_CHECK(r.begin <= r.end && r.end <= in.size());
    FUZZ_CHECK(r.begin >= lb && r.end >= le);
    lb = r.begin;
    le = r.end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Normalizer& kDefault = Make({});
  static const Normalizer& kSmall = [] {
    NormalizerOptions o;
    o.max_input_bytes = 64;
    o.repeat_squeeze_to = 1;
    o.emoji_tokens = false;
    return std::ref(Make(o));
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static NormalizedText reused;  // exercises buffer reuse across inputs
  kDefault.Normalize(in, &reused);
  Check(in, reused);
  NormalizedText small = kSmall.Normalize(in);
  Check(in, small);
  FUZZ_CHECK(small.truncated == (size > 64));
  return 0;
}
