#include "server/pages.h"

#include <kainjow/mustache.hpp>

#include "server/web_assets.h"

namespace bulwark::server {
namespace {

namespace mustache = kainjow::mustache;

std::optional<std::string_view> Template(std::string_view name) {
  return FindWebAsset("templates/" + std::string(name) + ".mustache");
}

// JSON -> mustache data: objects and arrays map structurally; false, null, "" and [] are falsy
// for sections; numbers render as JSON writes them.
mustache::data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mustache::data list{mustache::data::type::list};
      for (const auto& v : j) list.push_back(ToData(v));
      return list;
    }
    case nlohmann::json::value_t::string:
      // An empty string renders as nothing and opens no section (the mustache library would
      // treat it as true: "{{#label}}label: {{label}}{{/label}}" printed "label: ").
      if (j.get_ref<const std::string&>().empty()) {
        return mustache::data{mustache::data::type::bool_false};
      }
      return mustache::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? mustache::data{mustache::data::type::bool_true}
                           : mustache::data{mustache::data::type::bool_false};
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return mustache::data{mustache::data::type::bool_false};
    default:
      return mustache::data{j.dump()};
  }
}

}  // namespace

Result<std::string> PageRenderer::Render(std::string_view page, const nlohmann::json& view) const {
  auto text = Template(page);
  if (!text) return NotFound("no page template '" + std::string(page) + "'");
  mustache::mustache tmpl{std::string(*text)};
  if (!tmpl.is_valid()) {
    return Internal("template " + std::string(page) + ": " + tmpl.error_message());
  }
  mustache::data data = ToData(view.is_object() ? view : nlohmann::json::object());
  for (std::string_view partial : {"header", "footer"}) {
    auto p = Template(partial);
    if (!p) return Internal("missing partial template '" + std::string(partial) + "'");
    std::string body(*p);
    data.set(std::string(partial), mustache::partial([body] { return body; }));
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    return Internal("template " + std::string(page) + ": " + tmpl.error_message());
  }
  return out;
}

}  // namespace bulwark::server
