// The page of `repsim serve` (web/), built into the binary by
// cmake/embed_web.cmake: path ("/index.html"), content type, bytes.
#pragma once

#include <span>
#include <string_view>

namespace repsim::cli {

struct WebAsset {
  std::string_view path;
  std::string_view content_type;
  std::string_view data;
};

std::span<const WebAsset> WebAssets();

}  // namespace repsim::cli
