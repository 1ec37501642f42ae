// repsim: our calibrated defaults (MODEL.md §4), in one place.
//
// Every constant below is either an assumption of ours (said so) or solved
// from a Token-Crisis (Xue et al. 2023) target. tests/test_calibration.cpp
// re-derives each solved constant from its target with SolveCalibration(), so
// that a change to the model that moves a target fails a test instead of
// drifting silently. `repsim calibrate` prints the derivation.
#pragma once

#include <cmath>

#include "repsim/status.h"

namespace repsim {

// --- Assumptions (not measured) --------------------------------------------
// p = 0.1 on fresh data costs 5 % of learning efficiency (MODEL.md §4, T2).
inline constexpr double kDefaultCDrop = 0.5;
// Dropout helps less at large scale (finding 10): g(N) = g0 (N/1e9)^-eta.
inline constexpr double kDefaultEta = 0.5;
// Dataset-size modifier of the decay itself: off unless fitted.
inline constexpr double kDefaultSizeGamma = 0.0;
// Masked-diffusion LMs: R_D* ≈ 500 vs ≈ 15 autoregressive (Prabhudesai et al. 2025).
inline constexpr double kObjectiveMultiplierDiffusion = 32.0;
// UL2 is the reference objective of target T3.
inline constexpr double kObjectiveMultiplierUl2 = 1.0;

// --- The calibration scenario: Token-Crisis T5 v1.1 Base on C4 ----------------
inline constexpr double kT1Params = 2.5e8;
inline constexpr double kT1UniqueTokens = 134217728.0;  // 2^27
inline constexpr double kT1Tokens = 34359738368.0;      // 2^35 (2^8 epochs)
inline constexpr double kT2DropoutRate = 0.1;
// T2 (Table 4): dropout recovers 1.3 of the 2.9 accuracy points lost to repetition.
inline constexpr double kT2GapRemoved = 1.3 / 2.9;
// T3 (Table 3): span corruption loses 2.5 SQuAD-EM points where UL2 loses 2.9.
inline constexpr double kT3SpanOverUl2Gap = 2.5 / 2.9;

// --- Solved constants ---------------------------------------------------------
// m_span_corruption: solved from T3 (no dropout, T1 run, m_ul2 = 1).
inline constexpr double kObjectiveMultiplierSpanCorruption = 1.771759103691023;
// g0: solved from T2 (T1 run with span corruption, constant p = 0.1,
// c_drop = kDefaultCDrop, eta = kDefaultEta) after m_span_corruption.
inline constexpr double kDefaultG0 = 6.455573980032343;

struct Calibration {
  double span_corruption_multiplier;  // solution of T3
  double g0;                          // solution of T2
};

// Solves T3 then T2 from their targets with the engine, by bracketed root
// finding. Independent of the constants above (it uses only the targets).
Expected<Calibration> SolveCalibration();

}  // namespace repsim
