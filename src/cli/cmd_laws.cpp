// `repsim laws` and `repsim calibrate`.

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/laws_table.h"
#include "io/table.h"
#include "repsim/calibrate.h"
#include "repsim/law.h"

namespace repsim::cli {
namespace {

// Parses a command that takes only --format; returns an exit code when it
// should stop.
std::optional<int> ParseFormatOnly(const Args& args, const char* command, const char* usage,
                                   std::string* format) {
  *format = "table";
  FlagSet flags(command, usage);
  flags.Value("format", 'f', "FMT", format, "table (default), csv, json or md (markdown)");
  if (auto code = flags.Parse(args)) return code;
  if (const Expected<io::TableFormat> f = TableFormatFlag(*format); !f) {
    return flags.UsageError(f.error());
  }
  return std::nullopt;
}

}  // namespace

int LawsCommand(const Args& args) {
  std::string format;
  if (auto code = ParseFormatOnly(args, "laws",
                                  "Usage: repsim laws [--format table|csv|json|md]\n\n"
                                  "Lists the loss-law presets (MODEL.md §1) with every constant "
                                  "and its source.\nAny constant can be overridden in a "
                                  "scenario's [law] table.",
                                  &format)) {
    return *code;
  }
  const io::Table t = io::LawsTable();
  // For people, one column per law (the constants down the side) unless
  // --wide asks for the table as machines get it.
  const bool transpose = format == "table" && io::TextWidth() != 0;
  fmt::print("{}",
             transpose ? io::Transpose(t) : io::Render(t, *io::TableFormatFromString(format)));
  if (format == "table") {
    fmt::print(
        "\nrd_star, rn_star: Muennighoff et al. 2023's decay constants of repeated data and\n"
        "excess parameters (overfit2026 refits them); every preset carries them so any law\n"
        "can price repetition.\n"
        "kaplan2020 uses non-embedding parameters and its own tokenizer: its losses are not\n"
        "comparable with the others'. Default preset: {}.\n"
        "fitted_*: the domain of validity, the ranges of the runs each preset was fitted on\n"
        "(\"-\": not stated). Outside them a prediction is an extrapolation: every output row\n"
        "says so in its `extrapolation` column, and `repsim run --strict` refuses it.\n",
        ToString(kDefaultLawPreset));
  }
  return kExitOk;
}

int CalibrateCommand(const Args& args) {
  std::string format;
  if (auto code = ParseFormatOnly(args, "calibrate",
                                  "Usage: repsim calibrate [--format table|csv|json|md]\n\n"
                                  "Re-derives the calibrated constants of MODEL.md §4 from their "
                                  "Token-Crisis targets\n(Xue et al. 2023) and the "
                                  "capacity-displacement strength from the Hernandez et al.\n2022 "
                                  "target, and compares them with the values compiled into repsim.",
                                  &format)) {
    return *code;
  }
  Expected<Calibration> c = SolveCalibration();
  if (!c) {
    return Fail("calibrate", c.error(), kExitInternal);
  }
  io::Table t;
  for (auto n : {"constant", "solved", "compiled", "target"}) {
    t.AddColumn(n, std::string_view(n) == "solved" || std::string_view(n) == "compiled");
  }
  t.AddRow({"m_span_corruption", io::Num(c->span_corruption_multiplier),
            io::Num(kObjectiveMultiplierSpanCorruption),
            "T3: span-corruption gap = 2.5/2.9 of UL2's (T5-Base, 2^27 x 2^8 epochs)"});
  t.AddRow(
      {"g0", io::Num(c->g0), io::Num(kDefaultG0),
       fmt::format("T2: constant dropout 0.1 removes 1.3/2.9 of that gap (c_drop {:g}, eta {:g})",
                   kDefaultCDrop, kDefaultEta)});
  t.AddRow({"displacement", io::Num(c->displacement), io::Num(kDefaultDisplacement),
            "H1: 800M params, 100B tokens, 10 % from 100M tokens seen 100x: equivalent_params "
            "= 400M"});
  fmt::print("{}", io::Render(t, *io::TableFormatFromString(format)));
  return kExitOk;
}

}  // namespace repsim::cli
