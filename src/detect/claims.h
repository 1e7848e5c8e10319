#pragma once

// Known-claim matching: near-duplicate detection of documented false claims
// (data/claims/known_false_claims.jsonl, format in data/claims/README.md).
//
// Every claim sentence and each of its variants is normalised with the same text::Normalizer as
// the posts and turned into a set of token-bigram shingles (64-bit hashes). A post matches a
// claim text by *containment*: the share of the claim text's shingles that also occur in the
// post (|S_claim ∩ S_post| / |S_claim|), so a short claim quoted inside a long post still
// matches, and word order, punctuation, case and evasion spellings do not matter. With ~500
// claim texts an exact inverted index (shingle -> claim texts) is both faster and more precise
// than MinHash sketches; MinHash/LSH becomes worthwhile past ~100k claim texts.
//
// This is matching of KNOWN claims, not fact-checking: a paraphrase with different words, a new
// claim, or a claim in another language is not found; a debunk that quotes a claim matches it
// (the detector's counter-speech rules must discount that). See docs/detection.md.
//
// Thread safety: a ClaimMatcher is immutable; Match() is const and may be called from any
// number of threads, each with its own ClaimScratch.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/taxonomy.h"
#include "text/normalizer.h"

namespace bulwark::detect {

struct Claim {
  std::string id;  // "claim.voting.001"
  Category category = Category::kMisinfoVoting;
  std::string claim;
  std::vector<std::string> variants;
  std::string fact_check;
};

struct ClaimMatch {
  uint32_t claim = 0;       // index into ClaimMatcher::claims()
  double containment = 0;   // share of the best-matching claim text's shingles found, 0..1
  uint32_t shared = 0;      // shingles in common
  uint32_t orig_begin = 0;  // original byte span covering the shared shingles
  uint32_t orig_end = 0;
  uint32_t first_token = 0;  // token range [first_token, end_token) covering the shared shingles
  uint32_t end_token = 0;
};

// Per-thread working memory for Match(); reuse it across calls (no allocation in steady state).
struct ClaimScratch {
  std::vector<uint32_t> slot_epoch;  // per index slot: the call that last counted it
  uint32_t epoch = 0;
  std::vector<uint32_t> counts;  // per claim text
  std::vector<uint32_t> first_tok, last_tok;
  std::vector<uint32_t> touched;
};

struct ClaimOptions {
  size_t max_claims = 100000;
  size_t max_line_bytes = 64 * 1024;
  // Claim texts with fewer shingles than this are ignored (too short to match reliably).
  uint32_t min_shingles = 3;
  // A match needs at least this many shared shingles, whatever the containment ("is a hoax"
  // shares 2 of the 4 shingles of "the holocaust is a hoax" but names no claim).
  uint32_t min_shared = 3;
};

// 64-bit hash of a token (shared by the detector's cue matcher and the claim index). Stable
// within a build and platform; not a persistent format.
uint64_t HashToken(std::string_view token);

class ClaimMatcher {
 public:
  // Loads a JSONL claim file. InvalidArgument "file:LINE: what" on malformed lines, NotFound if
  // the file is missing, ResourceExhausted past the limits.
  static Result<std::shared_ptr<const ClaimMatcher>> Load(const std::string& path,
                                                          const text::Normalizer& normalizer,
                                                          const ClaimOptions& options = {});
  // Same, from the file's content (tests). `name` is used in error messages.
  static Result<std::shared_ptr<const ClaimMatcher>> FromString(std::string_view content,
                                                                std::string_view name,
                                                                const text::Normalizer& normalizer,
                                                                const ClaimOptions& options = {});

  // The best match per category with containment >= min_containment, best first (at most one
  // per claim category). `text` must come from the same normaliser. Bounded: O(tokens) hash
  // lookups plus a sort of the post's shingles.
  void Match(const text::NormalizedText& text, double min_containment, ClaimScratch* scratch,
             std::vector<ClaimMatch>* out) const;

  const std::vector<Claim>& claims() const { return claims_; }
  size_t num_texts() const { return text_claim_.size(); }
  // Content version: "claims-<hex 64-bit hash of the file content>-<claim count>".
  const std::string& version() const { return version_; }

 private:
  ClaimMatcher() = default;

  std::vector<Claim> claims_;
  std::vector<uint32_t> text_claim_;     // claim text -> claim index
  std::vector<uint32_t> text_shingles_;  // claim text -> number of distinct shingles
  // Open-addressing table: shingle hash -> [postings_begin, postings_end) in postings_.
  struct Slot {
    uint64_t key = 0;
    uint32_t begin = 0, end = 0;
  };
  std::vector<Slot> table_;
  uint64_t mask_ = 0;
  std::vector<uint32_t> postings_;  // claim text ids
  std::vector<uint64_t> filter_;    // 65,536-bit presence filter over shingle hashes
  std::string version_;
  uint32_t min_shared_ = 3;
};

}  // namespace bulwark::detect
