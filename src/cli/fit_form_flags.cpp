// The shared checks and bootstrap cells of `repsim fit --form overfit|ratio`
// (cli/fit_form_flags.h).
#include "cli/fit_form_flags.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

#include "io/staging.h"
#include "io/table.h"
#include "repsim/fit.h"
#include "repsim/validate.h"

namespace repsim::cli {
namespace {

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

void DeclareFormFitFlags(FlagSet& flags, FormFitText* t, const std::string& form,
                         const std::string& resampled) {
  flags.Positionals("RUNS.csv", &t->files)
      .Value("form", '\0', "FORM", &t->form, form)
      .Repeated("group-by", "COL", &t->groups, "pair only runs with equal values of column COL")
      .Value("bootstrap", '\0', "B", &t->bootstrap,
             "B bootstrap resamples of the " + resampled + " (default 0: none)")
      .Value("seed", '\0', "S", &t->seed, "bootstrap seed (default 0)")
      .Value("samples", '\0', "FILE", &t->samples, "write every resample's constants to FILE (CSV)")
      .Value("threads", '\0', "T", &t->threads, "worker threads (default 0: all cores)")
      .Value("format", '\0', "FMT", &t->format,
             "table (default), json, csv, or toml (a [law] table)");
}

std::vector<double> LawValues(const Law& law, std::span<const std::string_view> names) {
  std::vector<double> out;
  out.reserve(names.size());
  for (std::string_view name : names) {
    const auto c = std::find_if(LawConstants().begin(), LawConstants().end(),
                                [&](const LawConstant& k) { return k.name == name; });
    assert(c != LawConstants().end() && "a fitted constant is a law constant");
    out.push_back(law.*c->field);
  }
  return out;
}

std::string FormFitPreamble(std::string_view summary, const LawDomain& domain) {
  return io::WrapLines(fmt::format("{}\n", summary), io::TextWidth()) +
         io::WrapLines(
             fmt::format("domain of validity (the runs' ranges): {}\n", DomainLine(domain)),
             io::TextWidth());
}

namespace {

// A plain number (std::from_chars: "0.3", "1e6") for which `ok` holds, else
// "FLAG = 'TEXT': ALLOWED".
Expected<double> NumberFlag(std::string_view flag, std::string_view text, bool (*ok)(double),
                            std::string_view allowed) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) ||
      !ok(v)) {
    return Error{fmt::format("{} = '{}': {}", flag, text, allowed)};
  }
  return v;
}

}  // namespace

Expected<double> PairWeightFlag(std::string_view text) {
  return NumberFlag(
      "--pair-weight", text, [](double w) { return w >= 0 && w <= kMaxPairWeight; },
      "must be a number from 0 to 1e6");
}

Expected<double> RdStarFlag(std::string_view text) {
  return NumberFlag(
      "--rd-star", text, [](double r) { return r >= 0 && r <= kMaxDecayScale; },
      "must be 0 (fitted) or in (0, 1e12]");
}

Expected<double> RatioHuberDeltaFlag(std::string_view text) {
  return NumberFlag(
      "--huber-delta", text, [](double d) { return d > 0 && d <= kMaxHuberDelta; },
      "must be a number > 0 and <= 10");
}

std::optional<int> CheckFormFitFlags(const FlagSet& flags, std::string_view bootstrap,
                                     std::string_view seed, std::string_view threads,
                                     std::string_view format, FormFitFlags* out) {
  const Expected<uint64_t> b = UnsignedInRange("--bootstrap", bootstrap, 0, 100000);
  if (!b) return flags.UsageError(b.error());
  const Expected<uint64_t> s = UnsignedInRange("--seed", seed, 0, UINT64_MAX);
  if (!s) return flags.UsageError(s.error());
  const Expected<uint64_t> t = UnsignedInRange("--threads", threads, 0, 1024);
  if (!t) return flags.UsageError(t.error());
  if (format != "table" && format != "json" && format != "csv" && format != "toml") {
    return flags.UsageError(
        fmt::format("--format = '{}': unknown format (one of: table, json, csv, toml)", format));
  }
  *out = FormFitFlags{*b, *s, static_cast<int>(*t)};
  return std::nullopt;
}

std::vector<std::string> BootstrapCells(const std::vector<double>& samples) {
  double sum = 0;
  for (double x : samples) sum += x;
  const double mean = sum / samples.size();
  double ss = 0;
  for (double x : samples) ss += (x - mean) * (x - mean);
  return {io::Num(samples.size() > 1 ? std::sqrt(ss / (samples.size() - 1)) : 0.0),
          io::Num(Percentile(samples, 0.025)), io::Num(Percentile(samples, 0.975))};
}

std::vector<std::string> BootstrapCells(const std::vector<std::vector<double>>& rows,
                                        size_t column) {
  std::vector<double> samples;
  samples.reserve(rows.size());
  for (const std::vector<double>& r : rows) samples.push_back(r[column]);
  return BootstrapCells(samples);
}

std::optional<int> WriteBootstrapSamples(const std::string& path,
                                         std::span<const std::string_view> names,
                                         const std::vector<std::vector<double>>& rows) {
  io::Table st;
  for (auto n : names) st.AddColumn(std::string(n));
  for (const std::vector<double>& values : rows) {
    std::vector<std::string> row;
    row.reserve(values.size());
    for (double v : values) row.push_back(io::Num(v));
    st.AddRow(std::move(row));
  }
  if (MaybeError e = io::WriteFileWhole(path, io::RenderCsv(st))) return Fail("fit", *e);
  return std::nullopt;
}

}  // namespace repsim::cli
