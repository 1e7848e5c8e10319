#pragma once

// FastTextLinear: an exact, allocation-free re-implementation of fastText 0.9.2's supervised
// predict for softmax models without character n-grams (the shipped model), built once from a
// loaded fastText model.
//
// Why it is exact: fastText's prediction is linear up to the softmax. For the rows r_1..r_n that
// a line selects (vocabulary words, the end-of-sentence token, hashed word n-grams), fastText
// computes hidden = (1/n) Σ E[r_t] and logits = W_out · hidden, so
//     logits = (1/n) Σ_t (W_out · E[r_t]).
// At load time every input row (the quantised rows dequantised through fastText's own Matrix
// interface) is multiplied by W_out once, in double, leaving nlabels doubles per row; a prediction
// then tokenises the line exactly as Dictionary::getLine does (readWord's delimiters, "</s>", the
// FNV-1a hash with its int8 sign extension, word-id lookup, the label prefix, addWordNgrams'
// hash and pushHash's bucket/pruning map) and sums nlabels doubles per selected row. The only
// difference from fastText is rounding: fastText accumulates the hidden vector, the products
// and the softmax in float, this engine in double. The tests check (tests/detect/
// fasttext_linear_test.cc) that the engine selects exactly the rows fastText's getLine selects
// and equals fastText's arithmetic done in double within 1e-9, and that it agrees with
// fastText's own predict within 1e-5 on every label for every text of realistic length (on
// texts of tens of thousands of tokens fastText's float accumulation itself drifts further).
//
// Supported: supervised models, softmax loss, maxn == 0 (no character n-grams), any dim,
// wordNgrams 1..kMaxWordNgrams, input matrix quantised (with or without pruning, with or without
// qnorm) or not, output matrix not quantised. Anything else (hs / ns / ova losses, char n-grams,
// qout) makes Create() return FailedPrecondition and the caller keeps using fastText's own
// predict.
//
// Thread safety: immutable after Create(); Predict() is const, allocates nothing and may run on
// any number of threads at once.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fasttext/fasttext.h>

#include "core/status.h"

namespace bulwark::detect {

// fastText's model class with its matrices reachable: FastText keeps input_ / output_ protected
// and getInputMatrix() refuses quantised models, so the engine reads rows through the public
// Matrix interface (addRowToVector) of these members.
class FastTextModel : public fasttext::FastText {
 public:
  const fasttext::Matrix& input_matrix() const { return *input_; }
  const fasttext::Matrix& output_matrix() const { return *output_; }
};

class FastTextLinear {
 public:
  static constexpr int kMaxLabels = 16;
  static constexpr int kMaxWordNgrams = 8;
  // Refuses models whose precomputed table would exceed this many entries (rows × labels).
  static constexpr int64_t kMaxTableEntries = int64_t{1} << 26;

  // Builds the engine from a loaded model. FailedPrecondition (with the reason) when the model is
  // outside what the engine reproduces exactly; the caller then uses fastText's predict.
  static Result<std::unique_ptr<const FastTextLinear>> Create(const FastTextModel& model);

  // Scores one line exactly as fastText's predict(k = -1, threshold = 0) scores
  // `line` + "\n": writes the softmax probability of fastText label index i to probs[i]
  // (probs.size() must be >= nlabels()) and returns true, or returns false when the line selects
  // no input row (fastText then returns no prediction at all). Never throws, never allocates.
  bool Predict(std::string_view line, std::span<double> probs) const;

  int nlabels() const { return nlabels_; }
  // Input rows (vocabulary words + kept n-gram buckets) and the bytes the engine holds.
  int64_t rows() const { return rows_; }
  size_t memory_bytes() const;

  // fastText's string hash (FNV-1a over the bytes sign-extended from int8).
  static uint32_t Hash(std::string_view s);
  // h % d without a division, given reciprocal = floor((2^64 - 1) / d); exact for every h and
  // 0 < d < 2^63 (the estimate floor(h * reciprocal / 2^64) is q or q - 1).
  static uint64_t Remainder(uint64_t h, uint64_t d, uint64_t reciprocal);

 private:
  FastTextLinear() = default;

  struct Slot {
    uint32_t hash = 0;
    int32_t row = kEmpty;  // input row of a word; kLabel for a label entry
    uint32_t offset = 0;   // into words_
    uint32_t length = 0;
  };
  static constexpr int32_t kEmpty = -1;
  static constexpr int32_t kLabel = -2;

  template <int kLabels>  // 0: nlabels_ at run time
  bool PredictImpl(std::string_view line, std::span<double> probs) const;
  // The vocabulary entry for a token (its hash precomputed), or null.
  const Slot* Find(const unsigned char* token, size_t length, uint32_t hash) const;
  uint64_t BucketOf(uint64_t h) const { return Remainder(h, bucket_, bucket_reciprocal_); }

  int nlabels_ = 0;
  int word_ngrams_ = 1;
  int64_t rows_ = 0;
  uint64_t bucket_ = 0;
  uint64_t bucket_reciprocal_ = 0;   // floor((2^64 - 1) / bucket_)
  std::vector<double> logits_;       // rows_ × nlabels_: W_out · E[row]
  std::vector<int32_t> bucket_row_;  // n-gram bucket -> input row, -1 if pruned; empty: no
                                     // n-grams kept at all, or (unpruned) row = nwords + bucket
  bool ngrams_unpruned_ = false;
  int32_t nwords_ = 0;
  std::vector<Slot> slots_;  // open addressing on the fastText hash, power-of-two size
  uint32_t slot_mask_ = 0;
  std::string words_;         // concatenated vocabulary (words and labels)
  std::string label_prefix_;  // "__label__": an unknown token with it is skipped
  std::string eos_ = "</s>";
  uint32_t eos_hash_ = 0;
};

}  // namespace bulwark::detect
