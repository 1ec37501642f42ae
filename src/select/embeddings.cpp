#include "select/embeddings.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "io/diagnostic.h"

namespace repsim::io {
namespace {

// A whole file mapped into memory (private: writes never reach the file).
struct Mapping {
  void* base = nullptr;
  size_t size = 0;
};

Expected<Mapping> MapFile(const std::string& path, bool writable) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return Error{fmt::format("{}: cannot open: {}", path, std::strerror(errno))};
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Error{fmt::format("{}: not a regular file", path)};
  }
  Mapping m;
  m.size = static_cast<size_t>(st.st_size);
  if (m.size == 0) {
    close(fd);
    return Error{fmt::format("{}: the file is empty (zero rows)", path)};
  }
  m.base = mmap(nullptr, m.size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  close(fd);
  if (m.base == MAP_FAILED) {
    return Error{fmt::format("{}: cannot map into memory: {}", path, std::strerror(err))};
  }
  return m;
}

void Unmap(const Mapping& m) {
  if (m.base != nullptr) munmap(m.base, m.size);
}

// RAII for a mapping until it is handed to an Embeddings.
struct MappingGuard {
  Mapping m;
  ~MappingGuard() { Unmap(m); }
  Mapping release() {
    Mapping r = m;
    m = {};
    return r;
  }
};

// "NaN", "inf" or "-inf" when v is not finite, for messages.
std::string NonFinite(double v) { return std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf"); }

std::string Located(const std::string& path, size_t row, size_t col, std::string_view what) {
  return fmt::format("{}: row {}, column {} (counting from 0): {}", path, row, col, what);
}

// The value of `key` in numpy's header dict, as its raw text up to the next
// top-level comma or closing brace ("'<f4'", "False", "(1000, 384)").
std::optional<std::string_view> HeaderValue(std::string_view h, std::string_view key) {
  for (const char q : {'\'', '"'}) {
    const std::string k = fmt::format("{}{}{}", q, key, q);
    size_t p = h.find(k);
    if (p == std::string_view::npos) continue;
    p = h.find(':', p + k.size());
    if (p == std::string_view::npos) return std::nullopt;
    ++p;
    while (p < h.size() && h[p] == ' ') ++p;
    size_t e = p;
    int depth = 0;
    while (e < h.size()) {
      const char c = h[e];
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (depth == 0 && (c == ',' || c == '}')) break;
      ++e;
    }
    std::string_view v = h.substr(p, e - p);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  }
  return std::nullopt;
}

// "(1000, 384)" -> {1000, 384}; nullopt when not a tuple of integers.
std::optional<std::vector<size_t>> ParseShape(std::string_view v) {
  if (v.size() < 2 || v.front() != '(' || v.back() != ')') return std::nullopt;
  v = v.substr(1, v.size() - 2);
  std::vector<size_t> dims;
  while (!v.empty()) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (v.empty()) break;
    size_t x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc()) return std::nullopt;
    dims.push_back(x);
    v.remove_prefix(static_cast<size_t>(p - v.data()));
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (!v.empty()) {
      if (v.front() != ',') return std::nullopt;
      v.remove_prefix(1);
    }
  }
  return dims;
}

}  // namespace

Embeddings::Embeddings(Embeddings&& o) noexcept { *this = std::move(o); }

Embeddings& Embeddings::operator=(Embeddings&& o) noexcept {
  if (this != &o) {
    Unmap({map_, map_size_});
    map_ = o.map_;
    map_size_ = o.map_size_;
    owned_ = std::move(o.owned_);
    data_ = o.data_;
    rows_ = o.rows_;
    dim_ = o.dim_;
    ids_ = std::move(o.ids_);
    format_ = std::move(o.format_);
    o.map_ = nullptr;
    o.map_size_ = 0;
    o.data_ = nullptr;
  }
  return *this;
}

Embeddings::~Embeddings() { Unmap({map_, map_size_}); }

