#pragma once

// Verdict: what the detector says about one text, with its explanation.
//
// A Verdict is a plain value produced by Detector::Classify (src/detect/detector.h). It carries a
// calibrated probability and a boolean label per taxonomy category, the target groups the text
// attacks (or, for texts that are not flagged, mentions), the evidence behind every score
// (original byte spans, matched text, lexicon entry, detector, score), the context rules that
// changed a score (negation, quotation, counter-speech, reclaimed use, object threat), and the
// versions of every model, lexicon and claim list used. Its JSON form (VerdictToJson) is
// documented in docs/detection.md and carries "format_version".
//
// Rule 6 of STYLE.md: a text that was not fully examined (over the byte limit, too many lexicon
// hits, a classifier failure) is never reported as silently clean: `complete` is false and
// `needs_review` is true, with the reason in `issues`.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/taxonomy.h"

namespace bulwark::detect {

inline constexpr int kVerdictFormatVersion = 1;

// Context rules that can apply to one piece of evidence. Bit flags.
enum ContextFlag : uint32_t {
  kCtxNone = 0,
  kCtxNegated = 1u << 0,        // a negator ("not", "never", "n't", "nobody") governs the match
  kCtxQuoted = 1u << 1,         // the match sits inside quotation marks
  kCtxCounterSpeech = 1u << 2,  // the text condemns or debunks what it quotes ("is racist")
  kCtxReported = 1u << 3,       // reported speech / discussion ("said", "testified", "the word")
  kCtxEndorsed = 1u << 4,       // the text endorses a quote ("he was right"): no discount
  kCtxReclaimed = 1u << 5,      // reclaimable term used in a first-person / in-group statement
  kCtxObjectTarget = 1u << 6,   // violent verb aimed at a thing ("kill this bug")
  kCtxPersonTarget = 1u << 7,   // violent verb aimed at a person or group ("kill them")
  kCtxNoGroup = 1u << 8,        // dehumanising term without a group reference nearby
  kCtxGroupTarget = 1u << 9,    // the match co-occurs with an identity term / slur target
};
// Names of the flags set in `flags`, in bit order: "negated", "quoted", "counter_speech",
// "reported", "endorsed", "reclaimed", "object_target", "person_target", "no_group",
// "group_target".
std::vector<std::string> ContextFlagNames(uint32_t flags);

struct Evidence {
  std::string detector;     // "lexicon", "claims", "classifier", "attack"
  std::string category;     // taxonomy name, or "none" (identity terms, profanity)
  uint32_t orig_begin = 0;  // byte span in the original text (0,0 for whole-text evidence)
  uint32_t orig_end = 0;
  std::string matched;          // original text of the span (capped at 256 bytes)
  std::string entry_id;         // lexicon entry id / claim id; empty for the classifier
  std::string kind;             // lexicon kind (slur, dehumanizing, ...), "claim", "model"
  int severity = 0;             // lexicon severity 0..4 (0 for claims / classifier)
  double weight = 1.0;          // multiplier the context rules applied (1 = none)
  double score = 0.0;           // severity * weight, claim similarity, or model probability
  uint32_t context = kCtxNone;  // ContextFlag bits
  std::vector<TargetGroup> targets;
};

struct CategoryScore {
  double probability = 0.0;       // calibrated ensemble probability
  double threshold = 0.5;         // the category's decision threshold
  bool label = false;             // probability >= threshold (the automatic-action operating point)
  double review_threshold = 0.3;  // the recall-oriented operating point
  bool review = false;            // probability >= review_threshold: worth an expert's look
  // Ensemble inputs (for the explanation): lexicon feature, classifier logit feature, claim
  // similarity feature, and the linear score before the sigmoid.
  double lexicon = 0.0;
  double classifier = 0.0;
  double claim = 0.0;
  double attack = 0.0;
  double logit = 0.0;
};

// Every field is reset by Detector::Classify(); a Verdict may be reused across calls (its
// buffers are kept).
struct Verdict {
  std::array<CategoryScore, kNumCategories> categories{};
  std::vector<TargetGroup> targets;  // groups attacked (flagged) or mentioned (not flagged)
  std::vector<Evidence> evidence;    // lexicon (text order), then claims, then classifier
  uint32_t context = kCtxNone;       // union of the evidence's context flags
  bool profanity = false;            // profanity present (never a category by itself)
  // The classifier's offensive-language probability (its auxiliary class: offensive but not
  // hateful), 0 without a classifier. Not in the JSON form; an input of the Perspective
  // attributes (src/perspective/attributes.h).
  double offensive = 0.0;
  bool truncated = false;           // input longer than the byte limit: only a prefix examined
  bool invalid_utf8 = false;        // ill-formed UTF-8 was dropped before matching
  bool complete = true;             // every detector examined the (possibly truncated) text
  bool needs_review = false;        // !complete or truncated: route to a human
  std::vector<std::string> issues;  // why the verdict is incomplete ("lexicon: ...")
  uint64_t input_bytes = 0;
  // The text's language (text::IdentifyLanguage: ISO 639-1 code, "und" when CLD2 cannot tell)
  // and whether the detectors were built and measured for it: "full" or "none"
  // (docs/detection.md, "Languages"). A text in an uncovered language is not "clean": the
  // default policy sends it to review when it has reach or reports.
  std::string language = "und";
  std::string coverage = "full";

  // Versions of everything that produced the verdict.
  std::string detector_version;
  std::string lexicon_version;
  std::string model_version;  // "none" when no classifier is loaded
  std::string claims_version;
  std::string attack_version;  // attack vocabulary ("none" when not loaded)

  const CategoryScore& score(Category c) const { return categories[static_cast<size_t>(c)]; }
  bool flagged(Category c) const { return score(c).label; }
  bool any_flagged() const;
};

// The Verdict's JSON form (docs/detection.md, "format_version": 1). Never throws.
nlohmann::json VerdictToJson(const Verdict& v);

// Appends the same JSON object, serialised compactly, to `*out` without building a
// nlohmann::json (several times faster; `bulwark scan` uses it). If `extra` is non-empty it must
// be a JSON object's members without braces (`"line":3,"id":"a"`) and is inserted first.
// Parsing the result gives a value equal to VerdictToJson(v) plus the extra members.
void AppendVerdictJson(const Verdict& v, std::string_view extra, std::string* out);

// Appends `v` rounded to 4 decimals as the verdict JSON writes every score: exactly the text of
// std::to_chars(round(v * 1e4) / 1e4) (shortest round trip, fixed or exponent form, whichever is
// shorter), and 0 for a non-finite value. Exposed for its equivalence test.
void AppendScore(double v, std::string* out);

}  // namespace bulwark::detect
