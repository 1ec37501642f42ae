#include "serve/http_request.h"

#include <fmt/format.h>

#include <cstdint>

namespace repsim::io {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Does the comma-separated list `value` hold `token` (case-insensitive)?
bool ListHas(std::string_view value, std::string_view token) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    if (EqualsNoCase(TrimBlanks(value.substr(start, end - start)), token)) return true;
    start = end + 1;
  }
  return false;
}

HttpParseResult Fail(int status, std::string message) {
  HttpParseResult r;
  r.state = HttpParse::kError;
  r.status = status;
  r.message = std::move(message);
  return r;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A header line "name: value": false when it is not one.
bool SplitHeader(std::string_view line, std::string_view* name, std::string_view* value) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  *name = line.substr(0, colon);
  *value = TrimBlanks(line.substr(colon + 1));
  if (!IsToken(*name)) return false;  // also "Name :" (a blank before the colon)
  for (const char c : *value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

void ParseQuery(std::string_view q, HttpRequest* r) {
  size_t start = 0;
  while (start < q.size()) {
    size_t end = q.find('&', start);
    if (end == std::string_view::npos) end = q.size();
    const std::string_view item = q.substr(start, end - start);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      r->query.emplace_back(
          PercentDecode(item.substr(0, eq), true),
          eq == std::string_view::npos ? std::string() : PercentDecode(item.substr(eq + 1), true));
    }
    start = end + 1;
  }
}

}  // namespace

const std::string* HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

const std::string* HttpRequest::Param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

