"""decide from a notebook: an executed example (tests/api/test_notebook.py runs it in CI).

Each ``# %%`` block is a notebook cell (Jupyter, VS Code and Spyder read the markers). It loads the
bundled case, builds a second case from pandas DataFrames, scores, simulates, runs the
sensitivity analyses and the strategies, and writes two reports in a row. Run it as
``python docs/notebook.py [OUT_DIR] [N_DRAWS]``.
"""

# %%
import io
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd

import decide

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="decide-notebook-"))
n_draws = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000

# %% help() shows the real parameters
shown = io.StringIO()
with redirect_stdout(shown):
    help(decide.simulate)
assert "n_draws" in shown.getvalue() and "rng" in shown.getvalue()
print(shown.getvalue().splitlines()[2])

# %% The bundled case
mali = decide.load_case("mali-2012")
print(mali.title, "-", len(mali.options), "options")
print(decide.score(mali).to_frame()[["expected_value", "p_hold"]].head())

# %% A second case, from DataFrames
criteria = pd.DataFrame({"id": ["security", "humanitarian", "cost"], "direction": ["max", "max", "min"],
                         "low": [0, 0, 0], "high": [10, 10, 10]})
options = pd.DataFrame({
    "id": ["wait", "mediate", "intervene"],
    "name": ["Wait and see", "Mediation", "Regional force"],
    "baseline": [True, False, False],
    "requires": [None, None, "consent, backing"],
})
scores = pd.DataFrame({
    "option": ["wait"] * 3 + ["mediate"] * 3 + ["intervene"] * 3,
    "criterion": ["security", "humanitarian", "cost"] * 3,
    "value": [3, 4, 0, None, None, 1, None, None, 7],
    "kind": [None, None, None, "uniform", "triangular", None, "triangular", "pert", None],
    "low": [None, None, None, 3, 4, None, 5, 2, None],
    "mode": [None, None, None, None, 6, None, 8, 4, None],
    "high": [None, None, None, 6, 8, None, 9, 7, None],
})
failure = pd.DataFrame({"security": [2], "humanitarian": [2], "cost": [8]}, index=["intervene"])
preconditions = pd.DataFrame({"id": ["consent", "backing"],
                              "question": ["Would the government consent?", "Would the neighbours back it?"],
                              "low": [0.5, 0.3], "high": [0.8, 0.7]})
weights = pd.DataFrame({"security": [2, 1], "humanitarian": [1, 2], "cost": [1, 1]}, index=["hawk", "dove"])
small = decide.case_from_frames(options=options, scores=scores, criteria=criteria, failure=failure,
                                preconditions=preconditions, weights=weights, id="sahel", title="A Sahel crisis")
print(decide.score(small).to_frame()[["expected_value", "p_hold"]])

# %% Simulate: no seed means fresh entropy, recorded so the run can be repeated exactly
result = decide.simulate(small, n_draws)
again = decide.simulate(small, n_draws, rng=result.seed)
assert again.summary.equals(result.summary)
print("seed", result.seed)
print(result.summary[["mean", "mean_se", "p_best", "p_blocked"]])
html = result._repr_html_()  # what Jupyter shows
assert "<table" in html

# %% Sensitivity
print(decide.crossover_table(decide.weight_sweeps(small)).head())
print(decide.least_change_table(small))
print(decide.sobol_indices(small, 256, rng=1).to_frame())
print(decide.tornado(small, rng=1).head())

# %% Strategies
best = decide.optimise_strategies(small, n_scenarios=300, out_of_sample=1000, rng=1)
print(best.to_frame().head(3))

# %% Two reports in a row: the bundled case by name, the case from DataFrames as an object
first = decide.write_report("mali-2012", out / "mali", n_draws=n_draws, sobol_n=128)
second = decide.write_report(small, out / "sahel", n_draws=n_draws, sobol_n=128)
assert (first / "report.md").exists() and (second / "case.yaml").exists()
print("reports:", first, second)
