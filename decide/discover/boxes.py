"""PRIM boxes over the worlds, by the EMA Workbench's implementation (no PRIM of our own).

:func:`find_boxes` hands a table of inputs and a 0/1 "poor world" flag to
``ema_workbench.analysis.prim.Prim`` and reads back, for each box it finds, the peeling and
pasting trajectory (coverage, density, mass, restricted dimensions), the limits of the box chosen
on it, and the quasi-p-value EMA computes for each restriction (Bryant and Lempert 2010: a
one-sided binomial test of the box's density against the density of the same box without that
restriction; small means the restriction matters).

Answers go in as categorical columns (``"no"``/``"yes"``), so PRIM's categorical peel removes a
whole answer at once and a restriction reads ``q = no``; probabilities, outcomes and weights go
in as real-valued columns. Only the mechanics of handing data over and reading results back are
here; peeling, pasting, covering and the quasi-p-values are EMA's.

Choosing a box on a trajectory is the analyst's step in EMA's workflow; here it is automatic and
stated: among the boxes whose every restriction has a quasi-p-value of at most ``alpha``, the
one with the highest F-score ``2 c d / (c + d)`` of coverage ``c`` and density ``d`` (the
harmonic mean: a box must explain most poor worlds *and* hold mostly poor worlds), discounted by
:data:`RESTRICTION_DISCOUNT` per restriction so that a box is only as complicated as its gain in
F-score pays for (a reader acts on two or three conditions, not seven); ties go to the box with
fewer restrictions. Further boxes (covering): the worlds of the chosen box are set aside
and PRIM runs again on the rest, while poor worlds remain outside every box.

References
----------
.. [1] Friedman, J. H., and Fisher, N. I. (1999). Bump hunting in high-dimensional data.
   Statistics and Computing 9(2), 123-143.
.. [2] Bryant, B. P., and Lempert, R. J. (2010). Thinking inside the box: a participatory,
   computer-assisted approach to scenario discovery. Technological Forecasting and Social
   Change 77(1), 34-49.
.. [3] Kwakkel, J. H. (2017). The Exploratory Modeling Workbench: an open source toolkit for
   exploratory modeling, scenario discovery, and (multi-objective) robust decision making.
   Environmental Modelling & Software 96, 239-250.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["Restriction", "Box", "find_boxes", "prim_library", "screen_floats"]

log = logging.getLogger(__name__)

RESTRICTION_DISCOUNT = 0.95
"""Each restriction of a box multiplies its F-score by this when a box is chosen on a trajectory."""


@dataclass(frozen=True)
class Restriction:
    """One restricted input of a box."""

    input: str
    kind: str
    """``"answer"``, ``"probability"``, ``"outcome"`` or ``"weight"``."""
    low: float | None
    """Lower limit (real-valued inputs; None where only the upper end is restricted)."""
    high: float | None
    values: tuple[str, ...] | None
    """The answers the box keeps (answers only): ``("no",)``."""
    qp: float
    """Quasi-p-value of the restriction (the larger of its two ends' where both are restricted)."""
    label: str = ""
    """What the input is, in words ("transition as doing nothing leaves it"); "" if not given."""

    @property
    def words(self) -> str:
        """The restriction in plain words: ``ag_ghali_breaks = no``, ``P(q) <= 0.31``."""
        if self.values is not None:
            return f"{self.input} = {' or '.join(self.values)}"
        if self.low is not None and self.high is not None:
            return f"{_num(self.low)} <= {self.input} <= {_num(self.high)}"
        if self.low is not None:
            return f"{self.input} >= {_num(self.low)}"
        return f"{self.input} <= {_num(self.high)}"


def _num(x: float) -> str:
    return f"{x:.3g}"


@dataclass(frozen=True, eq=False)
class Box:
    """One box: where it is, what it explains, and the trajectory it was chosen on."""

    number: int
    """1 for the first box, 2 for the box found after setting the first box's worlds aside, ..."""
    restrictions: tuple[Restriction, ...]
    coverage: float
    """Share of all poor worlds inside the box."""
    density: float
    """Share of the box's worlds that are poor."""
    mass: float
    """Share of all worlds inside the box."""
    n_worlds: int
    n_poor: int
    trajectory: pd.DataFrame
    """One row per box on the peeling and pasting trajectory: coverage, density, mass,
    restricted (number of restricted inputs), max_qp, f_score; indexed by step."""
    chosen: int
    """The step chosen on the trajectory."""

    @property
    def words(self) -> str:
        """The box in plain words: its restrictions joined by "and" ("no restriction" if none)."""
        return " and ".join(r.words for r in self.restrictions) or "no restriction"


def prim_library() -> str:
    """The PRIM implementation used, with its version, for results and reports."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"ema_workbench {version('ema_workbench')}"
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "ema_workbench"


def _ema_prim():
    """EMA's PRIM module. Importing ema_workbench warns about optional extras it does not find
    (ipyparallel, altair); none of them is used here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    return prim


def screen_floats(floats: NDArray, poor: NDArray[np.bool_], *, min_effect: float, max_inputs: int
                  ) -> NDArray[np.intp]:
    """Real-valued inputs worth handing to PRIM: those whose mean in the poor worlds differs from
    the mean in the others by at least ``min_effect`` standard deviations, at most
    ``max_inputs`` of them (largest difference first), in their original order.

    PRIM's cost grows with every real-valued input, and an input whose poor-world distribution
    is the same as elsewhere cannot make a box denser.
    """
    if floats.shape[1] == 0 or poor.all() or not poor.any():
        return np.zeros(0, dtype=np.intp)
    # one pass of sums in float64 (no float64 copy of the table)
    n, n_poor = len(poor), int(poor.sum())
    total = floats.sum(axis=0, dtype=np.float64)
    squares = np.einsum("ij,ij->j", floats, floats, dtype=np.float64)
    in_poor = floats[poor].sum(axis=0, dtype=np.float64)
    sd = np.sqrt(np.maximum(squares / n - (total / n) ** 2, 0.0))
    diff = in_poor / n_poor - (total - in_poor) / (n - n_poor)
    with np.errstate(divide="ignore", invalid="ignore"):
        effect = np.where(sd > 0, np.abs(diff) / sd, 0.0)
    order = np.argsort(-effect, kind="stable")
    keep = order[effect[order] >= min_effect][:max_inputs]
    return np.sort(keep)


def find_boxes(
    x: pd.DataFrame,
    poor: NDArray[np.bool_],
    kinds: dict[str, str],
    *,
    max_boxes: int = 3,
    alpha: float = 0.05,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    labels: dict[str, str] | None = None,
) -> list[Box]:
    """Boxes that explain the poor worlds, by EMA's PRIM with its covering approach.

    ``x`` holds one column per input (answers categorical, the rest float64), ``poor`` the flag
    of the worlds to explain, ``kinds`` each column's kind, ``labels`` (optional) each column in
    words. Stops after ``max_boxes`` boxes, when
    no poor world is left outside the boxes, or when the chosen box restricts nothing or is no
    denser in poor worlds than all the worlds are.
    """
    prim = _ema_prim()
    y = np.asarray(poor, dtype=bool)
    n, n_poor = len(y), int(y.sum())
    if n_poor == 0 or n_poor == n or x.shape[1] == 0:
        return []
    kwargs = dict(peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    if "threshold" in inspect.signature(prim.Prim).parameters:
        # EMA 2.x: worlds with y >= threshold are the cases of interest, and a box whose density
        # is below it is replaced by a "dump box". Just above 0: the poor worlds (y = 1) are the
        # cases of interest and every box with any of them is kept (the choice is made below).
        kwargs["threshold"] = 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alg = prim.Prim(x, y.astype(int), **kwargs)
    init = alg.box_init
    boxes: list[Box] = []
    outside = np.ones(n, dtype=bool)
    for number in range(1, max_boxes + 1):
        if not (y & outside).any():
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = alg.find_box()
        if found is None:
            break
        qps = getattr(found, "qp", None) or getattr(found, "p_values", [])
        trajectory = _trajectory(found.peeling_trajectory, found.box_lims, init, qps)
        chosen = _choose(trajectory, alpha)
        restrictions = _restrictions(found.box_lims[chosen], init, qps[chosen] if chosen < len(qps) else {}, kinds,
                                     labels or {})
        if not restrictions or trajectory.at[chosen, "density"] <= n_poor / n:
            break  # nothing restricts, or the box holds poor worlds no more densely than all worlds do
        found.select(chosen)
        inside = np.zeros(n, dtype=bool)
        inside[np.asarray(found.yi)] = True
        row = trajectory.loc[chosen]
        boxes.append(Box(number=number, restrictions=restrictions, coverage=float(row["coverage"]),
                         density=float(row["density"]), mass=float(row["mass"]), n_worlds=int(inside.sum()),
                         n_poor=int((inside & y).sum()), trajectory=trajectory, chosen=int(chosen)))
        outside &= ~inside
    return boxes


def _answer(value: object) -> str:
    """A category as a restriction names it: booleans (answers) as no/yes, anything else as written."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return str(value)


def _trajectory(pt: pd.DataFrame, box_lims: list[pd.DataFrame], init: pd.DataFrame, qps: list) -> pd.DataFrame:
    coverage = pt["coverage"].to_numpy(dtype=float)
    density = pt["density"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_score = np.where(coverage + density > 0, 2 * coverage * density / (coverage + density), 0.0)
    max_qp = []
    for i in range(len(pt)):
        values = [v for pair in (qps[i].values() if i < len(qps) else ()) for v in np.atleast_1d(pair)
                  if v is not None and np.isfinite(v) and v >= 0]
        max_qp.append(max(values) if values else np.nan)
    frame = pd.DataFrame({
        "coverage": coverage, "density": density, "mass": pt["mass"].to_numpy(dtype=float),
        "restricted": pt["res_dim"].to_numpy(dtype=int), "max_qp": max_qp, "f_score": f_score,
    })
    frame.index.name = "step"
    return frame


def _choose(trajectory: pd.DataFrame, alpha: float) -> int:
    """The step with the highest discounted F-score among those whose restrictions are all
    significant (quasi-p-value <= alpha), fewer restrictions first on ties; step 0 if none
    restricts anything."""
    restricted = trajectory["restricted"] > 0
    significant = restricted & (trajectory["max_qp"].fillna(1.0) <= alpha)
    pool = trajectory[significant] if significant.any() else trajectory[restricted]
    if pool.empty:
        return 0
    score = pool["f_score"] * RESTRICTION_DISCOUNT ** pool["restricted"]
    ties = pool[score >= score.max() - 1e-12]
    return int(ties.sort_values(["restricted"], kind="stable").index[0])


def _restrictions(lims: pd.DataFrame, init: pd.DataFrame, qp: dict, kinds: dict[str, str],
                  labels: dict[str, str]) -> tuple[Restriction, ...]:
    out = []
    for column in init.columns:
        before, after = init[column], lims[column]
        if before.dtype == object or isinstance(before.iloc[0], (set, frozenset)):
            kept, every = set(after.iloc[0]), set(before.iloc[0])
            if kept == every:
                continue
            qps = [v for v in np.atleast_1d(qp.get(column, [np.nan])) if v is not None and v >= 0]
            out.append(Restriction(str(column), kinds.get(str(column), "answer"), None, None,
                                   tuple(sorted(_answer(v) for v in kept)), float(max(qps)) if qps else float("nan"),
                                   labels.get(str(column), "")))
            continue
        low_changed = bool(after.iloc[0] != before.iloc[0])
        high_changed = bool(after.iloc[1] != before.iloc[1])
        if not (low_changed or high_changed):
            continue
        pair = list(np.atleast_1d(qp.get(column, [np.nan, np.nan]))) + [np.nan, np.nan]
        qps = [float(v) for v, changed in zip(pair[:2], (low_changed, high_changed))
               if changed and v is not None and v >= 0]
        out.append(Restriction(str(column), kinds.get(str(column), "outcome"),
                               float(after.iloc[0]) if low_changed else None,
                               float(after.iloc[1]) if high_changed else None, None,
                               max(qps) if qps else float("nan"), labels.get(str(column), "")))
    return tuple(out)
