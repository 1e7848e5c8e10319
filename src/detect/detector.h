#pragma once

// Detector: the whole detection pipeline as one immutable snapshot.
//
//   text --Normalizer--> tokens --Lexicon (Hyperscan)--> hits --ContextAnalyzer--> weighted
//   evidence;  tokens --ClaimMatcher--> known-claim matches;  tokens --Classifier (fastText)-->
//   calibrated label probabilities;  all of it --Ensemble--> Verdict (per-category calibrated
//   probability, label, targets, evidence, context flags, versions).
//
// A Detector is immutable after Load(): Classify() is const and thread-safe; each thread passes
// its own DetectorScratch (reused across calls, so steady-state classification allocates only
// the Verdict's evidence). Snapshots are shared as std::shared_ptr<const Detector>; a
// DetectorHandle swaps in a new snapshot on Reload() while requests in flight finish on the
// old one.
//
// Limits (STYLE.md rule 6): input beyond max_input_bytes is cut at a code-point boundary and the
// verdict says `truncated` and `needs_review`; a lexicon hit overflow or a classifier failure
// makes the verdict `complete = false`, `needs_review = true`, with the reason in `issues`.
// A verdict is never "clean" for a text that was not fully examined without saying so.
// Time and memory per call are linear in min(text size, max_input_bytes).

#include <array>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "detect/attack.h"
#include "detect/claims.h"
#include "detect/classifier.h"
#include "detect/context.h"
#include "detect/ensemble.h"
#include "detect/lexicon.h"
#include "detect/verdict.h"
#include "text/normalizer.h"

namespace bulwark::detect {

inline constexpr std::string_view kDetectorVersion = "bulwark-detect-1";

// Languages the detectors were built for and measured on held-out data (docs/detection.md,
// "Languages"): verdicts in these have coverage "full", all others "none".
inline constexpr std::string_view kCoveredLanguages[] = {"en"};

// "full" or "none" for a language code and CLD2's reliability flag. "und" (CLD2 could not
// tell: very short texts, emoji, numbers) and an unreliable covered language count as covered
// when at least 90% of the text's letters are ASCII (the detectors' English vocabulary and
// model then apply to whatever words there are), and as not covered otherwise.
std::string_view CoverageOf(std::string_view language, bool reliable, std::string_view text);

struct DetectorConfig {
  // The repository's data/ directory (lexicon/, claims/, models/).
  std::filesystem::path data_dir = "data";
  // Overrides; empty means the default under data_dir.
  std::filesystem::path lexicon_dir;  // data_dir/lexicon
  std::filesystem::path claims_file;  // data_dir/claims/known_false_claims.jsonl
  std::filesystem::path attack_dir;   // data_dir/attack (missing: no attack analysis)
  // A classifier bundle (manifest.json + model.ftz). Empty: data_dir/models if it holds a
  // manifest.json, else the first (by name) data_dir/models/<sub>/ that does; none found means
  // no classifier (model version "none") unless require_model.
  std::filesystem::path model_dir;
  bool require_model = false;
  // Optional ensemble weights (EnsembleParams JSON); empty: the built-in defaults.
  std::filesystem::path ensemble_file;
  // Directory for the compiled Hyperscan database cache; empty disables caching.
  std::string lexicon_cache_dir;

  size_t max_input_bytes = 1 << 20;  // longer input is truncated and flagged
  // Stages can be switched off (benchmarks, diagnosis). A disabled stage is reported in the
  // versions as "disabled".
  bool enable_lexicon = true;
  bool enable_claims = true;
  bool enable_classifier = true;
  bool enable_attack = true;
  bool enable_language = true;  // CLD2 language identification (verdict language/coverage)
  // Known-claim matches below this containment are ignored.
  double min_claim_containment = 0.3;
  // Per-category threshold overrides (nullopt: the ensemble's threshold).
  std::array<std::optional<double>, kNumCategories> thresholds{};
};

// Per-thread working memory. Not thread-safe; cheap to keep, reuse it.
struct DetectorScratch {
  text::NormalizedText norm;
  LexiconScratch lexicon;
  std::vector<LexiconHit> hits;
  ContextScratch context;
  ClaimScratch claims;
  std::vector<ClaimMatch> claim_matches;
  std::vector<HitTokens> hit_tokens;
  std::vector<uint32_t> group_refs;  // hits that name a group (identity terms, targeted slurs)
  AttackScratch attack;
  std::vector<ExternalRef> slur_refs;
};

class Detector {
 public:
  // Loads every component named by `config`. NotFound / InvalidArgument from the component that
  // failed, with its path in the message.
  static Result<std::shared_ptr<const Detector>> Load(const DetectorConfig& config);

