#include "perspective/analyze.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "detect/detector.h"
#include "detect/verdict.h"
#include "perspective/attributes.h"

namespace bulwark::perspective {

namespace {

using nlohmann::json;

constexpr std::string_view kErrorDetailType =
    "type.googleapis.com/google.commentanalyzer.v1alpha1.Error";
constexpr std::string_view kBadRequestType = "type.googleapis.com/google.rpc.BadRequest";
// The languages the detectors were built and measured for (docs/detection.md, "Languages").
constexpr std::string_view kCoveredLanguage = "en";

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json ErrorObject(int http_status, std::string_view status, std::string_view message,
                 std::string_view error_type, std::string_view field, json extra = nullptr) {
  json details = json::array();
  if (!error_type.empty()) {
    json d = {{"@type", kErrorDetailType}, {"errorType", error_type}};
    if (extra.is_object()) d.update(extra);
    details.push_back(std::move(d));
  }
  if (!field.empty()) {
    details.push_back(
        {{"@type", kBadRequestType},
         {"fieldViolations", json::array({{{"field", field}, {"description", message}}})}});
  }
  json e = {{"code", http_status}, {"message", message}, {"status", status}};
  if (!details.empty()) e["details"] = std::move(details);
  return {{"error", std::move(e)}};
}

AnalyzeResponse Error(std::string_view message, std::string_view field,
                      std::string_view error_type = {}) {
  return {400, Dump(ErrorObject(400, "INVALID_ARGUMENT", message, error_type, field))};
}

// "en-US", "EN", "en_GB" -> "en".
std::string PrimaryLanguage(std::string_view tag) {
  std::string out;
  for (char c : tag) {
    if (c == '-' || c == '_') break;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

struct Requested {
  Attribute attribute;
  std::optional<double> threshold;
};

// A sentence: [begin, end) in bytes, trimmed of surrounding white space.
struct Span {
  size_t begin, end;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Splits at '.', '!', '?' followed by white space, and at line breaks. Perspective's spans are
// its own segmentation; sentences are the nearest reading a client can rely on.
std::vector<Span> Sentences(std::string_view text) {
  std::vector<Span> out;
  size_t start = 0;
  auto push = [&](size_t end) {
    size_t b = start, e = end;
    while (b < e && IsSpace(text[b])) ++b;
    while (e > b && IsSpace(text[e - 1])) --e;
    if (b < e) {
      if (out.size() + 1 >= kMaxSpans) {  // the last span: it takes the rest of the text
        end = text.size();
        e = end;
        while (e > b && IsSpace(text[e - 1])) --e;
      }
      out.push_back({b, e});
    }
    start = end;
  };
  for (size_t i = 0; i < text.size() && out.size() + 1 < kMaxSpans; ++i) {
    const char c = text[i];
    if (c == '\n') {
      push(i + 1);
    } else if ((c == '.' || c == '!' || c == '?') &&
               (i + 1 == text.size() || IsSpace(text[i + 1]))) {
      push(i + 1);
    }
  }
  if (start < text.size()) push(text.size());
  return out;
}

json ScoreJson(double value) { return {{"value", value}, {"type", "PROBABILITY"}}; }

}  // namespace

std::string GoogleErrorJson(int http_status, std::string_view status, std::string_view message,
                            std::string_view error_type, std::string_view field) {
  return Dump(ErrorObject(http_status, status, message, error_type, field));
}

size_t Utf16Offset(std::string_view text, size_t byte) {
  byte = std::min(byte, text.size());
  size_t units = 0;
  for (size_t i = 0; i < byte;) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > text.size()) len = 1;
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return units;
}

AnalyzeResponse Analyze(const json& req, const detect::Detector& detector,
                        detect::DetectorScratch* scratch, const AttributeCalibration& calibration) {
  if (!req.is_object()) return Error("the request must be a JSON object", "body");
  static constexpr std::string_view kTopLevel[] = {"comment",
                                                   "context",
                                                   "requestedAttributes",
                                                   "spanAnnotations",
                                                   "doNotStore",
                                                   "languages",
                                                   "clientToken",
                                                   "sessionId",
                                                   "communityId",
                                                   "dropUnsupportedAttributes"};
  for (const auto& [key, value] : req.items()) {
    if (std::find(std::begin(kTopLevel), std::end(kTopLevel), key) == std::end(kTopLevel)) {
      return Error("Invalid JSON payload received. Unknown name \"" + key.substr(0, 100) + "\"",
                   key.substr(0, 100));
    }
  }
  // comment.text
  auto comment = req.find("comment");
  if (comment == req.end() || !comment->is_object()) {
    return Error("comment is required and must be an object", "comment");
  }
  for (const auto& [key, value] : comment->items()) {
    if (key != "text" && key != "type") {
      return Error(
          "Invalid JSON payload received. Unknown name \"" + key.substr(0, 100) + "\" at 'comment'",
          "comment." + key.substr(0, 100));
    }
  }
  if (comment->contains("type")) {
    const json& t = (*comment)["type"];
    if (!t.is_string() || (t != "PLAIN_TEXT" && t != "TEXT_TYPE_UNSPECIFIED")) {
      return Error("comment.type: only PLAIN_TEXT is supported", "comment.type");
    }
  }
  auto text_it = comment->find("text");
  if (text_it != comment->end() && !text_it->is_string()) {
    return Error("comment.text must be a string", "comment.text");
  }
  const std::string text = text_it == comment->end() ? "" : text_it->get<std::string>();
  if (text.empty()) return Error("Comment must be non-empty.", "comment.text", "COMMENT_EMPTY");
  if (text.size() > kMaxCommentBytes) {
    return Error(
        "Comment text too long: at most " + std::to_string(kMaxCommentBytes) + " bytes of UTF-8",
        "comment.text", "COMMENT_TOO_LONG");
  }
  // Flags and echoed strings.
  auto flag = [&](const char* name, bool* out) -> std::optional<AnalyzeResponse> {
    auto it = req.find(name);
    if (it == req.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) return Error(std::string(name) + " must be true or false", name);
    *out = it->get<bool>();
    return std::nullopt;
  };
  bool span_annotations = false, do_not_store = false, drop_unsupported = false;
  if (auto e = flag("spanAnnotations", &span_annotations)) return *e;
  if (auto e = flag("doNotStore", &do_not_store)) return *e;  // honoured always: nothing is stored
  if (auto e = flag("dropUnsupportedAttributes", &drop_unsupported)) return *e;
  for (const char* name : {"clientToken", "sessionId", "communityId"}) {
    auto it = req.find(name);
    if (it != req.end() && !it->is_string() && !it->is_null()) {
      return Error(std::string(name) + " must be a string", name);
    }
  }
  if (req.contains("context") && !req["context"].is_object() && !req["context"].is_null()) {
    return Error("context must be an object", "context");
  }
  // requestedAttributes
  auto attrs = req.find("requestedAttributes");
  if (attrs == req.end() || !attrs->is_object() || attrs->empty()) {
    return Error("requestedAttributes must name at least one attribute", "requestedAttributes");
  }
  std::vector<Requested> requested;
  std::vector<std::string> unscored;
  for (const auto& [name, params] : attrs->items()) {
    const std::string field = "requestedAttributes." + name.substr(0, 100);
    if (!params.is_object() && !params.is_null()) {
      return Error(field + " must be an object (AttributeParameters)", field);
    }
    Requested r{Attribute::kToxicity, std::nullopt};
    if (params.is_object()) {
      for (const auto& [key, value] : params.items()) {
        if (key == "scoreType") {
          if (!value.is_string() || (value != "PROBABILITY" && value != "SCORE_TYPE_UNSPECIFIED")) {
            return Error(field + ".scoreType: only PROBABILITY is supported", field + ".scoreType");
          }
        } else if (key == "scoreThreshold") {
          if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
            return Error(field + ".scoreThreshold must be a number in [0, 1]",
                         field + ".scoreThreshold");
          }
          r.threshold = value.get<double>();
        } else {
          return Error("Invalid JSON payload received. Unknown name \"" + key.substr(0, 100) +
                           "\" at '" + field + "'",
                       field + "." + key.substr(0, 100));
        }
      }
    }
    if (auto a = ParseAttribute(name)) {
      r.attribute = *a;
      requested.push_back(r);
    } else if (IsUnscoredPerspectiveAttribute(name)) {
      unscored.push_back(name);
    } else {
      return Error("Unknown attribute: " + name.substr(0, 100), field);
    }
  }
  // languages
  std::vector<std::string> languages;
  if (auto it = req.find("languages"); it != req.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > 16) {
      return Error("languages must be an array of at most 16 language codes", "languages");
    }
    for (const json& l : *it) {
      if (!l.is_string() || l.get<std::string>().empty() || l.get<std::string>().size() > 35) {
        return Error("languages: each entry must be an ISO 639 or BCP-47 code", "languages");
      }
      languages.push_back(l.get<std::string>());
    }
  }

