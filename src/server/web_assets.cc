#include "server/web_assets.h"

#include <algorithm>

namespace bulwark::server {

std::optional<std::string_view> FindWebAsset(std::string_view path) {
  auto all = AllWebAssets();
  auto it = std::lower_bound(all.begin(), all.end(), path,
                             [](const WebAsset& a, std::string_view p) { return a.path < p; });
  if (it == all.end() || it->path != path) return std::nullopt;
  return it->bytes;
}

std::string_view WebContentType(std::string_view path) {
  auto ends_with = [&](std::string_view s) { return path.ends_with(s); };
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  if (ends_with(".html") || ends_with(".mustache")) return "text/html; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace bulwark::server