Expected<Embeddings> ReadNpy(const std::string& path) {
  auto mapped = MapFile(path, true);
  if (!mapped) return Error{mapped.error()};
  MappingGuard guard{*mapped};
  const auto* bytes = static_cast<const unsigned char*>(guard.m.base);
  const size_t size = guard.m.size;
  static constexpr unsigned char kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(bytes, kMagic, sizeof kMagic) != 0) {
    std::string start;
    for (size_t i = 0; i < std::min<size_t>(size, 6); ++i) {
      start += std::isprint(bytes[i]) ? std::string(1, static_cast<char>(bytes[i]))
                                      : fmt::format("\\x{:02x}", bytes[i]);
    }
    return Error{
        fmt::format("{}: byte 0: not a .npy file: it starts with \"{}\", numpy's .npy "
                    "files start with \"\\x93NUMPY\" (np.save writes them)",
                    path, start)};
  }
  const int major = bytes[6], minor = bytes[7];
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (size_t{bytes[9]} << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return Error{fmt::format("{}: header: truncated (the file has {} bytes)", path, size)};
    header_len =
        bytes[8] | (size_t{bytes[9]} << 8) | (size_t{bytes[10]} << 16) | (size_t{bytes[11]} << 24);
    header_start = 12;
  } else {
    return Error{
        fmt::format("{}: byte 6: .npy format version {}.{} is not supported (1.0, 2.0 "
                    "and 3.0 are)",
                    path, major, minor)};
  }
  const size_t data_start = header_start + header_len;
  if (data_start > size) {
    return Error{
        fmt::format("{}: header: truncated: it claims {} bytes, the file has {} after "
                    "the preamble",
                    path, header_len, size - header_start)};
  }
  const std::string_view header(reinterpret_cast<const char*>(bytes + header_start), header_len);
  const auto descr = HeaderValue(header, "descr");
  const auto fortran = HeaderValue(header, "fortran_order");
  const auto shape_text = HeaderValue(header, "shape");
  if (!descr || !fortran || !shape_text) {
    return Error{
        fmt::format("{}: header: expected 'descr', 'fortran_order' and 'shape' keys, "
                    "got {}",
                    path, header)};
  }
  std::string_view d = *descr;
  if (d.size() >= 2 && (d.front() == '\'' || d.front() == '"')) d = d.substr(1, d.size() - 2);
  size_t itemsize = 0;
  if (d == "<f4" || d == "=f4" || d == "f4") itemsize = 4;
  if (d == "<f8" || d == "=f8" || d == "f8") itemsize = 8;
  if (itemsize == 0) {
    return Error{
        fmt::format("{}: header: dtype '{}' is not supported: save little-endian float32 "
                    "or float64 (x.astype(np.float32))",
                    path, d)};
  }
  if (*fortran != "False") {
    return Error{
        fmt::format("{}: header: fortran_order is {}: save C order "
                    "(np.save(path, np.ascontiguousarray(x)))",
                    path, *fortran)};
  }
  const auto shape = ParseShape(*shape_text);
  if (!shape || shape->size() != 2) {
    return Error{fmt::format("{}: header: shape {} is not 2-D: expected (examples, dimensions)",
                             path, *shape_text)};
  }
  const size_t rows = (*shape)[0], dim = (*shape)[1];
  if (rows == 0) return Error{fmt::format("{}: header: shape {}: zero rows", path, *shape_text)};
  if (dim == 0)
    return Error{fmt::format("{}: header: shape {}: zero dimensions", path, *shape_text)};
  const size_t have = size - data_start;
  if (dim > std::numeric_limits<size_t>::max() / itemsize / rows) {
    return Error{fmt::format("{}: header: shape {} is too large", path, *shape_text)};
  }
  const size_t need = rows * dim * itemsize;
  if (have < need) {
    const size_t values = have / itemsize;
    return Error{
        fmt::format("{}: truncated: shape {} needs {} bytes of float{} data, the file has "
                    "{} (it ends in row {}, column {}, counting from 0)",
                    path, *shape_text, need, itemsize * 8, have, values / dim, values % dim)};
  }
  if (have > need) {
    return Error{
        fmt::format("{}: {} bytes after the last row of shape {}: the file is not one "
                    "array as np.save writes it",
                    path, have - need, *shape_text)};
  }

  Embeddings e;
  e.rows_ = rows;
  e.dim_ = dim;
  const size_t n = rows * dim;
  if (itemsize == 4) {
    const unsigned char* p = bytes + data_start;
    if (reinterpret_cast<uintptr_t>(p) % alignof(float) == 0) {
      const Mapping m = guard.release();
      e.map_ = m.base;
      e.map_size_ = m.size;
      e.data_ = reinterpret_cast<float*>(static_cast<unsigned char*>(e.map_) + data_start);
      e.format_ = fmt::format("npy v{}.{} float32, memory-mapped", major, minor);
    } else {
      e.owned_.resize(n);
      std::memcpy(e.owned_.data(), p, need);
      e.data_ = e.owned_.data();
      e.format_ = fmt::format("npy v{}.{} float32", major, minor);
    }
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(e.data_[i])) {
        return Error{Located(path, i / dim, i % dim,
                             NonFinite(e.data_[i]) + ": every value must be finite")};
      }
    }
  } else {
    e.owned_.resize(n);
    const unsigned char* p = bytes + data_start;
    for (size_t i = 0; i < n; ++i) {
      double v;
      std::memcpy(&v, p + i * 8, 8);
      const auto f = static_cast<float>(v);
      if (!std::isfinite(v) || !std::isfinite(f)) {
        return Error{Located(path, i / dim, i % dim,
                             std::isfinite(v) ? fmt::format("{} is beyond float32's range", v)
                                              : NonFinite(v) + ": every value must be finite")};
      }
      e.owned_[i] = f;
    }
    e.data_ = e.owned_.data();
    e.format_ = fmt::format("npy v{}.{} float64, converted to float32", major, minor);
  }
  return e;
}

