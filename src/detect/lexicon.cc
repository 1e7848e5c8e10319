#include "detect/lexicon.h"

#include <hs/hs.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace bulwark::detect {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Bump when the pattern translation or the cache layout changes.
constexpr std::string_view kFormatVersion = "bulwark-lexicon-v1";

std::string Hex(const unsigned char* p, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kDigits[p[i] >> 4];
    s[2 * i + 1] = kDigits[p[i] & 15];
  }
  return s;
}

Status LineError(const std::string& where, const std::string& what) {
  return InvalidArgument(where + ": " + what);
}

std::optional<LexiconMatchKind> ParseMatchKind(std::string_view s) {
  if (s == "word") return LexiconMatchKind::kWord;
  if (s == "phrase") return LexiconMatchKind::kPhrase;
  if (s == "prefix") return LexiconMatchKind::kPrefix;
  if (s == "regex") return LexiconMatchKind::kRegex;
  return std::nullopt;
}

// Reads a required field of the given JSON type; an error names the field.
template <typename T>
Status GetField(const json& obj, const char* name, const std::string& where, T* out) {
  auto it = obj.find(name);
  if (it == obj.end()) return LineError(where, std::string("missing field \"") + name + "\"");
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return LineError(where, std::string("\"") + name + "\" must be a string");
    *out = it->template get_ref<const std::string&>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) {
      return LineError(where, std::string("\"") + name + "\" must be true or false");
    }
    *out = it->template get_ref<const bool&>();
  } else if constexpr (std::is_same_v<T, int>) {
    if (!it->is_number_integer()) {
      return LineError(where, std::string("\"") + name + "\" must be an integer");
    }
    const auto v = it->template get<int64_t>();
    if (v < -1000000 || v > 1000000) {
      return LineError(where, std::string("\"") + name + "\" out of range");
    }
    *out = static_cast<int>(v);
  }
  return Status::Ok();
}

Status ParseEntry(const json& obj, const std::string& where, LexiconEntry* e) {
  if (!obj.is_object()) return LineError(where, "expected a JSON object");
  BULWARK_RETURN_IF_ERROR(GetField(obj, "id", where, &e->id));
  if (e->id.empty()) return LineError(where, "\"id\" is empty");
  BULWARK_RETURN_IF_ERROR(GetField(obj, "term", where, &e->term));
  if (e->term.empty()) return LineError(where, "\"term\" is empty");
  std::string s;
  BULWARK_RETURN_IF_ERROR(GetField(obj, "match", where, &s));
  auto mk = ParseMatchKind(s);
  if (!mk) return LineError(where, "unknown match \"" + s + "\" (word|phrase|prefix|regex)");
  e->match = *mk;
  BULWARK_RETURN_IF_ERROR(GetField(obj, "category", where, &s));
  if (s != "none") {
    e->category = ParseCategory(s);
    if (!e->category) return LineError(where, "unknown category \"" + s + "\"");
  }
  auto targets = obj.find("targets");
  if (targets == obj.end()) return LineError(where, "missing field \"targets\"");
  if (!targets->is_array()) return LineError(where, "\"targets\" must be an array");
  for (const json& t : *targets) {
    if (!t.is_string()) return LineError(where, "\"targets\" must hold strings");
    auto g = ParseTargetGroup(t.get_ref<const std::string&>());
    if (!g) return LineError(where, "unknown target group \"" + t.get<std::string>() + "\"");
    e->targets.push_back(*g);
  }
  BULWARK_RETURN_IF_ERROR(GetField(obj, "severity", where, &e->severity));
  if (e->severity < 0 || e->severity > 4) return LineError(where, "\"severity\" must be 0..4");
  if (e->category && e->severity == 0) {
    return LineError(where, "\"severity\" must be 1..4 when a category is set");
  }
  BULWARK_RETURN_IF_ERROR(GetField(obj, "kind", where, &e->kind));
  if (e->kind.empty()) return LineError(where, "\"kind\" is empty");
  BULWARK_RETURN_IF_ERROR(GetField(obj, "reclaimed", where, &e->reclaimed));
  BULWARK_RETURN_IF_ERROR(GetField(obj, "counter_speech_risk", where, &e->counter_speech_risk));
  BULWARK_RETURN_IF_ERROR(GetField(obj, "provenance", where, &e->provenance));
  if (obj.contains("note")) BULWARK_RETURN_IF_ERROR(GetField(obj, "note", where, &e->note));
  return Status::Ok();
}

