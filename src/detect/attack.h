#pragma once

// AttackAnalyzer: target-aware attack detection (docs/detection.md, "Attacks on groups").
//
// It finds WHOM a text is about and WHAT is said of them, and composes the two:
//
//   references  group nouns ("muslims", "trans people"), group adjectives before a person noun
//               ("jewish neighbours"), identity emoji and flags, slurs and identity terms from
//               the lexicon, pronouns that refer back to the group named most recently ("they",
//               "those people", "their kind"), the addressee ("you"), and non-protected human
//               groups ("lawyers", "politicians": the controls, never hate);
//   predicates  hatred ("i despise"), negative attributes ("are filthy"), dehumanisation
//               ("are vermin", 🐀), exclusion ("should be deported"), elimination ("wipe them
//               out"), violence with a first-person, desire or normative frame ("i will stab",
//               "should be shot", 🔪), death wishes, profanity aimed at a target, stereotypes
//               stated as fact, and negated praise ("no X can be trusted", "X don't belong").
//
// Composition: a predicate attached to a protected-group reference in the same sentence (by a
// per-predicate direction and distance rule) is hate against that group; the same predicate
// aimed at the addressee is harassment; violence aimed at any person is also a threat; aimed at
// a non-protected group or at nothing it is not hate. A negated predicate is not an attack ("X
// are not vermin"), while negated praise is. Quotation, condemnation, reports of what someone
// else said, and endorsements change the weight as the lexicon's context rules do.
//
// Disguise: exact matching is on the normaliser's tokens (case, look-alikes, leetspeak, split
// letters and emoji are already undone there). Tokens that match nothing and are not ordinary
// English words near a vocabulary word (data/attack/fuzzy_exceptions.txt) are matched fuzzily
// against single-word vocabulary (optimal string alignment distance 1 for words of 4-7
// letters, 2 for 8+) when the text already has a reference or predicate; long tokens that
// contain a group word are segmented ("ihatewomen" -> "i hate women").
//
// Vocabulary: data/attack/*.jsonl (one curated set of terms per line, with provenance).
// Cost: one hash probe per token for texts without any vocabulary word; composition runs only
// for texts with both a reference and a predicate.
// Thread safety: an AttackAnalyzer is immutable after Load(); each thread passes its own
// AttackScratch.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/taxonomy.h"
#include "text/normalizer.h"

