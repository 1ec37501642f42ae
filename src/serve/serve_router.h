// `repsim serve`'s request handler as a pure function: a complete, parsed
// request (serve/http_request.h) in, the response out — the routes of
// serve/serve_api.h, the embedded page, and the server's checks. No sockets:
// the reading front (src/cli/http_front.h) calls it on a worker thread, and
// the fuzz target (fuzz/fuzz_http.cpp) calls it directly.
//
// Checks, in order:
//   * on a loopback server, the Host header must name a loopback host (403):
//     a page elsewhere cannot reach the API through DNS rebinding;
//   * a POST from a browser must be same-origin: an Origin header, when
//     sent, must be "http://" + the Host header (and loopback on a loopback
//     server), and Sec-Fetch-Site, when sent, "same-origin" or "none" (403).
//     Scripts (curl, Python) send neither and are served;
//   * unknown paths are 404, a known path with another method 405.
// Every JSON body is valid UTF-8: bytes from the request (its path, query)
// are replaced by U+FFFD where they are not.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/http_request.h"
#include "serve/serve_api.h"

namespace repsim::io {

struct WebFile {
  std::string_view path;  // "/index.html"
  std::string_view content_type;
  std::string_view data;
};

struct ServeOptions {
  ServeLimits limits;
  bool loopback = true;  // the server listens on a loopback address only
  std::vector<WebFile> files;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // besides the standard ones
  std::string body;
};

HttpResponse HandleRequest(const HttpRequest& request, const ServeOptions& options);

// {"ok": false, "error": message} (message made valid UTF-8).
HttpResponse ErrorResponse(int status, std::string_view message);

// The response's bytes: status line, Content-Type, Content-Length,
// Cache-Control, "Connection: close" when `close`, the extra headers, and
// the body (gzip-compressed when `gzip` and worth it). `head_only`: the
// headers of a HEAD request, without the body.
std::string SerializeResponse(const HttpResponse& response, bool close, bool gzip = false,
                              bool head_only = false);

// Does the request accept a gzip-compressed reply (Accept-Encoding)?
bool AcceptsGzip(const HttpRequest& request);

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);

}  // namespace repsim::io
