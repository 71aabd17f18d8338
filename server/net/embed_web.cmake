# Generates a C++ source holding the browser front end's files (server/web/)
# as string literals. Invoked at build time:
#   cmake -DWEB_DIR=... -DOUT=... -P embed_web.cmake
file(GLOB files RELATIVE ${WEB_DIR} ${WEB_DIR}/*)
list(SORT files)
set(delimiter "hubtable_web")
set(body "// Generated from server/web/ by embed_web.cmake. Do not edit.
#include \"net/web_assets.h\"

#include <array>

namespace hubtable::net {

namespace {
constexpr std::array kAssets{
")
foreach(name IN LISTS files)
  file(READ ${WEB_DIR}/${name} text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${name} holds the embedding delimiter")
  endif()
  if(name MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(name MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(name MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(name MATCHES "\\.json$")
    set(type "application/json")
  elseif(name MATCHES "\\.svg$")
    set(type "image/svg+xml")
  else()
    message(FATAL_ERROR "${name}: no content type for this kind of file")
  endif()
  string(APPEND body "    WebAsset{\"/${name}\", \"${type}\", R\"${delimiter}(${text})${delimiter}\"},\n")
endforeach()
string(APPEND body "};
}  // namespace

const WebAsset* find_web_asset(std::string_view path) {
  for (const auto& a : kAssets) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace hubtable::net
")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
