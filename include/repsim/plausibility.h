// repsim: inputs no law could mean, caught before they are reported.
//
// A scenario that validates (every value in its allowed range) can still be
// nonsense: `params = 7` (a missing "B") predicts a loss of 264 nats, far
// above the loss an untrained model has; a dropout step at epoch 10 of a
// 4-epoch run never happens. Resolve() accepts them (a sweep may pass through
// such points); the loader asks CheckPlausible() of the scenario's own runs
// (the base and each [[compare]] variant) and reports a located error.
#pragma once

#include <optional>

#include "repsim/engine.h"
#include "repsim/scenario.h"
#include "repsim/status.h"

namespace repsim {

// How far below the smallest value any law was fitted on an input may be
// before it is taken for a unit slip: three orders of magnitude.
inline constexpr double kImplausibleFactor = 1e3;

// Contradictions, always errors: a dropout step or ramp that starts at or
// after the run's last epoch; early dropout that ends after it. Implausible
// inputs, errors unless `allow_implausible`: active_params above params
// (swapped, or parameter sharing, which is then to be allowed);
// params, active_params, unique tokens or training tokens kImplausibleFactor
// below the smallest any law of the run's form was fitted on, and a predicted
// loss (loss_unique or loss_repeated) above the law's cap (Law::loss_cap;
// the default preset's for a law without the overfitting term). The error
// names the key (Error::key) and, for a value too small, the unit suffix
// that puts it inside the laws' fitted range ("did you mean params = \"7B\"?").
// `spec` is what `run` was resolved from; `summary` is Evaluate(run).
std::optional<Error> CheckPlausible(const RunSpec& spec, const Run& run, const Summary& summary,
                                    bool allow_implausible);

}  // namespace repsim
