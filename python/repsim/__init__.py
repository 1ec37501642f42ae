"""repsim from Python: what repeating your pre-training data will cost.

The same C++ engine as the ``repsim`` command (no second implementation):
scenario keys in, the numbers of summary.json out, as numpy arrays and pandas
DataFrames.

    import repsim
    repsim.evaluate(params=7e9, tokens="1.4T", unique_tokens="200B")["loss_repeated"]
    grid = repsim.evaluate(params=1e9, epochs=np.logspace(0, 3, 100)[None, :],
                           unique_tokens=np.logspace(8, 13, 100)[:, None],
                           columns=["loss_repeated", "loss_unique", "delta"])
    result = repsim.Scenario.from_file("scenarios/t5-base-token-crisis.toml").run()
    result.summary, result.trajectory, result.compare, result.sweep, result.write("results")
    repsim.fit("runs.csv", form="chinchilla", bootstrap=100, seed=1)
    repsim.plan.allocate(compute=1e22, unique_tokens="25B")

Bad input raises repsim.ScenarioError (a ValueError) whose message is the
command line's diagnostic.
"""

from . import _repsim
from ._repsim import ScenarioError, __version__
from ._evaluate import evaluate, keys
from ._scenario import Result, Scenario
from ._fit import FitResult, fit, validate
from . import plan
from ._tables import laws

__all__ = [
    "ScenarioError",
    "Scenario",
    "Result",
    "FitResult",
    "evaluate",
    "fit",
    "validate",
    "keys",
    "laws",
    "plan",
    "__version__",
]
