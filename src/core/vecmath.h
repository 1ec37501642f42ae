// Internal: exp and log written so that a compiler can vectorise loops that
// call them (no branches, no calls, no errno), for the grid kernel
// (sweep.cpp). libm's exp and pow are scalar calls and would keep such a loop
// scalar. Both are accurate to a few ulps (tests/test_vecmath.cpp compares
// them with libm over their whole domain); the engine itself keeps libm.
#pragma once

#include <bit>
#include <cstdint>

namespace repsim::internal {

// e^x for x in [-708, 0] (a larger x is not supported; a smaller one gives
// e^-708 ≈ 3e-308 instead of a smaller number, which callers here add to 1).
// x = k ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^13/13!
// (< 2e-16 of e^r), scaled by 2^k through the exponent bits.
inline double ExpNonPositive(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 0.6931471803691238;      // ln 2 to 33 bits: k·kLn2Hi is exact
  constexpr double kLn2Lo = 1.9082149292705877e-10;  // ln 2 - kLn2Hi
  constexpr double kShift = 6755399441055744.0;      // 1.5 · 2^52: adding it rounds to an integer
  x = x < -708.0 ? -708.0 : x;
  const double kd = x * kLog2e + kShift;
  const int64_t k = std::bit_cast<int64_t>(kd) - std::bit_cast<int64_t>(kShift);
  const double kr = kd - kShift;
  const double r = (x - kr * kLn2Hi) - kr * kLn2Lo;
  // 1 + r + r^2/2! + ... + r^13/13!, Horner.
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const double scale = std::bit_cast<double>(static_cast<uint64_t>(k + 1023) << 52);
  return p * scale;
}

// ln w for finite w >= 1 (normal numbers). w = m 2^e with m in
// [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s) with s = (m - 1)/(m + 1), |s| <= 0.172,
// by its series to s^23 (< 1e-17 of ln m).
inline double LogAtLeastOne(double w) {
  constexpr double kLn2 = 0.6931471805599453;
  constexpr double kSqrt2 = 1.4142135623730951;
  constexpr double k2p52 = 4503599627370496.0;  // 2^52
  const auto bits = std::bit_cast<uint64_t>(w);
  // The biased exponent as a double without an integer conversion (which
  // AVX2 lacks for 64-bit lanes): its bits under 2^52's exponent, minus 2^52.
  const double biased = std::bit_cast<double>((bits >> 52) | 0x4330000000000000ULL) - k2p52;
  const double m1 = std::bit_cast<double>((bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL);
  const bool high = m1 >= kSqrt2;
  const double m = m1 * (high ? 0.5 : 1.0);  // selects between constants only: no branch
  const double ef = (biased - 1023.0) + (high ? 1.0 : 0.0);
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double q = 1.0 / 23.0;
  q = q * s2 + 1.0 / 21.0;
  q = q * s2 + 1.0 / 19.0;
  q = q * s2 + 1.0 / 17.0;
  q = q * s2 + 1.0 / 15.0;
  q = q * s2 + 1.0 / 13.0;
  q = q * s2 + 1.0 / 11.0;
  q = q * s2 + 1.0 / 9.0;
  q = q * s2 + 1.0 / 7.0;
  q = q * s2 + 1.0 / 5.0;
  q = q * s2 + 1.0 / 3.0;
  q = q * s2 + 1.0;
  return ef * kLn2 + 2.0 * s * q;
}

}  // namespace repsim::internal
