#include "detect/fasttext_linear.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <sstream>

#include <fasttext/densematrix.h>
#include <fasttext/dictionary.h>
#include <fasttext/vector.h>

namespace bulwark::detect {
namespace {

__extension__ using U128 = unsigned __int128;

constexpr uint32_t kFnvBasis = 2166136261u;
constexpr uint32_t kFnvPrime = 16777619u;
constexpr uint64_t kNgramMultiplier = 116049371;  // Dictionary::addWordNgrams
constexpr int64_t kMaxBucketTable = int64_t{1} << 24;

// Dictionary::readWord's separators. '\n' also ends the line (it becomes "</s>").
constexpr std::array<bool, 256> MakeDelimiters() {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '\n', '\r', '\t', '\v', '\f', '\0'}) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> kDelimiter = MakeDelimiters();

// fastText's hash folds each byte in as uint32_t(int8_t(c)): bytes >= 0x80 are sign-extended.
inline uint32_t HashStep(uint32_t h, unsigned char c) {
  return (h ^ static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(c)))) * kFnvPrime;
}

// Dictionary::addWordNgrams keeps word hashes in a vector<int32_t> and widens them to uint64_t:
// sign extension again.
inline uint64_t Widen(uint32_t h) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(h)));
}

// The tail of Dictionary::save(): pruneidx_size_ and the (bucket, index) pairs. The public save()
// is the only way to read the pruning map of a loaded model; its layout (fastText 0.9.2):
// int32 size, int32 nwords, int32 nlabels, int64 ntokens, int64 pruneidx_size, then per entry
// the word, a '\0', int64 count, int8 type, then pruneidx_size pairs of int32.
struct PruneIndex {
  int64_t size = -1;
  std::vector<std::pair<int32_t, int32_t>> pairs;
};

Result<PruneIndex> ReadPruneIndex(const fasttext::Dictionary& dict) {
  std::ostringstream out;
  dict.save(out);
  const std::string blob = out.str();
  size_t pos = 0;
  auto read = [&](void* dst, size_t n) {
    if (pos + n > blob.size()) return false;
    std::memcpy(dst, blob.data() + pos, n);
    pos += n;
    return true;
  };
  int32_t size = 0, nwords = 0, nlabels = 0;
  int64_t ntokens = 0;
  PruneIndex p;
  if (!read(&size, 4) || !read(&nwords, 4) || !read(&nlabels, 4) || !read(&ntokens, 8) ||
      !read(&p.size, 8)) {
    return Internal("fastText dictionary: short header");
  }
  if (nwords != dict.nwords() || nlabels != dict.nlabels() || size != nwords + nlabels) {
    return Internal("fastText dictionary: unexpected serialised layout");
  }
  for (int32_t i = 0; i < size; ++i) {
    const size_t end = blob.find('\0', pos);
    if (end == std::string::npos) return Internal("fastText dictionary: truncated entry");
    pos = end + 1 + 8 + 1;
  }
  if (p.size > 0) {
    p.pairs.resize(static_cast<size_t>(p.size));
    for (auto& [bucket, index] : p.pairs) {
      if (!read(&bucket, 4) || !read(&index, 4)) {
        return Internal("fastText dictionary: truncated pruning index");
      }
    }
  }
  if (pos != blob.size()) return Internal("fastText dictionary: trailing bytes");
  return p;
}

}  // namespace

uint32_t FastTextLinear::Hash(std::string_view s) {
  uint32_t h = kFnvBasis;
  for (char c : s) h = HashStep(h, static_cast<unsigned char>(c));
  return h;
}

uint64_t FastTextLinear::Remainder(uint64_t h, uint64_t d, uint64_t reciprocal) {
  // reciprocal >= 2^64 / d - 1, so q > h / d - 2: q is floor(h / d) or one less, and one
  // correction step gives the exact remainder (r < 2d before it).
  const uint64_t q = static_cast<uint64_t>((static_cast<U128>(h) * reciprocal) >> 64);
  uint64_t r = h - q * d;
  if (r >= d) r -= d;
  return r;
}

