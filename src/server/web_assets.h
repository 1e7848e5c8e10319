#pragma once

// The console's templates and static files (web/), compiled into the binary by
// cmake/embed_files.cmake so that `bulwark serve` needs no files beside it.

#include <optional>
#include <span>
#include <string_view>

namespace bulwark::server {

struct WebAsset {
  std::string_view path;   // relative to web/, e.g. "templates/case.mustache"
  std::string_view bytes;  // the file's content
};

// Every embedded file, sorted by path.
std::span<const WebAsset> AllWebAssets();

// The file at `path`, or nullopt.
std::optional<std::string_view> FindWebAsset(std::string_view path);

// Content-Type for a static file by extension ("text/css; charset=utf-8", ...).
std::string_view WebContentType(std::string_view path);

}  // namespace bulwark::server
