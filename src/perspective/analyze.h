#pragma once

// Perspective's comments:analyze, on Bulwark's detectors: the request and response shapes of
// Perspective's v1alpha1 API (docs/perspective.md), so that a client switches by changing its
// base URL. Transport-free: the server (src/server/api_perspective.cc) authenticates, rate-limits
// and hands the body here.
//
// The comment is scored and forgotten: nothing here writes the text anywhere, whatever doNotStore
// says (the endpoint only scores).
//
// Errors have Google's JSON error shape, {"error":{"code":400,"message":...,"status":
// "INVALID_ARGUMENT","details":[...]}}, with Perspective's errorType values where Perspective had
// one (LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE, COMMENT_EMPTY, COMMENT_TOO_LONG) and a
// google.rpc.BadRequest field violation naming the request field.
//
// Thread safety: Analyze is reentrant; each concurrent call needs its own DetectorScratch.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace bulwark::detect {
class Detector;
class DetectorScratch;
}  // namespace bulwark::detect

namespace bulwark::perspective {

class AttributeCalibration;

// The longest comment, in UTF-8 bytes, as Perspective's 20 KB.
inline constexpr std::size_t kMaxCommentBytes = 20480;
// The most sentences scored separately for spanAnnotations; the rest form one last span.
inline constexpr std::size_t kMaxSpans = 64;

struct AnalyzeResponse {
  int http_status = 200;
  std::string body;  // JSON
};

// Scores one AnalyzeCommentRequest (the parsed body) with `detector` and `calibration`.
AnalyzeResponse Analyze(const nlohmann::json& request, const detect::Detector& detector,
                        detect::DetectorScratch* scratch, const AttributeCalibration& calibration);

// Google's error shape. `error_type` (Perspective's errorType) and `field` are optional: with
// error_type a commentanalyzer Error detail is added, with field a google.rpc.BadRequest one.
// `status` is the canonical code name ("INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", ...).
std::string GoogleErrorJson(int http_status, std::string_view status, std::string_view message,
                            std::string_view error_type = {}, std::string_view field = {});

// Byte offset `byte` of UTF-8 `text` in UTF-16 code units (the unit of Perspective's span
// offsets): one unit per code point below U+10000, two above. Ill-formed bytes count one each.
std::size_t Utf16Offset(std::string_view text, std::size_t byte);

}  // namespace bulwark::perspective
