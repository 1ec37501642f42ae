// The branch-free exp and log of the grid kernel (src/core/vecmath.h) against
// libm, over their whole domains: the kernel's 1e-12 agreement with the engine
// rests on them.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>

#include "core/vecmath.h"

namespace {

// |a - b| in units of b's last place.
double Ulps(double a, double b) {
  if (a == b) return 0;
  return std::fabs(a - b) / (std::nextafter(std::fabs(b), INFINITY) - std::fabs(b));
}

// Uniform on [0, 1), from a xorshift64 state.
double NextUniform(uint64_t& x) {
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return static_cast<double>(x >> 11) * 0x1p-53;
}

}  // namespace

TEST_CASE("ExpNonPositive is e^x to a few ulps on [-708, 0]", "[vecmath]") {
  double worst = 0;
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 200000; ++i) {
    // Uniform on [-708, 0], plus a log-uniform sample of small magnitudes.
    const double u = NextUniform(x);
    for (double v : {-708.0 * u, -std::pow(10.0, -20.0 + 22.0 * u)}) {
      worst = std::max(worst, Ulps(repsim::internal::ExpNonPositive(v), std::exp(v)));
    }
  }
  for (double v :
       {0.0, -0.0, -1e-300, -0.5 * std::log(2.0), -std::log(2.0), -1.0, -700.0, -708.0}) {
    worst = std::max(worst, Ulps(repsim::internal::ExpNonPositive(v), std::exp(v)));
  }
  CHECK(worst <= 4);
  CHECK(repsim::internal::ExpNonPositive(0.0) == 1.0);
  // Below the domain: clamped to e^-708, as documented.
  CHECK(repsim::internal::ExpNonPositive(-1e5) == repsim::internal::ExpNonPositive(-708.0));
}

TEST_CASE("LogAtLeastOne is ln w to a few ulps on [1, 1e300]", "[vecmath]") {
  double worst = 0;
  uint64_t x = 0xD1B54A32D192ED03ULL;
  for (int i = 0; i < 200000; ++i) {
    const double u = NextUniform(x);
    // Near 1 (where ln w is small and relative error is hardest), up to 1e300.
    for (double w : {1.0 + std::pow(10.0, -15.0 + 15.0 * u), std::pow(10.0, 300.0 * u)}) {
      const double ref = std::log(w);
      if (ref == 0) continue;
      worst = std::max(worst, Ulps(repsim::internal::LogAtLeastOne(w), ref));
    }
  }
  for (double w : {std::sqrt(2.0), std::nextafter(std::sqrt(2.0), 0.0), 2.0, 4.0, 1e12, 6.309743}) {
    worst = std::max(worst, Ulps(repsim::internal::LogAtLeastOne(w), std::log(w)));
  }
  CHECK(worst <= 4);
  CHECK(repsim::internal::LogAtLeastOne(1.0) == 0.0);
}
