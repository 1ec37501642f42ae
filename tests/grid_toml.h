// The sweep several tests and bench/bench_sweep.cpp share: the question of
// issue 4 on the numpy baseline's grid (../shared/bench/sweep_numpy.py), a
// 1e9-parameter model under the default law over epochs 1..1000 (log) x
// unique tokens 1e8..1e13 (log).
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace repsim::test {

// A scenario file named `name` with that grid, `epoch_steps` x `unique_steps`
// points, and `output` as the body of its [output] table.
inline std::string EpochsUniqueGrid(std::string_view name, int epoch_steps, int unique_steps,
                                    std::string_view output = "plots = false") {
  return fmt::format(R"([scenario]
name = "{}"
[model]
params = 1e9
[data]
unique_tokens = 1e10
[training]
epochs = 4
[output]
{}
[[sweep.axis]]
key = "training.epochs"
range = {{ from = 1, to = 1000, steps = {}, scale = "log" }}
[[sweep.axis]]
key = "data.unique_tokens"
range = {{ from = 1e8, to = 1e13, steps = {}, scale = "log" }}
)",
                     name, output, epoch_steps, unique_steps);
}

}  // namespace repsim::test
