// Fuzzes detect::AttackAnalyzer with the shipped vocabulary (data/attack): any bytes go through
// the normaliser and the analyzer with no crash or sanitizer report, and every finding is
// well-formed (bounded count, spans inside the input, token ranges inside the text, weight in
// (0, 1], severity 1..4).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "detect/attack.h"
#include "fuzz_check.h"
#include "text/normalizer.h"

namespace {

struct Fixture {
  std::unique_ptr<const bulwark::text::Normalizer> normalizer;
  std::shared_ptr<const bulwark::detect::AttackAnalyzer> attack;
  Fixture() {
    auto n = bulwark::text::Normalizer::Create();
    FUZZ_CHECK(n.ok());
    normalizer = std::move(n).value();
    auto a =
        bulwark::detect::AttackAnalyzer::Load(std::string(BULWARK_SOURCE_DIR) + "/data/attack");
    FUZZ_CHECK(a.ok());
    attack = *a;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  static bulwark::detect::AttackScratch scratch;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bulwark::text::NormalizedText norm;
  f.normalizer->Normalize(text, &norm);
  f.attack->Analyze(text, norm, {}, &scratch);
  FUZZ_CHECK(scratch.findings.size() <= bulwark::detect::kMaxFindings);
  for (const auto& x : scratch.findings) {
    FUZZ_CHECK(x.orig_begin <= x.orig_end && x.orig_end <= size);
    FUZZ_CHECK(x.ref_begin < x.ref_end && x.ref_end <= norm.tokens.size());
    FUZZ_CHECK(x.pred_begin < x.pred_end && x.pred_end <= norm.tokens.size());
    FUZZ_CHECK(x.weight > 0 && x.weight <= 1.0);
    FUZZ_CHECK(x.severity >= 1 && x.severity <= 4);
  }
  return 0;
}