namespace bulwark::detect {

// Roles a vocabulary term can play.
enum class AttackRole : uint8_t {
  kGroupNoun,
  kGroupAdj,
  kGroupEmoji,
  kPersonNoun,
  kHumanNoun,
  kPronounGroup,
  kPronounYou,
  kNegator,
  kModal,
  kReport,
  kCondemn,
  kEndorse,
  kCopula,
  // Predicates.
  kHateVerb,
  kNegAttr,
  kDehum,
  kExclusion,
  kElimination,
  kViolence,
  kDeathWish,
  kProfanity,
  kStereotype,
  kPraise,
};
inline constexpr int kNumAttackRoles = 23;
std::string_view AttackRoleName(AttackRole r);

// What a finding says of its target, for explanations ("attack.<kind>").
enum class AttackKind : uint8_t {
  kHatred,
  kDerogation,
  kDehumanisation,
  kExclusion,
  kElimination,
  kThreat,
  kProfanity,
  kStereotype,
  kNegatedPraise,
};
std::string_view AttackKindName(AttackKind k);

// Who a finding is aimed at.
enum class AttackTarget : uint8_t { kGroup, kAddressee, kOther };

struct AttackFinding {
  AttackKind kind;
  AttackTarget target;
  uint32_t groups = 0;   // TargetGroup bit mask (kGroup only)
  int severity = 0;      // 1..4 before context
  double weight = 1.0;   // context discount (ContextAnalyzer::Weight semantics)
  uint32_t context = 0;  // ContextFlag bits (negated, quoted, counter_speech, reported, endorsed)
  bool threat = false;   // violence with a first-person, desire or normative frame
  bool fuzzy = false;    // a word was matched by edit distance or segmentation
  uint32_t ref_begin = 0, ref_end = 0;    // token range of the reference
  uint32_t pred_begin = 0, pred_end = 0;  // token range of the predicate
  uint32_t orig_begin = 0, orig_end = 0;  // original byte span covering both
};

// A reference to a group found elsewhere (the lexicon's slurs and identity terms).
struct ExternalRef {
  uint32_t token_begin, token_end;
  uint32_t groups;  // TargetGroup bit mask
};

// The discount for a finding's context flags: ContextAnalyzer::Weight, and x 0.3 for a report
// of someone else's words without quotation, condemnation or endorsement.
double AttackContextWeight(uint32_t context_flags);

// Bounds on hostile input: atoms composed per text, findings reported per text.
inline constexpr size_t kMaxAtoms = 2048;
inline constexpr size_t kMaxFindings = 64;

struct AttackScratch {
  struct Atom {
    uint32_t begin, end;  // token range [begin, end)
    AttackRole role;
    uint8_t severity;
    bool fuzzy;
    bool object_me;  // hate-verb phrase whose object is the speaker ("disgust me")
    uint32_t groups;
  };
  std::vector<uint64_t> hash;
  std::vector<uint32_t> sentence;
  std::vector<Atom> atoms;
  std::vector<uint32_t> quote_pos;
  std::vector<AttackFinding> findings;
  std::vector<uint8_t> in_attack;
  std::vector<uint8_t> covered;
  std::vector<uint32_t> starts, covers;  // per-token role bits (composition)
  std::vector<int> seg_best, seg_from;   // segmentation
  // Edit-distance results by token, per side (group words / predicates): a direct-mapped memo,
  // since most of a text's tokens are common words that the last texts had too. `memo_owner`
  // is the content hash of the vocabulary the entries came from; a scratch used with another
  // vocabulary starts afresh.
  struct FuzzyMemo {
    uint64_t key = 0;   // (token hash << 1 | side) + 1; 0 = empty
    int32_t word = -1;  // the vocabulary word the token stands for, or -1
  };
  std::vector<FuzzyMemo> fuzzy_memo;
  uint64_t memo_owner = 0;

  bool truncated = false;  // more than kMaxAtoms atoms: only the first were composed
};

class AttackAnalyzer {
 public:
  // Loads every *.jsonl file in `dir` and, if present, `fuzzy_exceptions.txt`.
  // InvalidArgument "file:LINE: what" on bad data; NotFound if `dir` is missing.
  static Result<std::shared_ptr<const AttackAnalyzer>> Load(const std::string& dir);
  // The same from in-memory files ({name, content}); a name ending in ".txt" is the fuzzy
  // exception list.
  static Result<std::shared_ptr<const AttackAnalyzer>> FromFiles(
      const std::vector<std::pair<std::string, std::string>>& files);

  AttackAnalyzer(const AttackAnalyzer&) = delete;
  AttackAnalyzer& operator=(const AttackAnalyzer&) = delete;
  ~AttackAnalyzer();

  // Findings for `norm` (normalised from `original`) in s->findings, in text order. `refs`
  // adds group references found by other detectors.
  void Analyze(std::string_view original, const text::NormalizedText& norm,
               const std::vector<ExternalRef>& refs, AttackScratch* s) const;

  // Content hash of the vocabulary (hex), and term counts, for the version report.
  const std::string& version() const { return version_; }
  size_t num_terms() const { return num_terms_; }
  size_t num_fuzzy_exceptions() const { return num_exceptions_; }

  struct Tables;

 private:
  AttackAnalyzer() = default;
  void MatchAtoms(const text::NormalizedText& norm, AttackScratch* s) const;
  struct FuzzyMode {
    bool groups = false;      // look for disguised group words
    bool predicates = false;  // look for disguised predicates
  };
  void Fuzzy(const text::NormalizedText& norm, FuzzyMode mode, AttackScratch* s) const;
  void Compose(std::string_view original, const text::NormalizedText& norm, AttackScratch* s) const;

  std::unique_ptr<const Tables> t_;
  std::string version_;
  uint64_t content_hash_ = 0;  // of the vocabulary files (version_ in hex)
  size_t num_terms_ = 0;
  size_t num_exceptions_ = 0;
};

}  // namespace bulwark::detect
