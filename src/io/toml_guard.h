// The pre-parse guard: every TOML text passes here before toml++ sees it.
//
// Debian's toml++ (3.3) builds one nested table per dotted part of a key, and
// recurses over them: a key of ~60,000 parts (`a.a.a…= 1`, or a `[a.a.…]`
// header) overflows the stack and kills the process (issue 22). The guard
// scans the text once, linearly and without recursion beyond the nesting it
// allows, and bounds what toml++ would have to build: the text's size and
// line count, the dotted parts of each key and header (bare and quoted
// parts alike), the depth of a key below the root (its header's parts plus
// the keys of the inline tables around it plus its own), and the nesting of
// arrays and inline tables. A text over a limit is refused with a located
// diagnostic naming the limit and the allowed value. The limits are far
// beyond any real scenario (a few hundred bytes, keys of 2–4 parts).
//
// Where the text is not TOML the guard resynchronises at the next line and
// keeps checking, so that a syntax error it does not understand cannot hide
// a deep key from it; toml++ then reports the syntax error itself.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "io/diagnostic.h"

namespace repsim::io {

struct TomlLimits {
  size_t max_bytes = 4u << 20;  // 4 MiB
  size_t max_lines = 100000;
  size_t max_key_parts = 64;   // dotted parts of one key or header
  size_t max_key_depth = 128;  // parts from the root to a key, inline tables included
  size_t max_nesting = 64;     // arrays and inline tables inside one another
};

// The first limit `text` exceeds, located in `path` (file:line:col), or
// nothing when toml++ may parse it.
std::optional<Diagnostic> CheckTomlText(std::string_view text, const std::string& path,
                                        const TomlLimits& limits = {});

}  // namespace repsim::io