HttpParseResult ParseHttpRequest(std::string_view b, const HttpLimits& lim) {
  // Empty lines before a request are ignored (RFC 9112 §2.2).
  size_t start = 0;
  while (b.substr(start, 2) == kCrlf) start += 2;
  const size_t end = b.find("\r\n\r\n", start);
  const std::string_view head =
      b.substr(start, end == std::string_view::npos ? b.npos : end - start);
  if (head.size() > lim.max_header_bytes) {
    return Fail(
        431, fmt::format("the request line and headers are over {} bytes", lim.max_header_bytes));
  }
  // Bare CR or LF, and control bytes, fail at once, complete or not.
  for (size_t i = 0; i < head.size(); ++i) {
    const char c = head[i];
    const bool partial = end == std::string_view::npos && i + 1 == head.size();
    const bool bad = c == '\r'   ? head.substr(i, 2) != kCrlf && !partial
                     : c == '\n' ? i == 0 || head[i - 1] != '\r'
                                 : c == '\0';
    if (bad) {
      return Fail(400, "malformed request: lines must end in CRLF");
    }
  }
  const size_t line_end = head.find(kCrlf);
  const std::string_view request_line = head.substr(0, line_end);
  if (line_end == std::string_view::npos && end == std::string_view::npos) {
    if (request_line.size() > lim.max_target_bytes + 32) {
      return Fail(414, fmt::format("the request line is over {} bytes", lim.max_target_bytes));
    }
    return {};
  }

  HttpParseResult r;
  HttpRequest& req = r.request;
  // method SP request-target SP HTTP-version
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "malformed request line (METHOD /path HTTP/1.1)");
  }
  const std::string_view method = request_line.substr(0, sp1);
  const std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = request_line.substr(sp2 + 1);
  if (!IsToken(method)) return Fail(400, "malformed request line: the method is not a token");
  if (target.size() > lim.max_target_bytes) {
    return Fail(414, fmt::format("the request target is over {} bytes", lim.max_target_bytes));
  }
  if (target.empty() || target[0] != '/') {
    return Fail(400, "malformed request line: the target must be a path starting with '/'");
  }
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return Fail(400,
                  "malformed request line: the target holds a byte that must be "
                  "percent-encoded");
    }
  }
  if (version == "HTTP/1.1") {
    req.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    req.minor_version = 0;
  } else if (version.substr(0, 5) == "HTTP/") {
    return Fail(505, "only HTTP/1.0 and HTTP/1.1 are served");
  } else {
    return Fail(400, "malformed request line: no HTTP version");
  }
  if (end == std::string_view::npos) return {};  // the headers are still coming

  req.method = std::string(method);
  req.target = std::string(target);
  const size_t qmark = target.find('?');
  req.path = PercentDecode(target.substr(0, qmark), false);
  if (qmark != std::string_view::npos) ParseQuery(target.substr(qmark + 1), &req);

  // Headers.
  std::optional<std::string_view> content_length;
  int transfer_encodings = 0;
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find(kCrlf, pos);
    if (next == std::string_view::npos) next = head.size();
    const std::string_view line = head.substr(pos, next - pos);
    pos = next + 2;
    if (line.front() == ' ' || line.front() == '\t') {
      return Fail(400, "malformed header: obsolete line folding");
    }
    std::string_view name, value;
    if (!SplitHeader(line, &name, &value)) {
      return Fail(400, "malformed header (name: value, no blank before the colon)");
    }
    if (req.headers.size() >= lim.max_headers) {
      return Fail(431, fmt::format("more than {} headers", lim.max_headers));
    }
    std::string lower = ToLower(name);
    if (lower == "content-length") {
      if (value.empty() || value.size() > 18 ||
          value.find_first_not_of("0123456789") != std::string_view::npos) {
        return Fail(400, "malformed Content-Length (digits only)");
      }
      if (content_length && *content_length != value) {
        return Fail(400, "conflicting Content-Length headers");
      }
      content_length = value;
    } else if (lower == "transfer-encoding") {
      ++transfer_encodings;
      if (transfer_encodings > 1 || !EqualsNoCase(value, "chunked")) {
        return Fail(400, "Transfer-Encoding: only a single \"chunked\" is accepted");
      }
    }
    req.headers.emplace_back(std::move(lower), std::string(value));
  }
  if (transfer_encodings > 0 && content_length) {
    return Fail(400, "both Content-Length and Transfer-Encoding: the body's length is ambiguous");
  }
  if (transfer_encodings > 0 && req.minor_version == 0) {
    return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
  }
  if (const std::string* c = req.Header("connection")) {
    req.keep_alive = req.minor_version == 1 ? !ListHas(*c, "close") : ListHas(*c, "keep-alive");
  } else {
    req.keep_alive = req.minor_version == 1;
  }
  if (const std::string* e = req.Header("expect")) {
    if (!EqualsNoCase(*e, "100-continue")) {
      return Fail(417, "Expect: only 100-continue is understood");
    }
    r.expect_continue = true;
  }

  // The body.
  const size_t body_start = end + 4;
  const std::string_view rest = b.substr(body_start);
  if (content_length) {
    uint64_t n = 0;
    for (const char c : *content_length) n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > lim.max_body) {
      return Fail(413, fmt::format("the request body is over {} bytes", lim.max_body));
    }
    if (rest.size() < n) return r;
    req.body = std::string(rest.substr(0, n));
    r.consumed = body_start + n;
  } else if (transfer_encodings > 0) {
    size_t p = 0;
    uint64_t total = 0;
    for (;;) {
      const size_t eol = rest.find(kCrlf, p);
      if (eol == std::string_view::npos) {
        if (rest.size() - p > 1024) return Fail(400, "malformed chunk size line");
        return r;
      }
      const std::string_view size_line = rest.substr(p, eol - p);
      const std::string_view digits = size_line.substr(0, size_line.find(';'));
      if (digits.empty() || digits.size() > 8) return Fail(400, "malformed chunk size");
      uint64_t size = 0;
      for (const char c : digits) {
        const int d = HexDigit(c);
        if (d < 0) return Fail(400, "malformed chunk size");
        size = size * 16 + static_cast<uint64_t>(d);
      }
      for (const char c : size_line) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) return Fail(400, "malformed chunk extension");
      }
      if (total + size > lim.max_body) {
        return Fail(413, fmt::format("the request body is over {} bytes", lim.max_body));
      }
      p = eol + 2;
      if (size == 0) {
        // Trailers (ignored), up to an empty line.
        for (;;) {
          const size_t t = rest.find(kCrlf, p);
          if (t == std::string_view::npos) {
            if (rest.size() - p > lim.max_header_bytes) {
              return Fail(431, "the trailers are too long");
            }
            return r;
          }
          const std::string_view line = rest.substr(p, t - p);
          p = t + 2;
          if (line.empty()) break;
          std::string_view name, value;
          if (!SplitHeader(line, &name, &value)) return Fail(400, "malformed trailer");
        }
        break;
      }
      if (rest.size() < p + size + 2) return r;
      if (rest.substr(p + size, 2) != kCrlf) return Fail(400, "malformed chunk: no CRLF after it");
      req.body.append(rest.substr(p, size));
      total += size;
      p += size + 2;
    }
    r.consumed = body_start + p;
  } else {
    r.consumed = body_start;
  }
  r.state = HttpParse::kComplete;
  r.expect_continue = false;
  return r;
}

}  // namespace repsim::io
