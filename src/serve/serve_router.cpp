#include "serve/serve_router.h"

#include <fmt/format.h>
#include <zlib.h>

#include <chrono>

namespace repsim::io {
namespace {

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

// The host part of a Host header ("127.0.0.1:8787", "[::1]:8787", "localhost").
std::string_view HostName(std::string_view header) {
  if (!header.empty() && header[0] == '[') {
    const size_t end = header.find(']');
    return end == std::string_view::npos ? header : header.substr(1, end - 1);
  }
  return header.substr(0, header.find(':'));
}

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

HttpResponse FromReply(const ApiReply& reply) {
  HttpResponse r;
  r.status = reply.status;
  r.content_type = reply.content_type;
  r.body = reply.body;
  if (!reply.filename.empty()) {
    r.headers.emplace_back("Content-Disposition",
                           fmt::format("attachment; filename=\"{}\"", reply.filename));
  }
  return r;
}

// Why a POST is refused as cross-origin, or "" when it is not.
std::string CrossOrigin(const HttpRequest& req, bool loopback) {
  if (const std::string* site = req.Header("sec-fetch-site")) {
    if (*site != "same-origin" && *site != "none") {
      return fmt::format("Sec-Fetch-Site: {}: this API answers only its own page (same-origin)",
                         *site);
    }
  }
  if (const std::string* origin = req.Header("origin")) {
    const std::string* host = req.Header("host");
    const std::string_view prefix = "http://";
    const bool same = host && origin->size() > prefix.size() &&
                      std::string_view(*origin).substr(0, prefix.size()) == prefix &&
                      std::string_view(*origin).substr(prefix.size()) == *host;
    if (!same || (loopback && !IsLoopbackHost(HostName(*host)))) {
      return fmt::format("Origin: {}: this API answers only its own page (same-origin)", *origin);
    }
  }
  return "";
}

// "a,b,,c" → {"a", "b", "c"}.
std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

}  // namespace

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size() && !(n == 2 && c < 0xc2);
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (ok && n == 3) {  // no overlong forms, no surrogates
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
    }
    if (ok && n == 4) {  // no overlong forms, nothing above U+10FFFF
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90) && c <= 0xf4;
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  return FromReply(ApiError(status, message));
}

// 405 for a known path asked with the wrong method, naming the one it takes
// (and in the Allow header, RFC 9110 §15.5.6).
HttpResponse NotAllowed(const HttpRequest& req, std::string_view allowed) {
  HttpResponse r = ErrorResponse(
      405, fmt::format("{} {}: this path takes {} only", req.method, req.path, allowed));
  r.headers.emplace_back("Allow", allowed == "GET" ? "GET, HEAD" : std::string(allowed));
  return r;
}

bool AcceptsGzip(const HttpRequest& request) {
  const std::string* enc = request.Header("accept-encoding");
  return enc && enc->find("gzip") != std::string::npos;
}

HttpResponse HandleRequest(const HttpRequest& req, const ServeOptions& options) {
  if (options.loopback) {
    const std::string* host = req.Header("host");
    if (!host || !IsLoopbackHost(HostName(*host))) {
      return ErrorResponse(403,
                           "this server answers only requests addressed to a loopback "
                           "host (127.0.0.1, localhost, [::1])");
    }
  }
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  for (const WebFile& f : options.files) {
    if (req.path == f.path || (req.path == "/" && f.path == "/index.html")) {
      if (!get) return NotAllowed(req, "GET");
      HttpResponse r;
      r.content_type = std::string(f.content_type);
      r.body = std::string(f.data);
      return r;
    }
  }
  const bool api_get = req.path == "/api/laws" || req.path == "/api/columns";
  const bool api_post =
      req.path == "/api/run" || req.path == "/api/check" || req.path == "/api/results.zip";
  if (api_get) {
    if (!get) return NotAllowed(req, "GET");
    return FromReply(req.path == "/api/laws" ? ApiLaws() : ApiColumns());
  }
  if (api_post && !post) return NotAllowed(req, "POST");
  if (!api_post) {
    return ErrorResponse(404, fmt::format("no such page or API: {} {}", req.method, req.path));
  }
  if (std::string why = CrossOrigin(req, options.loopback); !why.empty()) {
    return ErrorResponse(403, why);
  }
  // ?allow_implausible=1: as `repsim run --allow-implausible`.
  const std::string* allow = req.Param("allow_implausible");
  const bool allow_implausible = allow && *allow != "0";
  if (req.path == "/api/check") {
    return FromReply(ApiCheck(req.body, options.limits, allow_implausible));
  }
  if (req.path == "/api/results.zip") {
    return FromReply(ApiResultsZip(req.body, options.limits, allow_implausible));
  }
  RunRequest run;
  run.allow_implausible = allow_implausible;
  if (const std::string* s = req.Param("sweep")) run.sweep = *s != "0";
  if (const std::string* c = req.Param("columns")) run.sweep_columns = SplitList(*c);
  const auto t0 = std::chrono::steady_clock::now();
  HttpResponse r = FromReply(ApiRun(req.body, options.limits, run));
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - t0;
  r.headers.emplace_back("Server-Timing", fmt::format("run;dur={:.1f}", took.count()));
  return r;
}

std::string SerializeResponse(const HttpResponse& r, bool close, bool gzip, bool head_only) {
  std::string body_gz;
  // Compress what is worth it: text over 1 kB (gzip at zlib's default
  // level, ~1 ms for the ~40 kB of a run).
  const bool text = r.content_type.find("json") != std::string::npos ||
                    r.content_type.rfind("text/", 0) == 0 ||
                    r.content_type.find("javascript") != std::string::npos;
  if (gzip && text && r.body.size() > 1024) body_gz = Gzip(r.body);
  const std::string& body = body_gz.empty() ? r.body : body_gz;
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n",
      r.status, Reason(r.status), r.content_type, body.size());
  if (!body_gz.empty()) out += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
  if (close) out += "Connection: close\r\n";
  for (const auto& [k, v] : r.headers) out += fmt::format("{}: {}\r\n", k, v);
  out += "\r\n";
  if (!head_only) out += body;
  return out;
}

}  // namespace repsim::io
