#pragma once
// The browser front end's files (server/web/), embedded at build time by
// embed_web.cmake: nothing is read from disk or fetched at run time.

#include <string_view>

namespace hubtable::net {

struct WebAsset {
  std::string_view path;  // "/index.html"
  std::string_view content_type;
  std::string_view body;
};

/// The file served at `path`, or nullptr.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace hubtable::net
