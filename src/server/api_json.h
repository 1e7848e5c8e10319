#pragma once

// JSON helpers shared by the API's handler files (api.cc, api_review.cc, ...).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "core/decision.h"
#include "core/status.h"
#include "server/http_server.h"

namespace bulwark::server {

// A response with `body` serialised (invalid UTF-8 replaced) and a trailing newline.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

// Value of `key` in an application/x-www-form-urlencoded query string (not percent-decoded),
// or nullopt.
std::optional<std::string_view> QueryParam(std::string_view query, std::string_view key);

// A decimal integer in [min, max]; InvalidArgument naming `field` otherwise.
Result<std::int64_t> ParseCount(std::string_view v, std::string_view field, std::int64_t min,
                                std::int64_t max);

// A decision log entry as the API shows it (evidence parsed back into JSON).
nlohmann::json DecisionJson(const Decision& d);

}  // namespace bulwark::server