// Appends one code point of a term to a Hyperscan pattern, escaped, repeated per `quant`.
void AppendLiteral(std::string_view cp, std::string_view quant, std::string* out) {
  const bool multi = cp.size() > 1 || !quant.empty();
  if (cp.size() == 1) {
    const unsigned char c = static_cast<unsigned char>(cp[0]);
    char buf[8];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      buf[0] = static_cast<char>(c);
      buf[1] = 0;
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
    }
    out->append(buf);
  } else {
    if (multi) out->append("(?:");
    out->append(cp);
    if (multi) out->append(")");
  }
  out->append(quant);
}

size_t CpLen(unsigned char b) { return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; }

// Translates a normalised term into a pattern over normalised text. Tokens are separated by
// exactly one space there, so "whole token" = preceded by start or a space and followed by a
// space or the end. Inside tokens that contain letters the normaliser squeezes repeats, so a
// single letter matches one or two copies and a double matches exactly two (or, with
// repeat_squeeze_to == 1, one or two).
std::string TermPattern(const text::NormalizedText& nt, LexiconMatchKind kind, int squeeze_to) {
  std::string p = "(?:^|\\x20)";
  for (size_t t = 0; t < nt.tokens.size(); ++t) {
    if (t > 0) p += "\\x20";
    std::string_view tok = nt.TokenText(t);
    bool letters = false;
    for (unsigned char c : tok) letters |= (c >= 'a' && c <= 'z') || c >= 0x80;
    // A token of one repeated character ("kkk") is kept verbatim by the normaliser (up to 3).
    const size_t l0 = CpLen(static_cast<unsigned char>(tok[0]));
    bool uniform = true;
    for (size_t i = l0; uniform && i < tok.size(); i += l0) {
      uniform = i + l0 <= tok.size() && tok.substr(i, l0) == tok.substr(0, l0);
    }
    if (uniform) letters = false;
    for (size_t i = 0; i < tok.size();) {
      const size_t len = CpLen(static_cast<unsigned char>(tok[i]));
      std::string_view cp = tok.substr(i, len);
      size_t run = 1;
      while (i + (run + 1) * len <= tok.size() && tok.substr(i + run * len, len) == cp) ++run;
      if (!letters) {
        for (size_t k = 0; k < run; ++k) AppendLiteral(cp, "", &p);
      } else if (run == 1 || squeeze_to == 1) {
        AppendLiteral(cp, "{1,2}", &p);
      } else {
        AppendLiteral(cp, "{2}", &p);
      }
      i += run * len;
    }
  }
  if (kind == LexiconMatchKind::kPrefix) p += "[^\\x20]*";
  p += "(?:\\x20|$)";
  return p;
}

struct ScanContext {
  const Lexicon* lexicon;
  const text::NormalizedText* text;
  std::vector<LexiconHit>* hits;
  size_t max_hits;
  bool overflow = false;
};

}  // namespace

std::string_view LexiconMatchKindName(LexiconMatchKind k) {
  switch (k) {
    case LexiconMatchKind::kWord:
      return "word";
    case LexiconMatchKind::kPhrase:
      return "phrase";
    case LexiconMatchKind::kPrefix:
      return "prefix";
    case LexiconMatchKind::kRegex:
      return "regex";
  }
  return "word";
}

