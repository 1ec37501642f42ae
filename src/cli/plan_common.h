// What the `repsim plan` planners share (cmd_plan.cpp dispatches to them):
// the output cells, the --format and --law flags, quantity flags and the
// planners' entry points, one file each (plan_table.cpp, plan_scale.cpp,
// plan_allocate.cpp, plan_kaplan.cpp).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/fields.h"
#include "io/table.h"
#include "repsim/law.h"
#include "repsim/status.h"

namespace repsim::cli {

// The planners: args are those after `repsim plan NAME`.
int PlanTable(const Args& args);
int PlanScale(const Args& args);
int PlanAllocate(const Args& args);
int PlanKaplan(const Args& args);

inline constexpr std::string_view kQuantitiesHelp =
    "Quantities are plain numbers (5.1e19, 25000000000) or, for parameters, tokens and\n"
    "compute, a number with a K/M/B/T suffix for 1e3/1e6/1e9/1e12 (25B, 1.5T; any case),\n"
    "read as a scenario file reads them. Compute is in training FLOPs, C = 6 N D. Every\n"
    "value must be finite and > 0.";

// Text and Markdown are for people (short numbers, K/M/B/T); CSV and JSON for
// programs (round-trip numbers, io::Num).
class Cells {
 public:
  explicit Cells(io::TableFormat format)
      : human_(format == io::TableFormat::kText || format == io::TableFormat::kMarkdown) {}

  bool human() const { return human_; }
  // A count of params or tokens: 7B.
  std::string Count(double v) const;
  std::string Number(double v) const;
  std::string Loss(double v) const;
  std::string Delta(double v) const;
  // A field's number in its style (io::FieldStyle): Count, Loss or Number.
  std::string Of(io::FieldStyle style, double v) const;
  // A field's cell: its text, "" for an optional number without a value, or
  // its number in its style (Of).
  template <typename T>
  std::string Field(const io::Field<T>& f, const T& v) const {
    if (!f.numeric()) return f.Short(v);
    const double x = f.number(v);
    if (f.kind == io::FieldKind::kOptional && !std::isfinite(x)) return "";
    return Of(f.style, x);
  }
  // A relative deviation, written in percent.
  std::string Percent(double v) const;
  // Gopher units the way Hoffmann et al. print them: 1/29,968 below one.
  std::string Gopher(double v) const;

 private:
  bool human_;
};

// The flags every planner has: --format, and --law for those with a law.
struct PlannerFlags {
  std::string format = "text";
  std::string law;  // "" when --law is not given
};
// Declares --format on `flags` (and --law, with `law_help`, when not empty).
void AddPlannerFlags(FlagSet& flags, PlannerFlags* p, std::string_view law_help = {});
// --format as a table format.
Expected<io::TableFormat> PlannerFormat(const PlannerFlags& p);
// The law of --law, or of kDefaultLawPreset when it is not given.
Expected<Law> PlannerLaw(const FlagSet& flags, const PlannerFlags& p);

// An optional positive quantity flag `--NAME`: empty when not given.
Expected<std::optional<double>> OptionalNumber(const FlagSet& flags, std::string_view name,
                                               const std::string& text, NumberKind kind,
                                               std::string_view what);

void Print(const io::Table& table, io::TableFormat format);

}  // namespace repsim::cli
