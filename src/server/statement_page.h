#pragma once

// The printable HTML page of a refund statement (web/templates/statement.mustache): one
// self-contained document (inline styles, no scripts) that `bulwark refunds statement --format
// html` writes and GET /v1/advertisers/{id}/statements/{month}?format=html serves.

#include <cstdint>
#include <string>

#include "ads/statement.h"
#include "core/status.h"
#include "server/pages.h"

namespace bulwark::server {

// "1234567" micros of USD -> "1.234567 USD"; negative amounts keep their sign.
std::string FormatMicros(std::int64_t micros, const std::string& currency);

Result<std::string> RenderStatementPage(const ads::Statement& s, const PageRenderer& pages);

}  // namespace bulwark::server
