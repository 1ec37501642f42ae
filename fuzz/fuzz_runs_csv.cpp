// libFuzzer target: the CSV reader of `repsim fit`. Any crash, sanitizer
// report or hang is a bug; so is a run accepted with a non-finite or
// non-positive value, or an error without a message.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "io/runs_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool need_unique : {false, true}) {
    auto runs = repsim::io::ParseRunsCsv(text, "fuzz.csv", need_unique);
    if (!runs) {
      if (runs.error().empty()) std::abort();
      continue;
    }
    if (runs->empty()) std::abort();
    for (const repsim::FitRun& r : *runs) {
      for (double v : {r.params, r.tokens, r.loss}) {
        if (!std::isfinite(v) || !(v > 0)) std::abort();
      }
      if (need_unique && (!std::isfinite(r.unique_tokens) || !(r.unique_tokens > 0))) std::abort();
    }
  }
  return 0;
}
