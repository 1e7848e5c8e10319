#include "detect/classifier_input.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "text/normalizer.h"

namespace bulwark::detect {
namespace {

constexpr std::string_view kName = "normalizer-v1";

// Makes a space-separated token string safe for fastText: its reader splits on any ASCII
// whitespace (and '\v', '\f', '\0'), and a token starting with "__label__" would be read as
// a label.
std::string FastTextSafe(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\0') c = ' ';
  }
  for (size_t pos = s.find("__label__"); pos != std::string::npos;
       pos = s.find("__label__", pos + 1)) {
    if (pos == 0 || s[pos - 1] == ' ') s[pos] = 'x';
  }
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Removes @mentions, URLs and a leading run of "RT" markers from the raw text.
std::string StripSocialNoise(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(" \t\r\n", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(i, end - i);
    bool drop = StartsWith(word, "@") || StartsWith(word, "http://") ||
                StartsWith(word, "https://") || StartsWith(word, "www.") || word == "RT" ||
                word == "rt" || word == "<user>" || word == "<url>";
    if (!drop) {
      out.append(word);
      out.push_back(' ');
    }
    i = end == text.size() ? end : end + 1;
  }
  return out;
}

}  // namespace

struct ClassifierInput::Impl {
  std::unique_ptr<const text::Normalizer> normalizer;
  // Split keys are drawn with the normalisation the data sets' splits were first drawn with
  // (before digit pairs became leet, 2026-12-06), so a normaliser improvement never moves a
  // training text into a test split. Built on first use: only training and evaluation need it.
  mutable std::once_flag split_once;
  mutable std::unique_ptr<const text::Normalizer> split_normalizer;
};

ClassifierInput::ClassifierInput(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
ClassifierInput::~ClassifierInput() = default;

Result<std::unique_ptr<const ClassifierInput>> ClassifierInput::Create() {
  auto impl = std::make_unique<Impl>();
  BULWARK_ASSIGN_OR_RETURN(impl->normalizer, text::Normalizer::Create());
  return std::unique_ptr<const ClassifierInput>(new ClassifierInput(std::move(impl)));
}

std::string ClassifierInput::Prepare(std::string_view text) const {
  // The normaliser's output is already lower-case, single-space-separated tokens.
  return FastTextSafe(impl_->normalizer->Normalize(text).text);
}

std::string ClassifierInput::DedupKey(std::string_view text) const {
  std::call_once(impl_->split_once, [this] {
    text::NormalizerOptions options;
    options.leet_digit_pairs = false;
    auto n = text::Normalizer::Create(options);
    if (n.ok()) impl_->split_normalizer = std::move(*n);
  });
  const text::Normalizer& normalizer =
      impl_->split_normalizer ? *impl_->split_normalizer : *impl_->normalizer;
  return FastTextSafe(normalizer.Normalize(StripSocialNoise(text)).text);
}

std::string_view ClassifierInput::name() const { return kName; }

}  // namespace bulwark::detect
