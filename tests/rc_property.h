// The RapidCheck driver of the property tests (test_properties.cpp,
// test_law_properties.cpp, test_plan_properties.cpp): a property runs
// `cases` times from a fixed seed (with RC_PARAMS: its seed, at least `cases`
// runs), and a
// failure fails the Catch2 test with RapidCheck's shrunk counter-example.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>

namespace repsim::test {

template <typename Testable>
void CheckProperty(const std::string& description, uint64_t seed, int cases, Testable&& testable) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  if (std::getenv("RC_PARAMS") == nullptr) {
    params.seed = seed;
    params.maxSuccess = cases;
  } else {
    params.maxSuccess = std::max(params.maxSuccess, cases);
  }
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable),
                                                rc::detail::TestMetadata{}, params);
  std::ostringstream report;
  rc::detail::printResultMessage(result, report);
  INFO(description << "\n" << report.str());
  CHECK(result.template is<rc::detail::SuccessResult>());
}

// A value in [lo, hi], uniform in log (10^6 steps).
inline rc::Gen<double> LogUniform(double lo, double hi) {
  constexpr int kSteps = 1'000'000;
  return rc::gen::map(rc::gen::inRange(0, kSteps + 1), [lo, hi](int i) {
    return lo * std::pow(hi / lo, static_cast<double>(i) / kSteps);
  });
}

}  // namespace repsim::test