  // Assembles a detector from loaded parts (tests, embedding). `classifier` and `claims` may be
  // null (stage off); `lexicon` must not be.
  static Result<std::shared_ptr<const Detector>> Create(
      const DetectorConfig& config, std::shared_ptr<const text::Normalizer> normalizer,
      std::shared_ptr<const Lexicon> lexicon, std::shared_ptr<const ClaimMatcher> claims,
      std::shared_ptr<const Classifier> classifier, EnsembleParams params,
      std::shared_ptr<const AttackAnalyzer> attack = nullptr);

  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Classifies one text (any bytes). Never fails: problems are reported inside the verdict.
  void Classify(std::string_view text, DetectorScratch* scratch, Verdict* out) const;
  Verdict Classify(std::string_view text, DetectorScratch* scratch) const;
  // Convenience with a temporary scratch (slower: allocates Hyperscan scratch per call).
  Verdict Classify(std::string_view text) const;

  // Model / lexicon / claims / ensemble versions, thresholds and sources, for
  // `bulwark version --detectors` and the server's version endpoint.
  nlohmann::json VersionReport() const;

  const std::string& lexicon_version() const { return lexicon_version_; }
  const std::string& model_version() const { return model_version_; }
  const std::string& claims_version() const { return claims_version_; }
  const EnsembleParams& ensemble() const { return params_; }
  const DetectorConfig& config() const { return config_; }
  const Classifier* classifier() const { return classifier_.get(); }
  const AttackAnalyzer* attack() const { return attack_.get(); }
  const Lexicon& lexicon() const { return *lexicon_; }
  const text::Normalizer& normalizer() const { return *normalizer_; }
  double threshold(Category c) const { return params_.of(c).threshold; }

 private:
  Detector() = default;
  void Score(std::string_view text, DetectorScratch* s, Verdict* v) const;

  DetectorConfig config_;
  std::shared_ptr<const text::Normalizer> normalizer_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::shared_ptr<const ClaimMatcher> claims_;
  std::shared_ptr<const Classifier> classifier_;
  std::shared_ptr<const AttackAnalyzer> attack_;
  bool classifier_takes_normalized_ = false;  // its input preparation == our normaliser output
  ContextAnalyzer context_;
  EnsembleParams params_;
  std::string detector_version_, lexicon_version_, model_version_, claims_version_;
  std::string attack_version_;
  std::string model_source_;
};

// A thread-safe free list of scratch objects, for request handlers that do not own a thread
// (e.g. the server's POST /v1/classify): Acquire() one per request, Release() it afterwards.
// A scratch works with any Detector snapshot, so the pool survives reloads.
class DetectorScratchPool {
 public:
  std::unique_ptr<DetectorScratch> Acquire();
  // Keeps at most `max_free` scratch objects; extra ones are freed.
  void Release(std::unique_ptr<DetectorScratch> scratch);
  explicit DetectorScratchPool(size_t max_free = 64) : max_free_(max_free) {}

 private:
  const size_t max_free_;
  std::mutex mu_;
  std::vector<std::unique_ptr<DetectorScratch>> free_;
};

// Holds the current Detector snapshot; Reload() swaps in a new one atomically. Thread-safe.
class DetectorHandle {
 public:
  explicit DetectorHandle(DetectorConfig config) : config_(std::move(config)) {}

  // Loads a new snapshot from the config and swaps it in. On failure the current snapshot (if
  // any) stays in service and the error is returned.
  Status Reload();
  // The current snapshot; null before the first successful Reload()/Set().
  std::shared_ptr<const Detector> Get() const;
  void Set(std::shared_ptr<const Detector> detector);

 private:
  const DetectorConfig config_;
  mutable std::mutex mu_;
  std::shared_ptr<const Detector> current_;
};

}  // namespace bulwark::detect
