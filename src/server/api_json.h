#pragma once

// JSON helpers shared by the API's handler files (api.cc, api_review.cc, ...).

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "core/decision.h"
#include "core/log_signing.h"
#include "core/status.h"
#include "server/http_server.h"
#include "store/store.h"

namespace bulwark::server {

// A response with `body` serialised (invalid UTF-8 replaced) and a trailing newline.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

// Index of the first "[N]" in a field path ("items[3].text" -> 3), or -1 when there is none or
// N has more than 15 digits (a hostile field name must not overflow).
long long FirstIndex(std::string_view field);

// The `method` label of the request metrics: the standard methods as they are, anything else
// "other", so that a client cannot create a metric series per invented method token.
std::string_view MethodLabel(std::string_view method);

// Value of `key` in an application/x-www-form-urlencoded query string (not percent-decoded),
// or nullopt.
std::optional<std::string_view> QueryParam(std::string_view query, std::string_view key);

// Percent-decodes one path segment or query value; nullopt on malformed escapes or on a control
// character (NUL, CR, LF, ... and DEL), raw or encoded: a decoded segment can end up in a header
// value (a console redirect's Location), where CR LF would split the response.
std::optional<std::string> PercentDecode(std::string_view s);

// A decimal integer in [min, max]; InvalidArgument naming `field` otherwise.
Result<std::int64_t> ParseCount(std::string_view v, std::string_view field, std::int64_t min,
                                std::int64_t max);

// The deepest nesting a request body may have ({"a":[1]} has depth 2). Bodies the API accepts
// are at most 4 deep; the limit leaves room without letting "[[[[..." cost memory per level.
inline constexpr int kMaxJsonBodyDepth = 32;

// Parses a request body as JSON. A body nested deeper than `max_depth` is refused before the
// parser allocates anything; it and invalid JSON are InvalidArgument naming the field "body".
Result<nlohmann::json> ParseJsonBody(std::string_view body, int max_depth = kMaxJsonBodyDepth);

// The nesting depth of the JSON text `s` (brackets inside strings are not counted), or -1 as soon
// as it exceeds `max_depth`. Linear, no allocation; the text need not be valid JSON.
int JsonDepth(std::string_view s, int max_depth);

// The policy routes' bodies: a JSON object whose every member is one of `fields` and a string
// (an empty or blank body counts as {}). InvalidArgument naming the body or the member.
Result<nlohmann::json> ParseStringFieldsBody(std::string_view body,
                                             std::initializer_list<std::string_view> fields);
// A policy version id in a path: a positive decimal integer of at most 18 digits.
// InvalidArgument naming "id".
Result<std::int64_t> ParsePolicyId(std::string_view text);
// A decision log entry as the API shows it (evidence parsed back into JSON).
nlohmann::json DecisionJson(const Decision& d);
// An account's standing at `now` (api_accounts.cc): id, public_figure, state, until,
// state_decision_seq.
nlohmann::json AccountJson(const store::StoredAccount& a, UnixMillis now);
// DecisionJson plus "hashed_bytes": base64 of ChainPreimage, the exact bytes whose SHA-256 is
// the entry's hash, so that anyone can recompute the chain from the feed alone.
nlohmann::json DecisionFeedJson(const Decision& d);
// {"seq","hash","signed_at","signature","public_key","algorithm":"ed25519"}: GET /v1/log/head
// and a line of a checkpoint file (bulwark log checkpoint).
nlohmann::json SignedHeadJson(const SignedHead& h);

}  // namespace bulwark::server
