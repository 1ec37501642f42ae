// Numbers in CSV rows: the shortest text that reads back to the same double
// (Num(), fmt's "{}"), written without fmt's general formatting machinery for
// the ~40 numbers of every sweep row.
#pragma once

#include <cstddef>

namespace repsim::io {

// Writes Num(v) (fmt's shortest round-trip form) into `buf` (kNumberBuffer
// chars; bytes past the returned length are scratch) and returns its length:
// the same text, without fmt's general formatting machinery, for the ~20
// numbers of every sweep row.
inline constexpr size_t kNumberBuffer = 64;
size_t FormatNumberFast(double v, char* buf);

}  // namespace repsim::io