LexiconScratch::~LexiconScratch() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
}

Lexicon::~Lexicon() {
  if (db_ != nullptr) hs_free_database(db_);
}

Result<std::shared_ptr<const Lexicon>> Lexicon::Load(
    const std::string& dir, std::shared_ptr<const text::Normalizer> normalizer,
    const LexiconOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound("lexicon directory not found: " + dir);
  std::vector<fs::path> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".jsonl" && it->is_regular_file(ec)) paths.push_back(it->path());
  }
  if (ec) return Unavailable("cannot list " + dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<std::pair<std::string, std::string>> files;
  for (const fs::path& p : paths) {
    const auto size = fs::file_size(p, ec);
    if (ec) return Unavailable("cannot stat " + p.string() + ": " + ec.message());
    if (size > options.max_file_bytes) {
      return ResourceExhausted(p.filename().string() + ": larger than max_file_bytes");
    }
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in.good() && !in.eof()) return Unavailable("cannot read " + p.string());
    files.emplace_back(p.filename().string(), ss.str());
  }
  return FromFiles(std::move(files), std::move(normalizer), options);
}

Result<std::shared_ptr<const Lexicon>> Lexicon::FromFiles(
    std::vector<std::pair<std::string, std::string>> files,
    std::shared_ptr<const text::Normalizer> normalizer, const LexiconOptions& options) {
  if (normalizer == nullptr) return InvalidArgument("a normalizer is required");
  if (sodium_init() < 0) return Internal("libsodium initialisation failed");
  std::shared_ptr<Lexicon> lex(new Lexicon());
  lex->normalizer_ = std::move(normalizer);
  lex->max_hits_ = options.max_hits;

  // The version covers everything that decides what matches: the files and the normaliser.
  crypto_generichash_state hash;
  crypto_generichash_init(&hash, nullptr, 0, 16);
  auto hash_str = [&](std::string_view s) {
    const uint64_t n = s.size();
    crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(&n), sizeof n);
    crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  hash_str(kFormatVersion);
  const text::NormalizerOptions& no = lex->normalizer_->options();
  char opts[128];
  std::snprintf(opts, sizeof opts, "skel=%d leet=%d run=%d squeeze=%d emoji=%d",
                no.confusable_skeletons, no.leetspeak, no.min_single_run, no.repeat_squeeze_to,
                no.emoji_tokens);
  hash_str(opts);

  std::unordered_set<std::string> ids;
  text::NormalizedText nt;
  for (const auto& [name, content] : files) {
    hash_str(name);
    hash_str(content);
    size_t line_no = 0;
    for (size_t pos = 0; pos < content.size();) {
      size_t nl = content.find('\n', pos);
      if (nl == std::string::npos) nl = content.size();
      std::string_view line(content.data() + pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      const std::string where = name + ":" + std::to_string(line_no);
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (line.size() > options.max_line_bytes) {
        return ResourceExhausted(where + ": line longer than max_line_bytes");
      }
      json obj = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
      if (obj.is_discarded()) return LineError(where, "invalid JSON");
      LexiconEntry e;
      BULWARK_RETURN_IF_ERROR(ParseEntry(obj, where, &e));
      if (!ids.insert(e.id).second) return LineError(where, "duplicate id \"" + e.id + "\"");
      e.source = where;
      if (e.match == LexiconMatchKind::kRegex) {
        e.normalized = e.term;
      } else {
        lex->normalizer_->Normalize(e.term, &nt);
        if (nt.tokens.empty()) {
          return LineError(where, "term \"" + e.term + "\" normalises to nothing");
        }
        if (nt.truncated) return LineError(where, "term longer than the normaliser's limit");
        e.normalized = nt.text;
        e.token_count = static_cast<uint32_t>(nt.tokens.size());
      }
      if (lex->entries_.size() >= options.max_entries) {
        return ResourceExhausted(where + ": more than max_entries entries");
      }
      lex->entries_.push_back(std::move(e));
    }
  }
  if (lex->entries_.empty()) return InvalidArgument("lexicon has no entries");
  unsigned char digest[16];
  crypto_generichash_final(&hash, digest, sizeof digest);
  lex->version_ = Hex(digest, sizeof digest);

  // Cache key: the version plus what the compiled bytes depend on (Hyperscan, CPU).
  hs_platform_info_t platform;
  if (hs_populate_platform(&platform) != HS_SUCCESS) return Internal("hs_populate_platform");
  char key_extra[160];
  std::snprintf(key_extra, sizeof key_extra, "%s-%llx-%llx", hs_version(),
                static_cast<unsigned long long>(platform.tune),
                static_cast<unsigned long long>(platform.cpu_features));
  unsigned char key_digest[16];
  const std::string key_src = lex->version_ + key_extra;
  crypto_generichash(key_digest, sizeof key_digest,
                     reinterpret_cast<const unsigned char*>(key_src.data()), key_src.size(),
                     nullptr, 0);
  const std::string cache_file =
      options.cache_dir.empty()
          ? std::string()
          : (fs::path(options.cache_dir) / ("lexicon-" + Hex(key_digest, 16) + ".hsdb")).string();

  if (!cache_file.empty()) {
    std::ifstream in(cache_file, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      const std::string bytes = ss.str();
      hs_database_t* db = nullptr;
      if (!bytes.empty() &&
          hs_deserialize_database(bytes.data(), bytes.size(), &db) == HS_SUCCESS) {
        // A database of a different size (pattern count) would be a stale or foreign file.
        hs_scratch_t* probe = nullptr;
        if (hs_alloc_scratch(db, &probe) == HS_SUCCESS) {
          hs_free_scratch(probe);
          lex->db_ = db;
          lex->from_cache_ = true;
        } else {
          hs_free_database(db);
        }
      }
    }
  }

  if (lex->db_ == nullptr) {
    std::vector<std::string> patterns;
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids_vec;
    patterns.reserve(lex->entries_.size());
    const int squeeze = lex->normalizer_->options().repeat_squeeze_to;
    for (size_t i = 0; i < lex->entries_.size(); ++i) {
      const LexiconEntry& e = lex->entries_[i];
      unsigned f = HS_FLAG_UTF8;
      if (e.match == LexiconMatchKind::kRegex) {
        patterns.push_back(e.term);
        f |= HS_FLAG_SOM_LEFTMOST;
      } else {
        lex->normalizer_->Normalize(e.term, &nt);
        patterns.push_back(TermPattern(nt, e.match, squeeze));
      }
      flags.push_back(f);
      ids_vec.push_back(static_cast<unsigned>(i));
    }
    for (const auto& p : patterns) exprs.push_back(p.c_str());
    hs_compile_error_t* err = nullptr;
    hs_database_t* db = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids_vec.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, &platform, &db,
                         &err) != HS_SUCCESS) {
      std::string msg = err != nullptr && err->message != nullptr ? err->message : "unknown";
      const int at = err != nullptr ? err->expression : -1;
      hs_free_compile_error(err);
      if (at >= 0 && static_cast<size_t>(at) < lex->entries_.size()) {
        const LexiconEntry& e = lex->entries_[static_cast<size_t>(at)];
        return LineError(e.source, "pattern for term \"" + e.term + "\" rejected: " + msg);
      }
      return Internal("Hyperscan compile failed: " + msg);
    }
    lex->db_ = db;
    if (!cache_file.empty()) {
      // Best effort: write to a temporary name, then rename, so readers never see half a file.
      char* bytes = nullptr;
      size_t len = 0;
      std::error_code dir_ec;
      fs::create_directories(options.cache_dir, dir_ec);  // a failure shows up as no cache
      if (hs_serialize_database(db, &bytes, &len) == HS_SUCCESS) {
        const std::string tmp = cache_file + ".tmp" + std::to_string(::getpid());
        {
          std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
          out.write(bytes, static_cast<std::streamsize>(len));
        }
        std::error_code rec;
        fs::rename(tmp, cache_file, rec);
        if (rec) fs::remove(tmp, rec);
        std::free(bytes);
      }
    }
  }
  return std::shared_ptr<const Lexicon>(std::move(lex));
}

