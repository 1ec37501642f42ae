// repsim: the calibration solver (MODEL.md §4): re-derives the solved constants
// of repsim/calibration.h from their targets with the engine. Apart from the
// constants, which the run and the law read: the solver stands above the
// engine it runs, the constants below it.
#pragma once

#include "repsim/calibration.h"
#include "repsim/status.h"

namespace repsim {

struct Calibration {
  double span_corruption_multiplier;  // solution of T3
  double g0;                          // solution of T2
  double displacement;                // solution of H1
};

// Solves T3, then T2, then H1 from their targets with the engine, by bracketed
// root finding. Independent of the solved constants above (it uses only the
// targets and the assumptions).
Expected<Calibration> SolveCalibration();

}  // namespace repsim
