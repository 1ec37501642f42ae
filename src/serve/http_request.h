// HTTP/1.1 requests in, strictly (RFC 9112), as a pure function over the
// bytes received so far: `repsim serve`'s reading front (src/cli/http_front)
// calls it each time bytes arrive, without holding a worker, and hands only a
// complete, valid request to the handler. No sockets here: the fuzz target
// (fuzz/fuzz_http.cpp) drives it with arbitrary bytes.
//
// Strict framing, to close request smuggling and the holes of issue 22:
//   * lines end in CRLF; no whitespace before a header's colon
//     ("Transfer-Encoding :" is 400); no obsolete line folding;
//   * Content-Length is digits only, and every Content-Length header agrees;
//   * Transfer-Encoding is exactly "chunked", and never with Content-Length;
//   * the whole body — chunked included — is bounded: over the limit is 413
//     as soon as the declared sizes say so, before the bytes arrive;
//   * the header section is bounded (431), the request line too (414).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace repsim::io {

struct HttpLimits {
  size_t max_header_bytes = size_t{16} * 1024;  // request line and headers
  size_t max_target_bytes = size_t{8} * 1024;   // the request line's target
  size_t max_headers = 64;
  size_t max_body = 1 << 20;  // 1 MiB, chunked or not
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/api/run?sweep=0"
  std::string path;    // percent-decoded, without the query: "/api/run"
  // The query's parameters, percent-decoded ('+' is a space), in order.
  std::vector<std::pair<std::string, std::string>> query;
  // Header names in lower case; values without surrounding blanks.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int minor_version = 1;   // HTTP/1.minor_version
  bool keep_alive = true;  // false: "Connection: close", or HTTP/1.0 without keep-alive

  // The header's value (name in lower case), or nullptr.
  const std::string* Header(std::string_view name) const;
  // The first value of query parameter `name`, or nullptr.
  const std::string* Param(std::string_view name) const;
};

enum class HttpParse {
  kIncomplete,  // valid so far; more bytes are needed
  kComplete,    // `request` holds the request; `consumed` bytes were its own
  kError,       // `status` and `message`: answer them and close the connection
};

struct HttpParseResult {
  HttpParse state = HttpParse::kIncomplete;
  HttpRequest request;  // kComplete
  size_t consumed = 0;  // kComplete: bytes of the buffer the request took
  int status = 0;       // kError: 400, 413, 414, 431, 501 or 505
  std::string message;  // kError: for people
  // kIncomplete: the header section is complete and asked for
  // "Expect: 100-continue" (the front then sends "100 Continue" once).
  bool expect_continue = false;
};

// Parses the request at the start of `buffer` (the bytes received so far on
// a connection). Linear in the buffer.
HttpParseResult ParseHttpRequest(std::string_view buffer, const HttpLimits& limits = {});

// `s` with %XX decoded ('+' as a space when `plus_is_space`); malformed
// escapes are kept as they are. The result may hold any bytes.
std::string PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace repsim::io
