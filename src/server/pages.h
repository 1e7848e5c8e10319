#pragma once

// Server-rendered HTML pages: the embedded mustache templates (web/templates) rendered with a
// JSON value as the view model. Every {{value}} is HTML-escaped; templates never use the
// unescaped {{{triple}}} form (checked by pages_test).
//
// Thread-safe: templates are parsed per render (they are small), so one PageRenderer may be
// shared by every request thread.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace bulwark::server {

class PageRenderer {
 public:
  // Renders web/templates/<page>.mustache with `view`; the partials {{>header}} and {{>footer}}
  // resolve to the templates of those names. NotFound for an unknown page, Internal for a
  // template that does not parse.
  Result<std::string> Render(std::string_view page, const nlohmann::json& view) const;
};

}  // namespace bulwark::server
