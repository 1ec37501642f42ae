// repsim: what repeating your pre-training data will cost.
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/suggest.h"
#include "io/table.h"
#include "repsim/version.h"

namespace {

struct Command {
  std::string_view name;
  int (*fn)(const repsim::cli::Args&);
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"run", repsim::cli::RunCommand, "evaluate scenario files and write results/<name>/"},
    {"check", repsim::cli::CheckCommand, "validate scenario files without writing anything"},
    {"laws", repsim::cli::LawsCommand, "list the loss-law presets, their constants and sources"},
    {"plan", repsim::cli::PlanCommand,
     "compute-optimal planners: table, scale, allocate (data-limited), kaplan"},
    {"fit", repsim::cli::FitCommand, "fit a loss law to your own runs (CSV), with bootstrap"},
    {"validate", repsim::cli::ValidateCommand,
     "judge repetition laws on measured runs: penalty errors, in-sample and cross-validated"},
    {"merge", repsim::cli::MergeCommand, "join sharded sweep results into one sweep.csv"},
    {"slurm", repsim::cli::SlurmCommand,
     "write the sbatch file of a Slurm job array that runs a sweep in shards"},
    {"calibrate", repsim::cli::CalibrateCommand,
     "re-derive the calibrated constants from their Token-Crisis targets"},
    {"serve", repsim::cli::ServeCommand,
     "explore a scenario in the browser: a local page and JSON API"},
    {"select", repsim::cli::SelectCommand,
     "pick a small, diverse subset of SFT examples from their embeddings"},
    {"columns", repsim::cli::ColumnsCommand,
     "list the output columns (summary, compare, sweep): units and meanings"},
};

void PrintHelp() {
  fmt::print(
      "repsim {} — what repeating your pre-training data will cost\n\n"
      "Usage: repsim COMMAND [ARGS...]\n"
      "       repsim COMMAND --help\n\n"
      "Commands:\n",
      REPSIM_VERSION);
  for (const Command& c : kCommands) fmt::print("  {:<10} {}\n", c.name, c.summary);
  fmt::print(
      "\nA scenario is a TOML file (see scenarios/ and SCENARIO.md): model, data, training,\n"
      "dropout schedule. `repsim run scenarios/t5-base-token-crisis.toml` prints the predicted\n"
      "loss with repeated data, the loss of the same run on fresh data, and what the\n"
      "repetition costs, and writes CSV/JSON/Markdown tables and plots to results/.\n\n"
      "Text output fits {} columns (tables wrap or split into blocks); --wide, after any\n"
      "command, prints tables as wide as they need. --format csv|json|md never wraps.\n\n"
      "{}\n",
      repsim::io::kTerminalWidth, repsim::cli::kExitCodesHelp);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp();
    return args.empty() ? repsim::cli::kExitBadInput : repsim::cli::kExitOk;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    fmt::print("repsim {}\n", REPSIM_VERSION);
    return repsim::cli::kExitOk;
  }
  // --wide (any command, before a lone "--"): text tables as wide as their
  // content. Otherwise they fit kTerminalWidth columns, or a narrower terminal.
  for (auto it = args.begin() + 1; it != args.end() && *it != "--"; ++it) {
    if (*it == "--wide") {
      repsim::io::SetTextWidth(0);
      args.erase(it);
      break;
    }
  }
  if (repsim::io::TextWidth() != 0) {
    const size_t terminal = repsim::cli::TerminalColumns();
    if (terminal >= 40 && terminal < repsim::io::kTerminalWidth) repsim::io::SetTextWidth(terminal);
  }
  for (const Command& c : kCommands) {
    if (args[0] == c.name) {
      try {
        return c.fn(std::vector<std::string>(args.begin() + 1, args.end()));
      } catch (const std::exception& e) {
        return repsim::cli::Fail(c.name, fmt::format("internal error: {}", e.what()),
                                 repsim::cli::kExitInternal);
      }
    }
  }
  // Unknown command: suggest the nearest.
  std::vector<std::string_view> names;
  for (const Command& c : kCommands) names.push_back(c.name);
  fmt::print(stderr, "repsim: error: unknown command '{}'{}\n", args[0],
             repsim::io::DidYouMean(args[0], names));
  fmt::print(stderr, "Run 'repsim --help' for the list of commands.\n");
  return repsim::cli::kExitBadInput;
}