namespace {

// Byte equality without a library call (tokens are short; memcmp's call costs more than the
// comparison).
inline bool SameBytes(const char* a, const unsigned char* b, size_t n) {
  size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + k, 8);
    std::memcpy(&y, b + k, 8);
    if (x != y) return false;
  }
  for (; k < n; ++k) {
    if (static_cast<unsigned char>(a[k]) != b[k]) return false;
  }
  return true;
}

}  // namespace

inline const FastTextLinear::Slot* FastTextLinear::Find(const unsigned char* token, size_t length,
                                                        uint32_t hash) const {
  for (uint32_t i = hash & slot_mask_;; i = (i + 1) & slot_mask_) {
    const Slot& s = slots_[i];
    if (s.row == kEmpty) return nullptr;
    if (s.hash == hash && s.length == length &&
        SameBytes(words_.data() + s.offset, token, length)) {
      return &s;
    }
  }
}

size_t FastTextLinear::memory_bytes() const {
  return logits_.capacity() * sizeof(double) + bucket_row_.capacity() * sizeof(int32_t) +
         slots_.capacity() * sizeof(Slot) + words_.capacity() + sizeof(*this);
}

Result<std::unique_ptr<const FastTextLinear>> FastTextLinear::Create(const FastTextModel& model) {
  const fasttext::Args args = model.getArgs();
  if (args.model != fasttext::model_name::sup) {
    return FailedPrecondition("not a supervised model");
  }
  if (args.loss != fasttext::loss_name::softmax) {
    return FailedPrecondition("loss is not softmax (hs/ns/ova predictions are not reproduced)");
  }
  if (args.maxn > 0) return FailedPrecondition("model uses character n-grams (maxn > 0)");
  if (args.qout) return FailedPrecondition("quantised output matrix (qout) is not covered");
  if (args.wordNgrams < 1 || args.wordNgrams > kMaxWordNgrams) {
    return FailedPrecondition("wordNgrams outside 1.." + std::to_string(kMaxWordNgrams));
  }
  auto engine = std::unique_ptr<FastTextLinear>(new FastTextLinear());
  FastTextLinear& e = *engine;
  const std::shared_ptr<const fasttext::Dictionary> dict = model.getDictionary();
  e.nwords_ = dict->nwords();
  e.nlabels_ = dict->nlabels();
  e.word_ngrams_ = args.wordNgrams;
  e.label_prefix_ = args.label;
  e.eos_hash_ = Hash(e.eos_);
  if (e.nlabels_ < 1 || e.nlabels_ > kMaxLabels) {
    return FailedPrecondition("number of labels outside 1.." + std::to_string(kMaxLabels));
  }
  const fasttext::Matrix& input = model.input_matrix();
  const fasttext::Matrix& output = model.output_matrix();
  const int64_t dim = input.size(1);
  e.rows_ = input.size(0);
  if (dim != args.dim || output.size(0) != e.nlabels_ || output.size(1) != dim ||
      e.rows_ < e.nwords_) {
    return FailedPrecondition("matrix shapes do not match the dictionary");
  }
  if (e.rows_ * e.nlabels_ > kMaxTableEntries) {
    return FailedPrecondition("model too large for the precomputed table");
  }

  // Word n-gram buckets -> input rows (Dictionary::pushHash).
  if (e.word_ngrams_ > 1) {
    if (args.bucket <= 0) return FailedPrecondition("wordNgrams > 1 with no buckets");
    e.bucket_ = static_cast<uint64_t>(args.bucket);
    e.bucket_reciprocal_ = UINT64_MAX / e.bucket_;
    BULWARK_ASSIGN_OR_RETURN(PruneIndex prune, ReadPruneIndex(*dict));
    if (prune.size < 0) {
      e.ngrams_unpruned_ = true;
      if (e.rows_ != e.nwords_ + args.bucket) {
        return FailedPrecondition("unpruned model with an unexpected number of rows");
      }
    } else if (prune.size > 0) {
      if (args.bucket > kMaxBucketTable) return FailedPrecondition("too many buckets");
      e.bucket_row_.assign(static_cast<size_t>(args.bucket), static_cast<int32_t>(e.rows_));
      for (const auto& [bucket, index] : prune.pairs) {
        const int64_t row = int64_t{e.nwords_} + index;
        if (bucket < 0 || bucket >= args.bucket || index < 0 || row >= e.rows_) {
          return FailedPrecondition("pruning index out of range");
        }
        e.bucket_row_[static_cast<size_t>(bucket)] = static_cast<int32_t>(row);
      }
    }
    // prune.size == 0: every n-gram was pruned; pushHash adds nothing.
  }

  // The vocabulary, keyed by fastText's hash of each entry.
  const int32_t size = e.nwords_ + e.nlabels_;
  uint32_t capacity = 16;
  while (capacity < 2u * static_cast<uint32_t>(size)) capacity *= 2;
  e.slots_.assign(capacity, Slot{});
  e.slot_mask_ = capacity - 1;
  for (int32_t i = 0; i < size; ++i) {
    const std::string word = dict->getWord(i);
    const bool is_word = dict->getType(i) == fasttext::entry_type::word;
    if (is_word != (i < e.nwords_)) return FailedPrecondition("dictionary order unexpected");
    Slot s;
    s.hash = Hash(word);
    s.row = is_word ? i : kLabel;
    s.offset = static_cast<uint32_t>(e.words_.size());
    s.length = static_cast<uint32_t>(word.size());
    e.words_ += word;
    uint32_t at = s.hash & e.slot_mask_;
    while (e.slots_[at].row != kEmpty) at = (at + 1) & e.slot_mask_;
    e.slots_[at] = s;
  }

  // logits_[row] = W_out · E[row], in double from the dequantised (float) row, plus one row of
  // zeros at index rows_ for pruned n-gram buckets (added without a branch, not counted).
  const auto* dense_out = dynamic_cast<const fasttext::DenseMatrix*>(&output);
  if (dense_out == nullptr) return FailedPrecondition("output matrix is not dense");
  try {
    e.logits_.assign(static_cast<size_t>((e.rows_ + 1) * e.nlabels_), 0.0);
    fasttext::Vector v(dim);
    for (int64_t r = 0; r < e.rows_; ++r) {
      v.zero();
      input.addRowToVector(v, static_cast<int32_t>(r));
      for (int j = 0; j < e.nlabels_; ++j) {
        double d = 0;
        for (int64_t k = 0; k < dim; ++k) {
          d += static_cast<double>(dense_out->at(j, k)) * static_cast<double>(v[k]);
        }
        if (!std::isfinite(d)) return FailedPrecondition("model has non-finite weights");
        e.logits_[static_cast<size_t>(r * e.nlabels_ + j)] = d;
      }
    }
  } catch (const std::exception& ex) {
    return FailedPrecondition(std::string("cannot read the model's matrices: ") + ex.what());
  }
  return std::unique_ptr<const FastTextLinear>(std::move(engine));
}

