#pragma once

// ClassifierInput: the single function that turns raw text into the token string the fastText
// classifier sees. Training (every example written to the fastText training file), calibration,
// evaluation and serving all call Prepare(), so there is no train/serve skew. The manifest of a
// model bundle records name(); Classifier::Load refuses a bundle prepared by a different version.
//
// Thread safety: a ClassifierInput is immutable after Create(); Prepare() may be called from any
// number of threads at once.

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace bulwark::detect {

class ClassifierInput {
 public:
  // Builds the preparer. Fails only if the underlying text normaliser cannot be constructed.
  static Result<std::unique_ptr<const ClassifierInput>> Create();

  ~ClassifierInput();
  ClassifierInput(const ClassifierInput&) = delete;
  ClassifierInput& operator=(const ClassifierInput&) = delete;

  // Returns lower-case, space-separated tokens with no leading/trailing space and never a
  // newline, tab or fastText label prefix ("__label__"). Empty if the text has no tokens.
  // Accepts any bytes (invalid UTF-8 included); never fails.
  std::string Prepare(std::string_view text) const;

  // Key for de-duplication across splits: Prepare() without retweet markers, @mentions and
  // URLs, so that "RT @a: same text" and "same text" collide.
  std::string DedupKey(std::string_view text) const;

  // Identifies the preparation algorithm (recorded in bundle manifests), e.g. "normalizer-v1".
  std::string_view name() const;

 private:
  struct Impl;
  explicit ClassifierInput(std::unique_ptr<const Impl> impl);
  std::unique_ptr<const Impl> impl_;
};

}  // namespace bulwark::detect