  detect::Verdict verdict;
  detector.Classify(text, scratch, &verdict);
  json detected = json::array();
  if (verdict.language != "und") detected.push_back(verdict.language);

  // The language check. Requested languages must all be covered; without any, the detected one
  // must be (a text CLD2 cannot place is judged by its script, as for every verdict).
  std::string unsupported_language;
  if (!languages.empty()) {
    for (const std::string& l : languages) {
      if (PrimaryLanguage(l) != kCoveredLanguage) {
        unsupported_language = l;
        break;
      }
    }
  } else if (verdict.coverage != "full") {
    unsupported_language = verdict.language;
  }
  auto not_supported = [&](std::string_view attribute, std::string_view language) {
    json extra = {{"languageNotSupportedByAttributeError",
                   {{"attribute", attribute},
                    {"requestedLanguages", languages},
                    {"detectedLanguages", detected}}}};
    const std::string message = "Attribute " + std::string(attribute) +
                                " does not support request languages: " + std::string(language);
    return AnalyzeResponse{
        400, Dump(ErrorObject(400, "INVALID_ARGUMENT", message,
                              "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE", {}, std::move(extra)))};
  };
  if (!drop_unsupported) {
    if (!unscored.empty()) {
      return not_supported(unscored.front(),
                           languages.empty() ? (detected.empty() ? std::string("en")
                                                                 : detected[0].get<std::string>())
                                             : languages.front());
    }
    if (!unsupported_language.empty()) {
      return not_supported(AttributeName(requested.front().attribute), unsupported_language);
    }
  } else if (!unsupported_language.empty()) {
    requested.clear();
  }

