// What `repsim fit --form overfit` (cmd_fit_overfit.cpp) and `--form ratio`
// (cmd_fit_ratio.cpp) share: the checks of --bootstrap, --seed, --threads and
// --format, a constant's bootstrap cells (standard error, 95 % interval) and
// the --samples file.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flags.h"
#include "repsim/law.h"

namespace repsim::cli {

struct FormFitFlags {
  uint64_t bootstrap = 0;  // 0 to 100000
  uint64_t seed = 0;
  int threads = 0;  // 0 to 1024
};

// The flags both forms take, as the parser fills them.
struct FormFitText {
  std::vector<std::string> files, groups;
  std::string form, bootstrap = "0", seed = "0", threads = "0", format = "table", samples;
};
// Declares RUNS.csv, --form (`form`: this command's), --group-by, --bootstrap
// (resampling `resampled`: "pairs" or "runs"), --seed, --samples, --threads and
// --format on `flags`, in that order.
void DeclareFormFitFlags(FlagSet& flags, FormFitText* text, const std::string& form,
                         const std::string& resampled);

// The lines above `fit --form overfit|ratio`'s table: `summary` and the domain of
// validity, each wrapped at the terminal width.
std::string FormFitPreamble(std::string_view summary, const LawDomain& domain);

// --pair-weight of `fit --form ratio` and `validate`: a number from 0 to 1e6.
Expected<double> PairWeightFlag(std::string_view text);

// --rd-star of `fit --form ratio` and `validate`: 0 (fitted) or in (0, 1e12].
Expected<double> RdStarFlag(std::string_view text);
// --huber-delta of `fit --form ratio`: > 0 and <= 10.
Expected<double> RatioHuberDeltaFlag(std::string_view text);

// The values of `law`'s constants `names` (LawConstants() keys, e.g.
// RatioParamNames()), in that order: --samples rows and the result table.
std::vector<double> LawValues(const Law& law, std::span<const std::string_view> names);

// The flags' values, or the exit code of the usage error `flags` printed.
std::optional<int> CheckFormFitFlags(const FlagSet& flags, std::string_view bootstrap,
                                     std::string_view seed, std::string_view threads,
                                     std::string_view format, FormFitFlags* out);

// std_error (n − 1 in the denominator; 0 for one sample), ci95_low and
// ci95_high (linear-interpolation percentiles) of a constant's bootstrap
// samples, each written by io::Num.
std::vector<std::string> BootstrapCells(const std::vector<double>& samples);
// The same for column `column` of the resamples' constants (a row per resample).
std::vector<std::string> BootstrapCells(const std::vector<std::vector<double>>& rows,
                                        size_t column);

// Writes --samples FILE: a CSV with a column per name and a row per resample
// (each value by io::Num). The exit code of the failure, or nullopt.
std::optional<int> WriteBootstrapSamples(const std::string& path,
                                         std::span<const std::string_view> names,
                                         const std::vector<std::vector<double>>& rows);

}  // namespace repsim::cli
