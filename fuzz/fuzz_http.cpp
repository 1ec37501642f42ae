// libFuzzer target: `repsim serve`'s request handling without the socket —
// the strict HTTP parser (io/http_request.h) on arbitrary bytes, then the
// handler (io/serve_router.h) on every complete request, pipelined ones
// included. A crash, sanitizer report or hang is a bug; so is a reply that
// is not what the contract says: a status outside the parser's list, a
// request that completes and yet a shorter prefix of it does not read as
// "incomplete", or a JSON body that is not valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "serve/http_request.h"
#include "serve/serve_router.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

const repsim::io::ServeOptions& Options() {
  static const repsim::io::ServeOptions options = [] {
    repsim::io::ServeOptions o;
    o.limits.max_sweep_points = 64;  // keeps one input fast
    o.limits.max_trajectory_points = 64;
    o.limits.max_compare_variants = 8;
    o.limits.sweep_threads = 1;
    o.files.push_back({"/index.html", "text/html", "<!doctype html><title>t</title>"});
    return o;
  }();
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  repsim::io::HttpLimits limits;
  limits.max_body = 64 * 1024;
  for (int n = 0; n < 8 && !rest.empty(); ++n) {
    const repsim::io::HttpParseResult p = repsim::io::ParseHttpRequest(rest, limits);
    if (p.state == repsim::io::HttpParse::kIncomplete) return 0;
    if (p.state == repsim::io::HttpParse::kError) {
      const int s = p.status;
      Require(s == 400 || s == 413 || s == 414 || s == 417 || s == 431 || s == 505);
      Require(!p.message.empty());
      return 0;
    }
    Require(p.consumed > 0 && p.consumed <= rest.size());
    // One byte less of the same request is not yet a request.
    const repsim::io::HttpParseResult shorter =
        repsim::io::ParseHttpRequest(rest.substr(0, p.consumed - 1), limits);
    Require(shorter.state == repsim::io::HttpParse::kIncomplete);
    const repsim::io::HttpResponse r = repsim::io::HandleRequest(p.request, Options());
    Require(r.status >= 200 && r.status <= 599);
    if (r.content_type == "application/json") {
      Require(repsim::io::ValidUtf8(r.body) == r.body);
      Require(!r.body.empty() && (r.body[0] == '{' || r.body[0] == '['));
    }
    const std::string wire =
        repsim::io::SerializeResponse(r, !p.request.keep_alive, repsim::io::AcceptsGzip(p.request));
    Require(wire.rfind("HTTP/1.1 ", 0) == 0 && wire.find("\r\n\r\n") != std::string::npos);
    rest.remove_prefix(p.consumed);
  }
  return 0;
}
