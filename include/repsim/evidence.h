// repsim: the held-out scorecard (`repsim validate --evidence`, issue 25).
//
// ../shared/data/heldout_evidence.csv holds outcomes of repeated-data training
// from papers other than datablations (T5 Table 9, Pythia deduplicated vs
// standard Pile, Token-Crisis tables, masked-diffusion R_D*). Most are
// downstream scores, not losses: a law cannot predict them, only their
// direction and order. So each source gets explicit rules, each rule
// compares the law's predicted loss penalty with what was measured, and rows
// no rule can use are listed with the reason. Nothing is fitted to it.
//
// Predicted penalty of a row: 100 (L / L_fresh - 1) % with L the engine's loss
// (Evaluate, engine.h: the row's params, tokens, unique tokens, objective and
// constant dropout, default modifiers) and L_fresh the same run with every
// token fresh (unique tokens = tokens), same objective and dropout.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "repsim/law.h"
#include "repsim/run.h"

namespace repsim {

// One row of the evidence file, as written (numbers absent when the cell is
// empty).
struct EvidenceRow {
  int line = 0;  // in the file, for messages
  std::string source, setting, objective, metric, verification, notes;
  std::optional<double> params, unique_tokens, tokens, epochs, dropout;
  std::string value, fresh_value;  // as written: "61.7", "~15", ""
};

enum class EvidenceVerdict { kPass, kFail, kNotScored };
std::string_view ToString(EvidenceVerdict v);  // "pass" "fail" "not scored"

struct EvidenceCheck {
  std::string source;     // the file's source column
  std::string rule;       // the rule, one line
  std::string setting;    // the rows it reads (settings, comma-separated)
  std::string predicted;  // what the law predicts, with units
  std::string measured;   // what was measured, with units
  EvidenceVerdict verdict = EvidenceVerdict::kNotScored;
  std::string note;  // why not scored, or a caveat (secondary source, calibration target)
};

// The penalty defined above, in percent.
double EvidencePenaltyPct(const Law& law, double params, double tokens, double unique_tokens,
                          Objective objective, double dropout);

// The objective a row's text names: "causal LM", "span-corruption (enc-dec)",
// "MLM/span-corruption ...", "UL2 mixture ...", "masked diffusion"; nullopt
// for anything else.
std::optional<Objective> EvidenceObjective(const std::string& text);

// Every rule of every source under `law`, in file order of the sources, then
// one kNotScored check per row no rule reads. The rules (thresholds fixed
// before any law was scored; MODEL.md §8c):
//   Pythia (Biderman et al. 2023): each size 70M-12B at the deduplicated
//     Pile's 207B unique tokens seen for more than one epoch (1.04, 1.45):
//     predicted penalty < 1 % (deduplicated and standard Pile models score
//     alike); rows under one epoch repeat nothing.
//   T5 Table 9 (Raffel et al. 2020): the predicted penalty rises with the
//     repeat count 64 < 256 < 1024 < 4096 in the order of the measured mean
//     relative drop of the seven downstream scores; and is < 1 % at 64
//     repeats, where the measured drop is nil.
//   Token-Crisis (Xue et al. 2023, second-hand): 256 epochs of 2^27 tokens
//     harm (predicted penalty >= 1 %); dropout 0.1 lowers the penalty; UL2's
//     penalty exceeds span corruption's. The last two are the calibration
//     targets T2 and T3 (calibration.h): not held out, printed as checks.
//   Diffusion (Prabhudesai et al. 2025, second-hand): the objective
//     multiplier's ratio R_D*(diffusion) / R_D*(AR) within a factor 1.5 of the
//     measured ~500 / ~15 (calibration source of the multiplier: not held
//     out); the AR R_D* of a law of Muennighoff's form within a factor 1.5 of
//     ~15.
std::vector<EvidenceCheck> ScoreEvidence(std::span<const EvidenceRow> rows, const Law& law);

}  // namespace repsim