  // Scores: the whole comment, and each sentence when spans are asked for.
  const Features whole = FeaturesOf(verdict);
  std::vector<Span> spans;
  std::vector<Features> span_features;
  if (span_annotations && !requested.empty()) {
    spans = Sentences(text);
    if (spans.size() == 1) {
      span_features.push_back(whole);
    } else {
      detect::Verdict sv;
      for (const Span& s : spans) {
        detector.Classify(std::string_view(text).substr(s.begin, s.end - s.begin), scratch, &sv);
        span_features.push_back(FeaturesOf(sv));
      }
    }
  }
  json scores = json::object();
  for (const Requested& r : requested) {
    const double summary = calibration.Score(r.attribute, whole);
    const double threshold = r.threshold.value_or(0.0);
    if (summary < threshold) continue;
    json a = {{"summaryScore", ScoreJson(summary)}};
    if (span_annotations) {
      json list = json::array();
      for (size_t i = 0; i < spans.size(); ++i) {
        const double v = calibration.Score(r.attribute, span_features[i]);
        if (v < threshold) continue;
        list.push_back({{"begin", Utf16Offset(text, spans[i].begin)},
                        {"end", Utf16Offset(text, spans[i].end)},
                        {"score", ScoreJson(v)}});
      }
      a["spanScores"] = std::move(list);
    }
    scores[std::string(AttributeName(r.attribute))] = std::move(a);
  }
  json out = {{"attributeScores", std::move(scores)},
              {"languages", languages.empty() ? json::array({kCoveredLanguage}) : json(languages)},
              {"detectedLanguages", std::move(detected)}};
  if (auto it = req.find("clientToken"); it != req.end() && it->is_string()) {
    out["clientToken"] = *it;
  }
  return {200, Dump(out)};
}

}  // namespace bulwark::perspective
