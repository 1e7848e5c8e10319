#include "cli/http_get.h"

#include <httplib.h>

#include <exception>
#include <nlohmann/json.hpp>
#include <string>

namespace bulwark::cli {

Result<std::string> HttpGet(const std::string& base_url, const std::string& path_and_query,
                            const std::string& bearer) {
  const size_t scheme_end = base_url.find("://");
  if (scheme_end == std::string::npos || (base_url.compare(0, scheme_end, "http") != 0 &&
                                          base_url.compare(0, scheme_end, "https") != 0)) {
    return InvalidArgument("'" + base_url + "' is not an http:// or https:// URL", "--from-feed");
  }
  // "http://host:port/prefix" -> client for "http://host:port", paths under "/prefix".
  const size_t path_start = base_url.find('/', scheme_end + 3);
  std::string origin = base_url.substr(0, path_start);
  std::string prefix = path_start == std::string::npos ? "" : base_url.substr(path_start);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string url = origin + prefix + path_and_query;
  try {
    httplib::Client client(origin);
    if (!client.is_valid()) return InvalidArgument("cannot use URL '" + base_url + "'");
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(60, 0);
    client.enable_server_certificate_verification(true);
    if (!bearer.empty()) client.set_bearer_token_auth(bearer);
    auto res = client.Get(prefix + path_and_query);
    if (!res) {
      return Unavailable("GET " + url + ": no response (" + httplib::to_string(res.error()) +
                         "); is the URL right and the server up?");
    }
    if (res->status == 200) return std::move(res->body);
    // Bulwark's error body: {"error":{"code":..., "message":...}}.
    std::string detail = res->body;
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_object() &&
        j["error"].contains("message") && j["error"]["message"].is_string()) {
      detail = j["error"]["message"].get<std::string>();
    }
    std::string msg = "GET " + url + ": HTTP " + std::to_string(res->status) + ": " + detail;
    if (res->status == 401 || res->status == 403) return PermissionDenied(msg);
    return FailedPrecondition(msg);
  } catch (const std::exception& e) {
    return Unavailable("GET " + url + ": " + e.what());
  }
}

}  // namespace bulwark::cli