Status Lexicon::Match(const text::NormalizedText& text, LexiconScratch* scratch,
                      std::vector<LexiconHit>* hits) const {
  hits->clear();
  if (text.text.empty()) return Status::Ok();
  if (scratch->fitted_for_ != this || scratch->scratch_ == nullptr) {
    if (hs_alloc_scratch(db_, &scratch->scratch_) != HS_SUCCESS) {
      return Internal("hs_alloc_scratch failed");
    }
    scratch->fitted_for_ = this;
  }
  ScanContext ctx{this, &text, hits, max_hits_};
  auto on_match = [](unsigned int id, unsigned long long from, unsigned long long to,
                     unsigned int /*flags*/, void* c) -> int {
    auto* sc = static_cast<ScanContext*>(c);
    const LexiconEntry& e = sc->lexicon->entries()[id];
    const text::NormalizedText& nt = *sc->text;
    const auto len = static_cast<uint32_t>(nt.text.size());
    uint32_t begin = static_cast<uint32_t>(from), end = static_cast<uint32_t>(to);
    if (e.match != LexiconMatchKind::kRegex) {
      // The pattern ends with a space or at the end: the last token ends at `end`.
      if (end < len || (end == len && nt.text[end - 1] == ' ')) --end;
      auto it = std::lower_bound(nt.tokens.begin(), nt.tokens.end(), end,
                                 [](const text::Token& t, uint32_t v) { return t.end < v; });
      if (it == nt.tokens.end() || it->end != end) return 0;  // cannot happen; be safe
      const size_t last = static_cast<size_t>(it - nt.tokens.begin());
      if (last + 1 < e.token_count) return 0;
      begin = nt.tokens[last + 1 - e.token_count].begin;
    }
    if (begin >= end) return 0;
    auto [ob, oe] = nt.OriginalSpan(begin, end);
    if (sc->hits->size() >= sc->max_hits) {
      sc->overflow = true;
      return 1;  // stop scanning
    }
    sc->hits->push_back(LexiconHit{id, begin, end, ob, oe});
    return 0;
  };
  hs_error_t rc = hs_scan(db_, text.text.data(), static_cast<unsigned>(text.text.size()), 0,
                          scratch->scratch_, on_match, &ctx);
  if (rc == HS_INVALID && hits->empty()) {
    // The scratch was fitted for an earlier Lexicon at the same address: regrow and retry.
    if (hs_alloc_scratch(db_, &scratch->scratch_) != HS_SUCCESS) {
      return Internal("hs_alloc_scratch failed");
    }
    rc = hs_scan(db_, text.text.data(), static_cast<unsigned>(text.text.size()), 0,
                 scratch->scratch_, on_match, &ctx);
  }
  std::sort(hits->begin(), hits->end(), [](const LexiconHit& a, const LexiconHit& b) {
    return std::tie(a.begin, a.end, a.entry) < std::tie(b.begin, b.end, b.entry);
  });
  if (ctx.overflow) {
    return ResourceExhausted("more than " + std::to_string(max_hits_) + " lexicon hits");
  }
  if (rc != HS_SUCCESS) return Internal("hs_scan failed: " + std::to_string(rc));
  return Status::Ok();
}

std::vector<LexiconHit> Lexicon::Match(const text::NormalizedText& text,
                                       LexiconScratch* scratch) const {
  std::vector<LexiconHit> hits;
  (void)Match(text, scratch, &hits);
  return hits;
}

}  // namespace bulwark::detect
