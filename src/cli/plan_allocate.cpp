// `repsim plan allocate`: the best (N, D) when only U unique tokens exist.
#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/plan_common.h"
#include "io/result_fields.h"
#include "repsim/engine.h"
#include "repsim/law.h"
#include "repsim/plan.h"
#include "repsim/scenario.h"
#include "repsim/weight_decay.h"

namespace repsim::cli {
namespace {

constexpr const char* kAllocateExamples =
    "Examples:\n"
    "  repsim plan allocate --compute 1e22 --unique-tokens 25B\n"
    "  repsim plan allocate --params 7B --unique-tokens 100B\n"
    "  repsim plan allocate --tokens 1T --unique-tokens 250B --law chinchilla2022\n"
    "  repsim plan allocate --params 7B --tokens 1T --unique-tokens 250B --format json";

std::string AllocateUsage() {
  return fmt::format(
      "Usage: repsim plan allocate --unique-tokens U --compute C [--law PRESET] [--format FMT]\n"
      "       repsim plan allocate --unique-tokens U --params N  [...]\n"
      "       repsim plan allocate --unique-tokens U --tokens D  [...]\n"
      "       repsim plan allocate --unique-tokens U TWO OF --compute/--params/--tokens [...]\n\n"
      "The best model size N and token count D when only U unique tokens exist, under\n"
      "the data-constrained law of Muennighoff et al. 2023 (MODEL.md §2): tokens seen\n"
      "again are worth less (effective data D' saturates at U (1 + R_D*)), and so are\n"
      "parameters beyond the size compute-optimal for U. The fresh-data allocation of\n"
      "the same law (law.h ComputeOptimal, Hoffmann eq. 4) is printed beside it, trained\n"
      "on the same U, so that you see what ignoring the data limit costs.\n\n"
      "What is fixed decides the question:\n"
      "  --compute C   the best plan within the budget: the (N, D) with 6 N D <= C and\n"
      "                the lowest loss. On each iso-FLOP line 6 N D = C' a log-spaced\n"
      "                scan of N brackets the minimum and Brent's method (Boost.Math\n"
      "                brent_find_minima, in log N) locates it to ~1e-7. A law without an\n"
      "                overfitting term never gets worse with more N or D, so its best\n"
      "                plan spends all of C. A law with one (ratio2026) has a best plan\n"
      "                on U: beyond its compute more FLOPs only raise the loss, and the\n"
      "                answer stops there and says how much of C it leaves unused (the\n"
      "                unused_flops column). When U is at least the fresh-data optimum's D,\n"
      "                the answer is that optimum (<= 1 epoch). With little data the law\n"
      "                prefers a smaller model trained for more epochs (Muennighoff et al.).\n"
      "  --params N    a fixed model (say, sized for inference): the D for which N is\n"
      "                the data-constrained compute-optimal size, where the next FLOP\n"
      "                lowers the loss as much spent on tokens as on parameters\n"
      "                (dL/dlogN = dL/dlogD), checked to be the best plan for its budget\n"
      "                6 N D. Without an overfitting term, training longer still helps but\n"
      "                a larger model would use that compute better; with one, the loss\n"
      "                of N has a lowest point (the floor row), and a model larger than\n"
      "                the best plan on U is the best size for no budget: the answer then\n"
      "                says so (exit 2) with the token count at N's lowest loss. With\n"
      "                enough unique data this is Chinchilla's D for N.\n"
      "  --tokens D    a fixed token budget (D may exceed U: D/U epochs): the N for which\n"
      "                D is the data-constrained compute-optimal token count (same\n"
      "                condition, solved in N). With D <= U this is Chinchilla's N for D.\n"
      "                The floor row is D tokens with the best model for them.\n"
      "  two of them   your plan as given (C = 6 N D fixes the third), beside the\n"
      "                data-constrained and the fresh-data optimum at the same compute.\n\n"
      "Never recommended (plan.h ImplausiblePlan): a model more than {:g}x the size\n"
      "compute-optimal for U, more than {:g} epochs, or a saturated overfitting penalty.\n\n"
      "Rows: the data-constrained optimum (or your plan), the fresh-data answer of the\n"
      "same law trained on U, and the floor: the loss no amount of the free quantity can\n"
      "beat with these U unique tokens. Columns: params, tokens, epochs (D / U), flops\n"
      "(6 N D), loss (the data-constrained law, DataConstrainedLoss), loss_if_fresh (the\n"
      "same N and D if all D tokens were unique: the cost of the data limit is loss -\n"
      "loss_if_fresh) and, when the rows share one compute budget, loss_vs_optimum,\n"
      "unused_flops (the budget a row leaves unspent) and unused_because.\n"
      "When the optimum is within {} nats of the floor, a note on stderr says that\n"
      "more compute buys next to nothing and many plans are about as good.\n\n"
      "Losses are nats per token of the law's tokenizer. muennighoff2023, and ratio2026 and\n"
      "overfit2026 (its form plus overfitting, MODEL.md §2b), are the presets fitted to\n"
      "repeated data; the others reuse muennighoff2023's R_D*, R_N* (MODEL.md §1).\n"
      "Default --law: {}.\n\n"
      "{}",
      kMaxParamsOverComputeOptimalForU, kMaxPlanEpochs, kSaturatedLossGap,
      ToString(kDefaultLawPreset), kQuantitiesHelp);
}

// The unused_because cell.
std::string_view UnusedBecause(BudgetLimit limit) {
  switch (limit) {
    case BudgetLimit::kNone:
      return "";
    case BudgetLimit::kLossRises:
      return "more compute does not lower the loss";
    case BudgetLimit::kImplausible:
      return "no plausible plan beyond";
  }
  return "";
}

// Why the plan leaves compute unused, in words (issue 21's wording).
std::string BudgetNote(const DataConstrainedPlan& plan, double unique) {
  const std::string u = Cells(io::TableFormat::kText).Count(unique);
  const double c = plan.optimum.flops;
  const std::string why =
      plan.limit == BudgetLimit::kLossRises
          ? fmt::format(
                "beyond {:.2g} FLOPs more compute does not lower the loss on {} unique "
                "tokens",
                c, u)
          : fmt::format(
                "beyond {:.2g} FLOPs every plan on {} unique tokens is implausible (a "
                "model over {:g}x the size compute-optimal for U, over {:g} epochs, or "
                "a saturated overfitting penalty)",
                c, u, kMaxParamsOverComputeOptimalForU, kMaxPlanEpochs);
  return fmt::format(
      "{}: the best plan within the {:.2g}-FLOP budget spends {:.3g} FLOPs and leaves {:.3g} "
      "({:.3g}%) unused",
      why, plan.budget, c, plan.unused_flops, 100.0 * plan.unused_flops / plan.budget);
}

}  // namespace

int PlanAllocate(const Args& args) {
  std::string unique_text, compute_text, params_text, tokens_text, wd_text;
  PlannerFlags common;
  FlagSet flags("plan allocate", AllocateUsage());
  flags
      .Value("unique-tokens", '\0', "U", &unique_text,
             "unique tokens available (required), e.g. 25B")
      .Value("compute", '\0', "C", &compute_text, "training FLOPs, e.g. 1e22")
      .Value("params", '\0', "N", &params_text, "a fixed model size, e.g. 7B")
      .Value("tokens", '\0', "D", &tokens_text,
             "a fixed number of training tokens (repeats included), e.g. 1T")
      .Value("weight-decay", '\0', "LAMBDA", &wd_text,
             fmt::format("AdamW weight decay in [0, {:g}] (default {:g}): scales the law's "
                         "overfitting term (docs/WEIGHT_DECAY.md)",
                         kMaxWeightDecay, kDefaultWeightDecay));
  AddPlannerFlags(flags, &common, "the loss law");
  flags.Epilogue(kAllocateExamples);
  if (auto code = flags.Parse(args)) return *code;
  const Expected<io::TableFormat> format = PlannerFormat(common);
  if (!format) return flags.UsageError(format.error());
  if (!flags.Given("unique-tokens")) {
    return flags.UsageError(
        "missing --unique-tokens U: how many unique tokens exist (a number > 0, e.g. 25B)");
  }
  const auto u = OptionalNumber(flags, "unique-tokens", unique_text, NumberKind::kQuantity,
                                "unique tokens, e.g. 25B");
  const auto c = OptionalNumber(flags, "compute", compute_text, NumberKind::kQuantity,
                                "training FLOPs, e.g. 1e22");
  const auto n =
      OptionalNumber(flags, "params", params_text, NumberKind::kQuantity, "parameters, e.g. 7B");
  const auto d = OptionalNumber(flags, "tokens", tokens_text, NumberKind::kQuantity,
                                "training tokens, e.g. 1T");
  for (const auto* v : {&u, &c, &n, &d}) {
    if (!*v) return flags.UsageError(v->error());
  }
  Expected<Law> law = PlannerLaw(flags, common);
  if (!law) return flags.UsageError(law.error());
  double weight_decay = kDefaultWeightDecay;
  if (flags.Given("weight-decay")) {
    const std::optional<double> wd = ParseNumber(wd_text);
    if (!wd || !std::isfinite(*wd) || *wd < 0 || *wd > kMaxWeightDecay) {
      return flags.UsageError(fmt::format("--weight-decay = '{}': must be a number in [0, {:g}]",
                                          wd_text, kMaxWeightDecay));
    }
    weight_decay = *wd;
  }
  // The factor of weight_decay.h, at the assumed shape and the measured point.
  law->overfit_scale =
      WeightDecayOverfitFactor(weight_decay, kDefaultWeightDecayShape, kDefaultWeightDecayFactor);
  const int given = (*c).has_value() + (*n).has_value() + (*d).has_value();
  if (given == 0) {
    return flags.UsageError("missing --compute C (or --params N, or --tokens D): what is fixed");
  }
  if (given == 3) {
    return flags.UsageError(
        "--compute, --params and --tokens all given: C = 6 N D fixes the third; "
        "give at most two");
  }
  const double unique = **u;
  // The law's loss can rise with more compute (an overfitting term): the
  // floors are best plans, not limits (plan.h).
  const bool rises = LossCanRiseWithCompute(*law);

  // Which rows, and whether they share one compute budget.
  std::vector<std::pair<std::string, PlanPoint>> rows;
  std::string floor_label;
  double floor = 0;
  bool same_compute = true;
  std::string title;
  Expected<DataConstrainedPlan> plan = Error{""};
  if (given == 2) {
    const double nn = *n ? **n : **c / (kFlopsPerParamToken * **d);
    const double dd = *d ? **d : **c / (kFlopsPerParamToken * nn);
    const PlanPoint mine = EvaluatePlanPoint(*law, nn, dd, unique);
    plan = AllocateCompute(*law, mine.flops, unique);
    if (!plan) {
      return flags.UsageError(plan.error());
    }
    rows.push_back({"your plan", mine});
    rows.push_back({"data-constrained optimum", plan->optimum});
    rows.push_back({"fresh-data optimum trained on U", plan->compute_optimal});
    floor_label =
        rises ? "floor: best plan on U, unlimited compute" : "floor: unlimited compute on U";
    title = "your plan against the optima at its compute";
  } else if (*c) {
    plan = AllocateCompute(*law, **c, unique);
    if (!plan) {
      return flags.UsageError(plan.error());
    }
    rows.push_back({"data-constrained optimum", plan->optimum});
    rows.push_back({"fresh-data optimum trained on U", plan->compute_optimal});
    floor_label =
        rises ? "floor: best plan on U, unlimited compute" : "floor: unlimited compute on U";
    title = "the best N, D within a compute budget";
  } else if (*n) {
    plan = BestTokensForParams(*law, **n, unique);
    if (!plan) {
      return flags.UsageError(plan.error());
    }
    rows.push_back({"data-constrained optimal D for N", plan->optimum});
    rows.push_back({"fresh-data optimal D for N, trained on U", plan->compute_optimal});
    floor_label = rises ? "floor: N at its best token count" : "floor: N, unlimited epochs";
    same_compute = false;
    title = "tokens for a fixed model";
  } else {
    plan = BestParamsForTokens(*law, **d, unique);
    if (!plan) {
      return flags.UsageError(plan.error());
    }
    rows.push_back({"data-constrained optimal N for D", plan->optimum});
    rows.push_back({"fresh-data optimal N for D, trained on U", plan->compute_optimal});
    floor_label = rises ? "floor: D with its best model" : "floor: D, unlimited params";
    same_compute = false;
    title = "model size for a fixed token budget";
  }
  // An answer smaller than any model a law was fitted on is a unit slip, not
  // a plan (issue 14: 300 unique tokens for "300B" gave a 3.1K model). The
  // flag to blame: the budget when even the fresh-data answer is that small,
  // else the unique tokens.
  if (!*n) {
    const double smallest = SmallestFittedParams(law->form);
    if (plan->optimum.params < smallest) {
      std::string flag = fmt::format("--unique-tokens {}", unique_text);
      if (plan->compute_optimal.params < smallest) {
        flag = *c ? fmt::format("--compute {}", compute_text)
                  : fmt::format("--tokens {}", tokens_text);
      }
      return flags.UsageError(
          fmt::format("{}: the answer would be a {:.4g}-parameter model, below the smallest "
                      "model any law was fitted on ({:.3g}): an implausible input (a missing "
                      "suffix such as B or T?)",
                      flag, plan->optimum.params, smallest));
    }
  }
  floor = plan->loss_floor;
  const double best = plan->optimum.loss;
  // Every row says the compute it spends: rows at different budgets are not
  // alternatives for one budget (issue 14).
  // (Machine formats have the flops column and keep the labels stable.)
  if (*format == io::TableFormat::kText) {
    for (auto& [label, pt] : rows) {
      label += fmt::format(" at {:.2g} FLOPs", pt.flops);
    }
  }

  // The row of the data-constrained optimum (its unused budget is the plan's).
  size_t optimum_index = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].first.rfind("data-constrained", 0) == 0) {
      optimum_index = i;
      break;
    }
  }
  const PlanPoint& optimum_row = rows[optimum_index].second;
  const Cells cell(*format);
  io::Table t;
  t.AddColumn("plan", false);
  io::AddFieldColumns(t, io::PlanPointFields());
  if (same_compute) {
    t.AddColumn("loss_vs_optimum");
    t.AddColumn("unused_flops");
    t.AddColumn("unused_because", false);
  }
  // Outside the runs the law was fitted on (repsim laws); the floor is no run.
  t.AddColumn("extrapolation", false);
  const LawDomain& domain = FittedDomain(law->preset);
  for (const auto& [label, pt] : rows) {
    std::vector<std::string> cells = {label};
    io::AppendFieldCells(cells, io::PlanPointFields(), pt,
                         [&](const auto& f, const PlanPoint& p) { return cell.Field(f, p); });
    if (same_compute) {
      cells.push_back(cell.Delta(pt.loss - best));
      const bool is_optimum = &pt == &optimum_row;
      cells.push_back(cell.Number(is_optimum ? plan->unused_flops : 0.0));
      cells.push_back(is_optimum ? std::string(UnusedBecause(plan->limit)) : std::string());
    }
    cells.push_back(Extrapolation(domain, pt.params, pt.tokens, unique));
    t.AddRow(std::move(cells));
  }
  // The floor is a loss, not a run: only its loss cell.
  std::vector<std::string> floor_cells = {floor_label};
  io::AppendFieldCells(floor_cells, io::PlanPointFields(), PlanPoint{},
                       [&](const auto& f, const PlanPoint&) {
                         return f.name == "loss" ? cell.Loss(floor) : std::string();
                       });
  if (same_compute) {
    floor_cells.push_back(cell.Delta(floor - best));
    floor_cells.emplace_back();
    floor_cells.emplace_back();
  }
  floor_cells.emplace_back();
  t.AddRow(std::move(floor_cells));

  if (*format == io::TableFormat::kText) {
    fmt::print(
        "{}",
        io::WrapLines(fmt::format("repsim plan allocate: {}; law {}, U = {} unique tokens{}.\n\n",
                                  title, ToString(law->preset), cell.Count(unique),
                                  weight_decay == kDefaultWeightDecay
                                      ? std::string()
                                      : fmt::format(", weight decay {:g} (overfitting x{:.3g})",
                                                    weight_decay, law->overfit_scale)),
                      io::TextWidth()));
  }
  if (weight_decay != kDefaultWeightDecay) {
    const std::string note =
        law->overfit
            ? fmt::format(
                  "--weight-decay {:g} multiplies the overfitting term by {:.3g}: "
                  "measured at 1.0 (~0.3, Lovelace et al. 2026), assumed between "
                  "and beyond (weight_decay_shape = {:g}, stated range 0.03 to 3)",
                  weight_decay, law->overfit_scale, kDefaultWeightDecayShape)
            : fmt::format("--weight-decay {:g} has no effect: law {} has no overfitting term",
                          weight_decay, ToString(law->preset));
    fmt::print(stderr, "{}",
               io::WrapLines("repsim plan allocate: note: " + note + "\n", io::TextWidth()));
  }
  Print(t, *format);
  if (*format == io::TableFormat::kText) {
    const PlanPoint& o = plan->optimum;
    const PlanPoint& f = plan->compute_optimal;
    fmt::print("\nThe data limit costs {} nats at the optimum (loss - loss_if_fresh).\n",
               cell.Delta(o.loss - o.fresh_loss));
    if (same_compute) {
      fmt::print("Ignoring it (the fresh-data allocation on U) would cost {} nats more.\n",
                 cell.Delta(f.loss - o.loss));
    } else {
      fmt::print("{}", io::WrapLines(fmt::format("The rows spend different compute ({:.3g} and "
                                                 "{:.3g} FLOPs): compare each with the optimum "
                                                 "for its own budget, not with each other.\n",
                                                 o.flops, f.flops),
                                     io::TextWidth()));
    }
    // The price of the data limit at the optimum's budget: the best any
    // allocation of the same FLOPs reaches with unlimited fresh data.
    const Allocation free = ComputeOptimal(*law, o.flops);
    const double free_loss = FreshLoss(*law, free.params, free.tokens);
    fmt::print("{}",
               io::WrapLines(fmt::format("Against the unlimited-data optimum for the same "
                                         "compute ({:.3g} FLOPs: N = {}, D = {}, loss {}), "
                                         "the data-constrained optimum costs {} nats.\n",
                                         o.flops, cell.Count(free.params), cell.Count(free.tokens),
                                         cell.Loss(free_loss), cell.Delta(o.loss - free_loss)),
                             io::TextWidth()));
  }
  if (plan->limit != BudgetLimit::kNone) {
    // Said in every format: the budget is not what limits the plan.
    fmt::print(stderr, "{}",
               io::WrapLines("repsim plan allocate: note: " + BudgetNote(*plan, unique) + "\n",
                             io::TextWidth()));
  } else if (plan->optimum.loss - floor < kSaturatedLossGap) {
    const double gap = plan->optimum.loss - floor;
    fmt::print(stderr, "{}",
               io::WrapLines(
                   fmt::format("repsim plan allocate: note: the optimum is {} the floor {:.6g}: "
                               "with {} unique tokens more compute buys next to nothing here, "
                               "and many plans are about as good as the one shown (see --help).\n",
                               gap < 1e-12 ? std::string("within rounding of")
                                           : fmt::format("only {:.2g} nats above", gap),
                               floor, Cells(io::TableFormat::kText).Count(unique)),
                   io::TextWidth()));
  }
  return kExitOk;
}

}  // namespace repsim::cli
