#include "io/toml_guard.h"

#include <fmt/format.h>

#include <algorithm>

namespace repsim::io {
namespace {

bool IsBare(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One pass over the text: statements (key = value, [table], [[array]]),
// values (strings of the four kinds, arrays, inline tables, scalars),
// comments. Not a TOML parser: it only follows the text well enough to see
// every key and every nesting level, and gives up on a line (kLost) where
// the text is not TOML.
class Guard {
 public:
  Guard(std::string_view text, const std::string& path, const TomlLimits& limits)
      : s_(text), path_(path), limits_(limits) {}

  std::optional<Diagnostic> Run() {
    if (s_.size() > limits_.max_bytes) {
      return Diagnostic{path_, 0, 0,
                        fmt::format("the text is {} bytes: at most {} bytes ({} MiB) are read",
                                    s_.size(), limits_.max_bytes, limits_.max_bytes >> 20)};
    }
    size_t lines = static_cast<size_t>(std::count(s_.begin(), s_.end(), '\n'));
    if (!s_.empty() && s_.back() != '\n') ++lines;
    if (lines > limits_.max_lines) {
      return Diagnostic{
          path_, static_cast<int>(limits_.max_lines + 1), 1,
          fmt::format("the text has {} lines: at most {} are read", lines, limits_.max_lines)};
    }
    size_t header_depth = 0;
    while (!Eof()) {
      SkipBlank();
      if (Eof()) break;
      const char c = Peek();
      if (c == '\n') {
        Newline();
        continue;
      }
      if (c == '#') {
        SkipComment();
        continue;
      }
      R r = R::kOk;
      size_t parts = 0;
      if (c == '[') {
        const bool array = Peek(1) == '[';
        i_ += array ? 2 : 1;
        r = CheckedKey(0, "table header", &parts);
        if (r == R::kOk) {
          header_depth = parts;
          SkipBlank();
          if (Peek() == ']' && (!array || Peek(1) == ']')) {
            i_ += array ? 2 : 1;
            r = EndOfLine();
          } else {
            r = R::kLost;
          }
        }
      } else {
        r = CheckedKey(header_depth, "key", &parts);
        if (r == R::kOk) {
          SkipBlank();
          if (Peek() == '=') {
            ++i_;
            r = Value(header_depth + parts, 0);
            if (r == R::kOk) r = EndOfLine();
          } else {
            r = R::kLost;
          }
        }
      }
      if (r == R::kLimit) return error_;
      if (r == R::kLost) SkipComment();  // resynchronise at the next line
    }
    return std::nullopt;
  }

 private:
  enum class R { kOk, kLost, kLimit };

  bool Eof() const { return i_ >= s_.size(); }
  char Peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  int Column() const { return static_cast<int>(std::min(i_, s_.size()) - line_start_ + 1); }
  void Newline() {
    ++i_;
    ++line_;
    line_start_ = i_;
  }
  void SkipBlank() {
    while (!Eof() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  // To the end of the line (not past its newline).
  void SkipComment() {
    while (!Eof() && s_[i_] != '\n') ++i_;
  }
  // Blanks, comments and newlines (between the values of an array).
  void SkipSpace() {
    for (;;) {
      SkipBlank();
      if (Peek() == '#') SkipComment();
      if (Peek() != '\n') return;
      Newline();
    }
  }
  R EndOfLine() {
    SkipBlank();
    if (Peek() == '#') SkipComment();
    return Eof() || Peek() == '\n' ? R::kOk : R::kLost;
  }

  R Limit(int line, int column, std::string message) {
    error_ = Diagnostic{path_, line, column, std::move(message)};
    return R::kLimit;
  }

  // A string of any of TOML's four kinds, at its opening quote.
  R String() {
    const char q = s_[i_];
    if (Peek(1) == q && Peek(2) == q) {
      i_ += 3;
      while (!Eof()) {
        const char c = s_[i_];
        if (c == '\n') {
          Newline();
        } else if (c == '\\' && q == '"') {
          ++i_;
          if (Peek() == '\n') {
            Newline();
          } else if (!Eof()) {
            ++i_;
          }
        } else if (c == q && Peek(1) == q && Peek(2) == q) {
          i_ += 3;
          // Up to two more quotes belong to the content ("""a"""" is `a"`).
          for (int extra = 0; extra < 2 && Peek() == q; ++extra) ++i_;
          return R::kOk;
        } else {
          ++i_;
        }
      }
      return R::kLost;
    }
    ++i_;
    while (!Eof() && s_[i_] != '\n') {
      const char c = s_[i_];
      if (c == '\\' && q == '"') {
        if (Peek(1) == '\n') return R::kLost;
        i_ += 2;
        continue;
      }
      ++i_;
      if (c == q) return R::kOk;
    }
    return R::kLost;
  }

  // A key (or a table header's name): its dotted parts, bare or quoted.
  R Key(size_t* parts) {
    *parts = 0;
    for (;;) {
      SkipBlank();
      const char c = Peek();
      if (c == '"' || c == '\'') {
        if (Peek(1) == c && Peek(2) == c) return R::kLost;
        const R r = String();
        if (r != R::kOk) return r;
      } else {
        const size_t start = i_;
        while (!Eof() && IsBare(s_[i_])) ++i_;
        if (i_ == start) return R::kLost;
      }
      ++*parts;
      SkipBlank();
      if (Peek() != '.') return R::kOk;
      ++i_;
    }
  }

  // A key `depth` parts below the root, within the limits.
  R CheckedKey(size_t depth, const char* what, size_t* parts) {
    SkipBlank();
    const int line = line_, column = Column();
    const R r = Key(parts);
    if (r != R::kOk) return r;
    if (*parts > limits_.max_key_parts) {
      return Limit(line, column,
                   fmt::format("a {} of {} dotted parts: at most {} are allowed", what, *parts,
                               limits_.max_key_parts));
    }
    if (depth + *parts > limits_.max_key_depth) {
      return Limit(line, column,
                   fmt::format("a {} {} levels below the top (its table's and enclosing inline "
                               "tables' keys included): at most {} are allowed",
                               what, depth + *parts, limits_.max_key_depth));
    }
    return R::kOk;
  }

  // A value whose key is `depth` parts below the root, inside `nesting`
  // arrays and inline tables.
  R Value(size_t depth, size_t nesting) {
    SkipBlank();
    const char c = Peek();
    if (c == '"' || c == '\'') return String();
    if (c == '[' || c == '{') {
      if (nesting + 1 > limits_.max_nesting) {
        return Limit(line_, Column(),
                     fmt::format("arrays and inline tables nested more than {} deep: at most {} "
                                 "levels are allowed",
                                 limits_.max_nesting, limits_.max_nesting));
      }
      ++i_;
      if (c == '[') {
        for (;;) {
          SkipSpace();
          if (Peek() == ']') break;
          if (const R r = Value(depth, nesting + 1); r != R::kOk) return r;
          SkipSpace();
          if (Peek() == ',') {
            ++i_;
          } else if (Peek() != ']') {
            return R::kLost;
          }
        }
      } else {
        for (;;) {
          SkipSpace();
          if (Peek() == '}') break;
          size_t parts = 0;
          if (const R r = CheckedKey(depth, "key", &parts); r != R::kOk) return r;
          SkipBlank();
          if (Peek() != '=') return R::kLost;
          ++i_;
          if (const R r = Value(depth + parts, nesting + 1); r != R::kOk) return r;
          SkipSpace();
          if (Peek() == ',') {
            ++i_;
          } else if (Peek() != '}') {
            return R::kLost;
          }
        }
      }
      ++i_;
      return R::kOk;
    }
    // A number, a boolean or a date-time ("1979-05-27 07:32:00": one blank
    // may separate the date from the time).
    const size_t start = i_;
    constexpr std::string_view kEnd = " \t\r\n,]}#";
    while (!Eof() && kEnd.find(s_[i_]) == std::string_view::npos) ++i_;
    if (i_ - start == 10 && s_[start + 4] == '-' && Peek() == ' ' && IsDigit(Peek(1))) {
      ++i_;
      while (!Eof() && kEnd.find(s_[i_]) == std::string_view::npos) ++i_;
    }
    return i_ == start ? R::kLost : R::kOk;
  }

  std::string_view s_;
  const std::string& path_;
  const TomlLimits& limits_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  Diagnostic error_;
};

}  // namespace

std::optional<Diagnostic> CheckTomlText(std::string_view text, const std::string& path,
                                        const TomlLimits& limits) {
  return Guard(text, path, limits).Run();
}

}  // namespace repsim::io