bool FastTextLinear::Predict(std::string_view line, std::span<double> probs) const {
  // The shipped model has three labels: a compile-time count lets the compiler unroll the sums.
  return nlabels_ == 3 ? PredictImpl<3>(line, probs) : PredictImpl<0>(line, probs);
}

template <int kLabels>
bool FastTextLinear::PredictImpl(std::string_view line, std::span<double> probs) const {
  const int nl = kLabels > 0 ? kLabels : nlabels_;
  const double* const logits = logits_.data();
  std::array<double, kMaxLabels> sum{};
  int64_t n = 0;  // rows selected (the zero row of pruned buckets not counted)
  // Rows are gathered first and summed in batches: the table loads of a batch are independent
  // of each other and of the tokeniser's branches, so they overlap in the memory system.
  constexpr size_t kBatch = 256;
  std::array<int64_t, kBatch + kMaxWordNgrams + 1> rows;
  size_t nrows = 0;
  auto flush = [&] {
    for (size_t i = 0; i < nrows; ++i) {
      const double* l = logits + rows[i] * nl;
      for (int j = 0; j < nl; ++j) sum[j] += l[j];
    }
    nrows = 0;
  };
  // Running n-gram hashes that end at the previous word: run[k] covers the last k + 1 words.
  std::array<uint64_t, kMaxWordNgrams> run{};
  int have = 0;
  const int max_have = word_ngrams_ - 1;
  const int32_t zero_row = static_cast<int32_t>(rows_);

  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const auto* const end = p + line.size();
  const auto* const eos = reinterpret_cast<const unsigned char*>(eos_.data());
  for (bool last = false; !last;) {
    // The next token of Dictionary::readWord, or "</s>" at the line's end ('\n' or the end of
    // `line`, which stands for the '\n' fastText's callers append). getLine also stops after a
    // literal "</s>" token.
    const unsigned char* t;
    size_t len;
    uint32_t h;
    while (p < end && kDelimiter[*p] && *p != '\n') ++p;
    if (p == end || *p == '\n') {
      t = eos;
      len = eos_.size();
      h = eos_hash_;
      last = true;
    } else {
      t = p;
      h = kFnvBasis;
      while (p < end && !kDelimiter[*p]) h = HashStep(h, *p++);
      len = static_cast<size_t>(p - t);
      last = h == eos_hash_ && len == eos_.size() && SameBytes(eos_.data(), t, len);
    }
    // Vocabulary word -> its row; label -> skipped entirely; unknown token -> no row (no
    // character n-grams) but its hash takes part in word n-grams, unless it starts with the
    // label prefix (then fastText types it a label and skips it).
    if (const Slot* s = Find(t, len, h)) {
      if (s->row == kLabel) continue;
      rows[nrows++] = s->row;
      ++n;
    } else if (std::string_view(reinterpret_cast<const char*>(t), len).starts_with(label_prefix_)) {
      continue;
    }
    // Dictionary::addWordNgrams / pushHash for the n-grams that end at this word.
    const uint64_t w = Widen(h);
    for (int k = 0; k < have; ++k) {
      run[k] = run[k] * kNgramMultiplier + w;
      const uint64_t b = BucketOf(run[k]);
      if (!bucket_row_.empty()) {
        // A pruned bucket points at the zero row: no branch to mispredict.
        const int32_t row = bucket_row_[b];
        rows[nrows++] = row;
        n += row != zero_row;
      } else if (ngrams_unpruned_) {
        rows[nrows++] = int64_t{nwords_} + static_cast<int64_t>(b);
        ++n;
      }
    }
    // The word starts a new run; runs that reached word_ngrams_ words drop out.
    const int keep = std::min(have, max_have - 1);
    for (int k = keep; k > 0; --k) run[k] = run[k - 1];
    if (max_have > 0) {
      run[0] = w;
      have = keep + 1;
    }
    if (nrows >= kBatch) flush();
  }
  flush();

  if (n == 0) return false;
  double max = -INFINITY;
  for (int j = 0; j < nl; ++j) {
    sum[j] /= static_cast<double>(n);
    max = std::max(max, sum[j]);
  }
  double z = 0;
  for (int j = 0; j < nl; ++j) {
    sum[j] = std::exp(sum[j] - max);
    z += sum[j];
  }
  for (int j = 0; j < nl; ++j) probs[j] = sum[j] / z;
  return true;
}

}  // namespace bulwark::detect
