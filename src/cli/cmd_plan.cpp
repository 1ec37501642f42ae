// `repsim plan`: the compute-optimal planners of include/repsim/plan.h, one
// file each (plan_table.cpp, plan_scale.cpp, plan_allocate.cpp,
// plan_kaplan.cpp; what they share in plan_common.h). This file dispatches.
//
// Wiring only: parse and validate flags (cli/flags.h), call the core, render
// one table (src/io/table.h). Every bad value is an error that names the flag,
// the value and the allowed range, with exit code 2 (STYLE.md).
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/plan_common.h"
#include "io/suggest.h"

namespace repsim::cli {
namespace {

struct Planner {
  std::string_view name;
  int (*fn)(const Args&);
  std::string_view summary;
};

constexpr Planner kPlanners[] = {
    {"table", PlanTable, "the compute-optimal table of Hoffmann et al. 2022 (Table 3)"},
    {"scale", PlanScale, "how N and D grow when compute grows K-fold (Kaplan vs Chinchilla)"},
    {"allocate", PlanAllocate,
     "the best (N, D) when only U unique tokens exist (Muennighoff 2023)"},
    {"kaplan", PlanKaplan,
     "Kaplan 2020: critical batch, steps, compute, data to avoid overfitting"},
};

void PlanHelp(std::FILE* out) {
  fmt::print(out,
             "Usage: repsim plan PLANNER [OPTIONS]\n"
             "       repsim plan PLANNER --help    (what each computes, from which relation)\n\n"
             "Compute-optimal planners. Each prints a table: aligned text by default,\n"
             "--format csv|json|md for scripts and documents.\n\n"
             "Planners:\n");
  for (const Planner& p : kPlanners) fmt::print(out, "  {:<9} {}\n", p.name, p.summary);
  fmt::print(out, "\n{}\n\n{}\n", kQuantitiesHelp, kExitCodesHelp);
}

}  // namespace

int PlanCommand(const Args& args) {
  if (args.empty()) {
    PlanHelp(stderr);
    return kExitBadInput;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PlanHelp(stdout);
    return kExitOk;
  }
  std::vector<std::string_view> names;
  for (const Planner& p : kPlanners) {
    if (args[0] == p.name) return p.fn(Args(args.begin() + 1, args.end()));
    names.push_back(p.name);
  }
  Fail("plan", fmt::format("unknown planner '{}'{} (one of: {})", args[0],
                           io::DidYouMean(args[0], names), Join(names)));
  fmt::print(stderr, "Run 'repsim plan --help' for usage.\n");
  return kExitBadInput;
}

}  // namespace repsim::cli