namespace {

struct Cell {
  std::string_view text;  // unquoted, trimmed
  std::string unescaped;  // for quoted cells with "" inside
  size_t column = 0;      // 1-based column in the line
  bool quoted = false;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits one CSV line; nullopt and the column of the problem on a bad quote.
std::optional<size_t> SplitCsv(std::string_view line, std::vector<Cell>* cells) {
  cells->clear();
  size_t i = 0;
  while (true) {
    Cell c;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    c.column = i + 1;
    if (i < line.size() && line[i] == '"') {
      c.quoted = true;
      const size_t open = i++;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            c.unescaped += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        c.unescaped += line[i++];
      }
      if (!closed) return open + 1;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',') return i + 1;
    } else {
      const size_t start = i;
      while (i < line.size() && line[i] != ',') ++i;
      c.text = Trim(line.substr(start, i - start));
    }
    cells->push_back(std::move(c));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  for (Cell& c : *cells) {
    if (c.quoted) c.text = c.unescaped;
  }
  return std::nullopt;
}

// A finite number, NaN/inf (returned, the caller rejects them) or nullopt.
std::optional<float> ParseNumber(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  float v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (p != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return std::numeric_limits<float>::infinity();
  if (ec != std::errc()) return std::nullopt;
  return v;
}

std::string CsvError(const std::string& path, size_t line, size_t col, std::string_view text,
                     const std::string& message) {
  std::string source(line - 1, '\n');
  source += text;
  return Format(Diagnostic{path, static_cast<int>(line), static_cast<int>(col), message}, source);
}

}  // namespace

Expected<Embeddings> ReadEmbeddingsCsv(const std::string& path) {
  auto mapped = MapFile(path, false);
  if (!mapped) return Error{mapped.error()};
  MappingGuard guard{*mapped};
  const std::string_view text(static_cast<const char*>(guard.m.base), guard.m.size);
  Embeddings e;
  std::vector<Cell> cells;
  bool first = true, has_id = false;
  size_t width = 0, first_line = 0;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;
    if (auto bad = SplitCsv(line, &cells)) {
      return Error{CsvError(path, line_no, *bad, line, "unbalanced quote")};
    }
    if (first) {
      first = false;
      first_line = line_no;
      bool header = false;
      for (const Cell& c : cells) header = header || !ParseNumber(c.text);
      if (header) {
        std::string name(cells[0].text);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
        has_id = name == "id";
        width = cells.size();
        if (width - (has_id ? 1 : 0) == 0) {
          return Error{CsvError(path, line_no, 1, line, "a header with no embedding columns")};
        }
        continue;
      }
      has_id = !ParseNumber(cells[0].text).has_value();
      width = cells.size();
    }
    if (cells.size() != width) {
      const size_t col = cells.size() > width ? cells[width].column : line.size() + 1;
      return Error{CsvError(path, line_no, col, line,
                            fmt::format("ragged rows: this row has {} cells, line {} has {}",
                                        cells.size(), first_line, width))};
    }
    const size_t skip = has_id ? 1 : 0;
    if (has_id) e.ids_.emplace_back(cells[0].text);
    for (size_t j = skip; j < cells.size(); ++j) {
      const auto v = ParseNumber(cells[j].text);
      if (!v) {
        std::string hint;
        if (j == 0) hint = " (a first column of ids must be named 'id' in a header line)";
        return Error{CsvError(path, line_no, cells[j].column, line,
                              fmt::format("'{}' is not a number{}", cells[j].text, hint))};
      }
      if (!std::isfinite(*v)) {
        return Error{CsvError(path, line_no, cells[j].column, line,
                              fmt::format("'{}' is {}: every value must be finite (and within "
                                          "float32's range)",
                                          cells[j].text, NonFinite(*v)))};
      }
      e.owned_.push_back(*v);
    }
    ++e.rows_;
  }
  if (e.rows_ == 0) {
    return Error{fmt::format("{}: no rows of numbers (zero rows)", path)};
  }
  e.dim_ = width - (has_id ? 1 : 0);
  if (e.dim_ == 0) return Error{fmt::format("{}: only an id column, no embedding values", path)};
  e.data_ = e.owned_.data();
  e.format_ = has_id ? "csv with an id column" : "csv";
  return e;
}

Expected<Embeddings> ReadEmbeddings(const std::string& path) {
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0) return ReadNpy(path);
  return ReadEmbeddingsCsv(path);
}

}  // namespace repsim::io
