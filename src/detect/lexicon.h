#pragma once

// Lexicon matcher: finds curated terms (slurs, coded terms, symbols, threat phrases, identity
// terms, ...) in normalised text with one Hyperscan multi-pattern scan.
//
// A Lexicon is an immutable snapshot: its entries plus the compiled Hyperscan database. Share
// it as std::shared_ptr<const Lexicon> and swap the pointer to reload. Every term is run
// through the same text::Normalizer as the posts, so evasions ("k1ll", "k i l l", Cyrillic
// look-alikes, ...) are handled once, in the normaliser; patterns then match whole tokens of
// the normalised form and tolerate the normaliser's repeat squeezing (a single letter in a term
// matches one or two copies: "kill" matches "kiill", normalised from "kiiiiill").
//
// File format (docs/lexicon-matcher.md): a directory of *.jsonl files, one JSON object per
// line with fields id, term, match ("word" | "phrase" | "prefix" | "regex"), category (a
// CategoryName or "none"), targets (TargetGroupNames), severity (0..4), kind, reclaimed,
// counter_speech_risk, provenance, note. Unknown fields are ignored. Errors name file:line.
//
// Thread safety: a Lexicon is immutable and may be used from any number of threads. Each
// thread needs its own LexiconScratch (Hyperscan scratch space is not shareable); a scratch may
// be reused across Lexicon snapshots (it is regrown on first use with a new one).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/taxonomy.h"
#include "text/normalizer.h"

struct hs_database;
struct hs_scratch;

namespace bulwark::detect {

enum class LexiconMatchKind : uint8_t {
  kWord,    // the term's tokens, as whole tokens
  kPhrase,  // same as kWord; conventionally several tokens
  kPrefix,  // whole tokens, except that the last one may continue ("vermin" -> "verminous")
  kRegex,   // a Hyperscan regex over the normalised text (curated data only: not user input)
};
std::string_view LexiconMatchKindName(LexiconMatchKind k);

struct LexiconEntry {
  std::string id;
  std::string term;  // as written in the file
  LexiconMatchKind match = LexiconMatchKind::kWord;
  std::optional<Category> category;  // nullopt for "none" (identity terms, profanity)
  std::vector<TargetGroup> targets;
  int severity = 0;  // 0..4
  std::string kind;  // slur, dehumanizing, coded, symbol, slogan, organization, identity, ...
  bool reclaimed = false;
  bool counter_speech_risk = false;
  std::string provenance;
  std::string note;

  std::string normalized;    // the term after text::Normalizer (the regex itself for kRegex)
  uint32_t token_count = 0;  // tokens in `normalized` (0 for kRegex)
  std::string source;        // "file.jsonl:LINE", for error messages and audits
};

// One occurrence of an entry in a text.
struct LexiconHit {
  uint32_t entry;                 // index into Lexicon::entries()
  uint32_t begin, end;            // byte span in NormalizedText::text
  uint32_t orig_begin, orig_end;  // byte span in the original input
};

struct LexiconOptions {
  // Directory for compiled-database cache files; empty disables caching. Files are named by
  // the cache key (lexicon version, Hyperscan version, CPU platform); a missing, stale or
  // corrupt file is ignored and rewritten. The directory must be trusted (not user-writable).
  std::string cache_dir;
  size_t max_entries = 200000;
  size_t max_line_bytes = 64 * 1024;
  size_t max_file_bytes = 64 << 20;
  // Match() stops after this many hits and reports ResourceExhausted.
  size_t max_hits = 4096;
};

// Per-thread Hyperscan scratch space. Not thread-safe; cheap to keep, costly to create.
class LexiconScratch {
 public:
  LexiconScratch() = default;
  LexiconScratch(const LexiconScratch&) = delete;
  LexiconScratch& operator=(const LexiconScratch&) = delete;
  ~LexiconScratch();

 private:
  friend class Lexicon;
  hs_scratch* scratch_ = nullptr;
  const void* fitted_for_ = nullptr;  // the Lexicon it was last grown for
};

class Lexicon {
 public:
  // Loads every *.jsonl file in `dir` (sorted by name), normalises the terms with
  // `normalizer` (the one the posts go through) and compiles or loads the database.
  // InvalidArgument ("file.jsonl:LINE: what") on bad data, NotFound if `dir` is missing,
  // ResourceExhausted past the limits in `options`.
  static Result<std::shared_ptr<const Lexicon>> Load(
      const std::string& dir, std::shared_ptr<const text::Normalizer> normalizer,
      const LexiconOptions& options = {});

  // Same, from in-memory files: {name, content} pairs (tests, embedded lexicons).
  static Result<std::shared_ptr<const Lexicon>> FromFiles(
      std::vector<std::pair<std::string, std::string>> files,
      std::shared_ptr<const text::Normalizer> normalizer, const LexiconOptions& options = {});

  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;
  ~Lexicon();

  // All hits of all entries in `text`, ordered by (begin, end, entry). `text` must come from
  // normalizer() (any other source must at least be valid UTF-8). Returns ResourceExhausted
  // with the first max_hits hits kept when there are more, Internal on a Hyperscan failure.
  Status Match(const text::NormalizedText& text, LexiconScratch* scratch,
               std::vector<LexiconHit>* hits) const;
  // Convenience: the hits, or as many as fit when Match() reports an error.
  std::vector<LexiconHit> Match(const text::NormalizedText& text, LexiconScratch* scratch) const;

  const std::vector<LexiconEntry>& entries() const { return entries_; }
  // Content hash of the lexicon files and the normaliser options (hex BLAKE2b-128).
  const std::string& version() const { return version_; }
  // Whether the database came from the cache file rather than a fresh compile.
  bool loaded_from_cache() const { return from_cache_; }
  const text::Normalizer& normalizer() const { return *normalizer_; }

 private:
  Lexicon() = default;

  std::vector<LexiconEntry> entries_;
  std::string version_;
  bool from_cache_ = false;
  size_t max_hits_ = 0;
  std::shared_ptr<const text::Normalizer> normalizer_;
  hs_database* db_ = nullptr;
};

}  // namespace bulwark::detect
