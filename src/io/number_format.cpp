#include "io/number_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace repsim::io {

size_t FormatNumberFast(double v, char* buf) {
  char* p = buf;
  if (std::signbit(v)) {
    *p++ = '-';
    v = -v;
  }
  if (!std::isfinite(v)) {
    const std::string_view word = std::isnan(v) ? "nan" : "inf";
    std::copy(word.begin(), word.end(), p);
    return static_cast<size_t>(p + 3 - buf);
  }
  // The shortest decimal that reads back to v: fmt's own Dragonbox, so the
  // digits are those fmt::format("{}") writes; the layout below is fmt 9's
  // do_write_float for the default specs (tests/test_sweep.cpp compares the two).
  const auto dec = fmt::detail::dragonbox::to_decimal(v);
  // Fixed-size copies below write past the text's end, within kNumberBuffer.
  // The significand's digits (at most 17): written zero-padded as 1 + 8 + 8
  // digits from three independent parts (short dependency chains, no loop),
  // then the leading zeros skipped.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  auto write8 = [](uint32_t v, char* out) {  // v < 10^8, as exactly 8 digits
    const uint32_t hi = v / 10000, lo = v % 10000;
    std::memcpy(out, kPairs + static_cast<size_t>(2 * (hi / 100)), 2);
    std::memcpy(out + 2, kPairs + static_cast<size_t>(2 * (hi % 100)), 2);
    std::memcpy(out + 4, kPairs + static_cast<size_t>(2 * (lo / 100)), 2);
    std::memcpy(out + 6, kPairs + static_cast<size_t>(2 * (lo % 100)), 2);
  };
  const uint64_t sig = dec.significand;  // < 10^17
  const uint64_t upper = sig / 100000000;
  char tail[48];  // 17 digits at tail[0..16]; 17 bytes are read from the first digit
  tail[0] = static_cast<char>('0' + upper / 100000000);
  write8(static_cast<uint32_t>(upper % 100000000), tail + 1);
  write8(static_cast<uint32_t>(sig % 100000000), tail + 9);
  // Decimal digits of sig (>= 1): from its bit width, then one comparison.
  static constexpr auto kPow10 = [] {
    std::array<uint64_t, 18> p{};
    p[0] = 1;
    for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
    return p;
  }();
  const int guess = (static_cast<int>(std::bit_width(sig)) * 1233) >> 12;  // floor(bits·log10 2)
  const int n = std::max(guess + (sig >= kPow10[guess] ? 1 : 0), 1);       // 0 is one digit
  const char* digits = tail + 17 - n;
  const int exponent = dec.exponent;
  const int output_exp = exponent + n - 1;
  if (output_exp < -4 || output_exp >= 16) {  // 1.234e+20, 5e-07
    *p++ = digits[0];
    if (n > 1) {
      *p++ = '.';
      std::memcpy(p, digits + 1, 16);  // at most 16 digits follow the first
      p += n - 1;
    }
    *p++ = 'e';
    int e = output_exp;
    *p++ = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    if (e >= 1000) *p++ = static_cast<char>('0' + e / 1000);
    if (e >= 100) *p++ = static_cast<char>('0' + e / 100 % 10);
    *p++ = static_cast<char>('0' + e / 10 % 10);
    *p++ = static_cast<char>('0' + e % 10);
  } else if (exponent >= 0) {  // 1234e5 -> 123400000 (at most 16 characters)
    std::memcpy(p, digits, 17);
    p += n;
    std::memset(p, '0', 16);
    p += exponent;
  } else if (exponent + n > 0) {  // 1234e-2 -> 12.34
    const int whole = exponent + n;
    std::memcpy(p, digits, 17);
    p += whole;
    *p++ = '.';
    std::memcpy(p, digits + whole, 17);
    p += n - whole;
  } else {  // 1234e-6 -> 0.001234
    *p++ = '0';
    *p++ = '.';
    std::memset(p, '0', 4);  // at most 4 zeros: 0.0001234
    p += -(exponent + n);
    std::memcpy(p, digits, 17);
    p += n;
  }
  return static_cast<size_t>(p - buf);
}

}  // namespace repsim::io
