#include "cli/plan_common.h"

#include <fmt/format.h>

#include <cmath>

namespace repsim::cli {

std::string Cells::Count(double v) const {
  if (!human_) return io::Num(v);
  struct Unit {
    double scale;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
  if (std::isfinite(v) && v < 1e15) {
    for (const Unit& u : kUnits) {
      if (v >= u.scale) return fmt::format("{:.4g}{}", v / u.scale, u.suffix);
    }
  }
  return fmt::format("{:.4g}", v);
}

std::string Cells::Number(double v) const { return human_ ? fmt::format("{:.4g}", v) : io::Num(v); }

std::string Cells::Loss(double v) const { return human_ ? io::Short(v) : io::Num(v); }

std::string Cells::Of(io::FieldStyle style, double v) const {
  switch (style) {
    case io::FieldStyle::kCount:
      return Count(v);
    case io::FieldStyle::kLoss:
      return Loss(v);
    case io::FieldStyle::kGopher:
      return Gopher(v);
    case io::FieldStyle::kPercent:
      return human_ ? fmt::format("{:+.2f}", v) : io::Num(v);
    case io::FieldStyle::kPlain:
      break;
  }
  return Number(v);
}

std::string Cells::Delta(double v) const { return human_ ? fmt::format("{:+.3g}", v) : io::Num(v); }

std::string Cells::Percent(double v) const {
  return human_ ? fmt::format("{:+.2f}", 100.0 * v) : io::Num(100.0 * v);
}

std::string Cells::Gopher(double v) const {
  if (!human_) return io::Num(v);
  if (v < 0.5) return fmt::format("1/{:.0f}", 1.0 / v);
  return v < 1000 ? fmt::format("{:.4g}", v) : fmt::format("{:.1f}", v);
}

void AddPlannerFlags(FlagSet& flags, PlannerFlags* p, std::string_view law_help) {
  if (!law_help.empty()) {
    flags.Value("law", '\0', "PRESET", &p->law,
                fmt::format("{}: {} (default {})", law_help, Join(LawPresetNames()),
                            ToString(kDefaultLawPreset)));
  }
  flags.Value("format", '\0', "FMT", &p->format,
              "output format: text (default, for people), csv, json or md");
}

Expected<io::TableFormat> PlannerFormat(const PlannerFlags& p) { return TableFormatFlag(p.format); }

Expected<Law> PlannerLaw(const FlagSet& flags, const PlannerFlags& p) {
  if (!flags.Given("law")) return MakeLaw(kDefaultLawPreset);
  const Expected<LawPreset> preset = LawPresetFlag("--law", p.law);
  if (!preset) return repsim::Error{preset.error()};
  return MakeLaw(*preset);
}

Expected<std::optional<double>> OptionalNumber(const FlagSet& flags, std::string_view name,
                                               const std::string& text, NumberKind kind,
                                               std::string_view what) {
  if (!flags.Given(name)) return std::optional<double>{};
  const Expected<double> v = PositiveNumber(fmt::format("--{}", name), text, kind, what);
  if (!v) return repsim::Error{v.error()};
  return std::optional<double>{*v};
}

void Print(const io::Table& table, io::TableFormat format) {
  fmt::print("{}", io::Render(table, format));
}

}  // namespace repsim::cli
