"""Result types of the engines: frozen arrays plus id labels, with pandas views.

:class:`SimulationResult` holds what :func:`decide.montecarlo.simulate` estimates, each estimate
with its Monte Carlo standard error (MCSE), and how it was produced (seed, draws, method, weights,
package version). Its properties return DataFrames indexed by option (or precondition) id; the
arrays themselves stay available in ``estimates`` and ``standard_errors``.
"""

from __future__ import annotations

import functools

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from decide.display import html_tables

__all__ = ["SimulationResult", "SobolResult", "TIES_NOTE"]

TIES_NOTE = ("rank = 1 + the number of options strictly better; tied options share the tied ranks in equal "
             "fractions (a tie counts half in pairwise winning probabilities)")

_OPTION_COLUMNS = ("mean", "sd", "p05", "p50", "p95", "p_best", "expected_regret", "regret_p95", "p_blocked",
                   "confidence_factor")
_BLOCKER_COLUMNS = ("p_no", "block_share", "sole_blocker_share", "value_at_stake")


def _frozen(values: Mapping[str, Any]) -> Mapping[str, NDArray[np.float64]]:
    out = {}
    for key, value in values.items():
        arr = np.array(value, dtype=float, copy=True)
        arr.setflags(write=False)
        out[key] = arr
    return MappingProxyType(out)


@dataclass(frozen=True)
class SimulationResult:
    """Monte Carlo estimates for every option, with MCSEs, and how they were made.

    ``estimates`` and ``standard_errors`` map names to read-only arrays (axes: option ``a``,
    criterion ``c``, precondition ``q``): ``mean``, ``sd``, ``p05``, ``p50``, ``p95`` (a);
    ``p_best`` (a); ``rank_acceptability`` (a, rank); ``pairwise`` (a, a): P(row's value > column's),
    ties counted half; ``central_weights`` (a, c): SMAA-2 expected weights given the option is
    best; ``confidence_factor`` (a): P(option is best with weights fixed at its central weights),
    on the first ``confidence_draws`` draws; ``expected_regret``, ``regret_p95`` (a): regret is
    ``max_y v_y - v_x``; ``p_blocked`` (a); per (a, q) under the option's enablers: ``p_no``,
    ``block_share`` (P(q says no | blocked), hard requirements only), ``sole_blocker_share``
    (P(q is the only hard no | blocked)), ``value_at_stake`` (E[v | yes] - E[v | no]);
    ``p_yes`` (q): the world's answer without enablers; ``evpi`` (scalar); ``evppi`` (q): the value of
    learning the answer the decision turns on (under the enablers in :attr:`evppi_answer`), and
    ``evppi_unmediated`` (q) of learning the answer without enablers (with weights drawn, all three
    are given the draw's weights: learning one's own preferences is not information, and they
    are estimated on the run's first draws, kept whole); ``criterion_means`` (a, c):
    E[criterion value of the outcome], ``expected_loss`` (a, c): E[soft loss on each criterion], so
    that with fixed weights ``mean = (criterion_means - expected_loss) @ w`` (the matrix the weight
    analyses use), and ``expected_penalty`` (a): E[soft penalty] under the drawn weights.
    Undefined estimates (an option never best, a precondition that always says yes) are NaN.
    With ``simulate(..., strategy=[...])`` the last row, id ``"strategy"``, is that strategy,
    ranked alongside the options (its options are in :attr:`strategy`).
    """

    option_ids: tuple[str, ...]
    criterion_ids: tuple[str, ...]
    precondition_ids: tuple[str, ...]
    requirement: NDArray[np.str_]
    """(option, precondition): "hard", "soft" or "" (not required), over the option's smallest strategy."""
    estimates: Mapping[str, NDArray[np.float64]]
    standard_errors: Mapping[str, NDArray[np.float64]]
    seed: int | dict[str, Any]
    """The seed the run drew from (:mod:`decide.seeds`): pass it back as ``rng`` to rerun exactly."""
    n_draws: int
    method: str
    weights: Mapping[str, Any]
    version: str
    replicates: int = 1
    """Independent QMC scrambles behind every MCSE (1 for plain Monte Carlo)."""
    confidence_draws: int = 0
    histogram_bins: int = 0
    """Bins of the per-option histograms behind percentiles: resolution (1 + max penalty) / bins."""
    block_size: int = 0
    uniforms_per_draw: int = 0
    """Uniforms one draw reads (the QMC dimension): weights, probabilities, latent answers, then
    one per outcome cell, shared by its planned outcome and its failure profile."""
    seconds: float = field(default=0.0, compare=False)
    option_names: tuple[str, ...] = ()
    """Names per row of ``option_ids`` (the strategy row: its option ids joined with " + ")."""
    strategy: tuple[str, ...] | None = None
    """The options of the extra alternative ``"strategy"`` (the last row), if one was simulated."""
    evppi_answer: tuple[str, ...] = ()
    """Per precondition, the options whose enablers define the answer its ``evppi`` is about
    ("" for the answer without enablers; ``evppi_unmediated`` is always that one)."""
    outcome_labels: tuple[tuple[str, ...], ...] = ()
    """Per row, the names of the outcomes in ``estimates["ended"]``: ``goes ahead``, then each
    failure profile it can score (``fails`` or ``fails at <stage>``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "estimates", _frozen(self.estimates))
        object.__setattr__(self, "standard_errors", _frozen(self.standard_errors))
        requirement = np.array(self.requirement, dtype=str, copy=True)
        requirement.setflags(write=False)
        object.__setattr__(self, "requirement", requirement)

    def _option_frame(self, names: tuple[str, ...]) -> pd.DataFrame:
        columns: dict[str, NDArray[np.float64]] = {}
        for name in names:
            columns[name] = self.estimates[name]
            columns[f"{name}_se"] = self.standard_errors[name]
        frame = pd.DataFrame(columns, index=pd.Index(self.option_ids, name="option"))
        frame.attrs["note"] = TIES_NOTE
        return frame

    @property
    def summary(self) -> pd.DataFrame:
        """Per option: value mean, sd and 5/50/95th percentiles, ``p_best``, expected and 95th-percentile
        regret, ``p_blocked`` and confidence factor, each followed by its ``_se`` column."""
        return self._option_frame(_OPTION_COLUMNS)

    def to_frame(self) -> pd.DataFrame:
        """The :attr:`summary` table."""
        return self.summary

    def _square(self, key: str, se: bool, columns: pd.Index) -> pd.DataFrame:
        data = (self.standard_errors if se else self.estimates)[key]
        frame = pd.DataFrame(data, index=pd.Index(self.option_ids, name="option"), columns=columns)
        frame.attrs["note"] = TIES_NOTE
        return frame

    @property
    def rank_acceptability(self) -> pd.DataFrame:
        """Option x rank (1 = best): probability of each rank; rows and columns sum to 1."""
        return self._square("rank_acceptability", False, pd.RangeIndex(1, len(self.option_ids) + 1, name="rank"))

    @property
    def rank_acceptability_se(self) -> pd.DataFrame:
        return self._square("rank_acceptability", True, pd.RangeIndex(1, len(self.option_ids) + 1, name="rank"))

    @property
    def pairwise(self) -> pd.DataFrame:
        """P(row option's value > column option's value), a tie counting half; NaN on the diagonal."""
        return self._square("pairwise", False, pd.Index(self.option_ids, name="versus"))

    @property
    def pairwise_se(self) -> pd.DataFrame:
        return self._square("pairwise", True, pd.Index(self.option_ids, name="versus"))

    @property
    def central_weights(self) -> pd.DataFrame:
        """Option x criterion: SMAA-2 central weight vector (NaN for an option never best)."""
        return self._square("central_weights", False, pd.Index(self.criterion_ids, name="criterion"))

    @property
    def central_weights_se(self) -> pd.DataFrame:
        return self._square("central_weights", True, pd.Index(self.criterion_ids, name="criterion"))

    @property
    def blockers(self) -> pd.DataFrame:
        """Long table per (option, precondition) under the option's enablers: the requirement, P(no),
        share of the option's blocks, share where it is the sole blocker, and value at stake."""
        return self._blockers.copy()  # built once (a report reads it per option and claim)

    @functools.cached_property
    def _blockers(self) -> pd.DataFrame:
        index = pd.MultiIndex.from_product([self.option_ids, self.precondition_ids], names=["option", "precondition"])
        columns: dict[str, Any] = {"requirement": self.requirement.reshape(-1)}
        for name in _BLOCKER_COLUMNS:
            columns[name] = self.estimates[name].reshape(-1)
            columns[f"{name}_se"] = self.standard_errors[name].reshape(-1)
        return pd.DataFrame(columns, index=index)

    @property
    def preconditions(self) -> pd.DataFrame:
        """Per precondition: P(yes) without enablers; the EVPPI (value of learning its answer first)
        of the answer the decision turns on, the options whose enablers that answer is under
        (``evppi_answer``, "" for none), and the EVPPI of the answer without enablers."""
        answer = self.evppi_answer or ("",) * len(self.precondition_ids)
        frame = pd.DataFrame({"p_yes": self.estimates["p_yes"], "p_yes_se": self.standard_errors["p_yes"],
                              "evppi": self.estimates["evppi"], "evppi_se": self.standard_errors["evppi"],
                              "evppi_answer": list(answer),
                              "evppi_unmediated": self.estimates["evppi_unmediated"],
                              "evppi_unmediated_se": self.standard_errors["evppi_unmediated"]},
                             index=pd.Index(self.precondition_ids, name="precondition"))
        return frame

    @property
    def outcomes(self) -> pd.DataFrame:
        """Long table per (option, outcome): how often the option goes ahead, and how often it ends
        at each failure profile (for a staged option: never launched, launched and failed, ...)."""
        rows = []
        for a, labels in enumerate(self.outcome_labels):
            for f, label in enumerate(labels):
                rows.append((self.option_ids[a], label, self.estimates["ended"][a, f],
                             self.standard_errors["ended"][a, f]))
        frame = pd.DataFrame(rows, columns=["option", "outcome", "p", "p_se"])
        return frame.set_index(["option", "outcome"])

    @property
    def criterion_means(self) -> pd.DataFrame:
        """Option x criterion: expected criterion value (in [0, 1]) of the option's outcome."""
        return self._square("criterion_means", False, pd.Index(self.criterion_ids, name="criterion"))

    @property
    def value_matrix(self) -> pd.DataFrame:
        """Option x criterion: ``criterion_means`` minus each option's expected soft loss on each
        criterion, so that ``value_matrix @ w`` is the expected value under weights ``w`` (summing to
        1): the matrix the weight analyses (crossovers, least change, potential optimality,
        dominance) work on."""
        matrix = self.estimates["criterion_means"] - self.estimates["expected_loss"]
        return pd.DataFrame(matrix, index=pd.Index(self.option_ids, name="option"),
                            columns=pd.Index(self.criterion_ids, name="criterion"))

    @property
    def p_yes_by_option(self) -> pd.DataFrame:
        """Precondition x option: P(yes) with each option's enablers (first column: none)."""
        data = np.column_stack([self.estimates["p_yes"], 1.0 - self.estimates["p_no"].T]) \
            if self.precondition_ids else np.zeros((0, len(self.option_ids) + 1))
        return pd.DataFrame(data, index=pd.Index(self.precondition_ids, name="precondition"),
                            columns=pd.Index(("(none)",) + self.option_ids, name="option"))

    @property
    def value_of_information(self) -> pd.DataFrame:
        """EVPI (learning everything) and EVPPI per precondition, with MCSEs; ``answer_under`` names
        the options whose enablers the answer is under ("" for none)."""
        index = pd.Index(("(everything)",) + self.precondition_ids, name="learn")
        answer = self.evppi_answer or ("",) * len(self.precondition_ids)
        return pd.DataFrame({
            "value": np.concatenate([[float(self.estimates["evpi"])], self.estimates["evppi"]]),
            "value_se": np.concatenate([[float(self.standard_errors["evpi"])], self.standard_errors["evppi"]]),
            "answer_under": ["", *answer],
        }, index=index)

    @property
    def evpi(self) -> float:
        """Expected value of perfect information: E[max_x v_x] - max_x E[v_x]."""
        return float(self.estimates["evpi"])

    @property
    def evpi_se(self) -> float:
        return float(self.standard_errors["evpi"])

    @property
    def p_best(self) -> pd.Series:
        return pd.Series(self.estimates["p_best"], index=pd.Index(self.option_ids, name="option"), name="p_best")


    @property
    def metadata(self) -> dict[str, Any]:
        """How the numbers were made: enough to reproduce them."""
        return {"seed": self.seed, "n_draws": self.n_draws, "method": self.method, "weights": dict(self.weights),
                "version": self.version, "replicates": self.replicates,
                "confidence_draws": self.confidence_draws, "histogram_bins": self.histogram_bins,
                "block_size": self.block_size, "uniforms_per_draw": self.uniforms_per_draw, "ties": TIES_NOTE,
                **({"strategy": list(self.strategy)} if self.strategy is not None else {})}

    def _repr_html_(self) -> str:
        facts = {"draws": f"{self.n_draws:,} ({self.method})", "weights": self.weights.get("mode", ""),
                 "seed": self.seed, "decide": self.version}
        summary = self.summary[[c for c in ("mean", "mean_se", "p05", "p50", "p95", "p_best", "p_best_se",
                                            "expected_regret", "p_blocked") if c in self.summary.columns]]
        tables = [("Options, by mean value", summary.sort_values("mean", ascending=False))]
        hard = self.blockers[self.blockers["requirement"] == "hard"] if len(self.blockers) else self.blockers
        if len(hard):
            tables.append(("Blockers (hard requirements)",
                           hard[["p_no", "block_share", "sole_blocker_share", "value_at_stake"]]))
        return html_tables("Simulation", facts, tables, [TIES_NOTE])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: metadata, ids, and every estimate and MCSE as nested lists (NaN -> None)."""
        return {
            "metadata": self.metadata,
            "option_ids": list(self.option_ids),
            "criterion_ids": list(self.criterion_ids),
            "precondition_ids": list(self.precondition_ids),
            "requirement": self.requirement.tolist(),
            "estimates": {k: _jsonable(v) for k, v in self.estimates.items()},
            "standard_errors": {k: _jsonable(v) for k, v in self.standard_errors.items()},
        }


def _jsonable(arr: NDArray[np.float64]) -> Any:
    value = arr.tolist()

    def clean(x: Any) -> Any:
        if isinstance(x, list):
            return [clean(v) for v in x]
        return None if isinstance(x, float) and not math.isfinite(x) else x

    return clean(value)


@dataclass(frozen=True)
class SobolResult:
    """Sobol' indices of the expected value gap ``leading[0] - leading[1]``.

    ``indices`` is indexed by group (``group``) with columns ``S1``, ``S1_conf``, ``ST``,
    ``ST_conf`` (``*_conf``: half-width of the bootstrap confidence interval at ``conf_level``),
    sorted by ``ST``, largest first.
    """

    indices: pd.DataFrame
    leading: tuple[str, str]
    """Option ids; the gap is the first's expected value minus the second's."""
    leading_names: tuple[str, str]
    n: int
    """Base sample size (a power of two); the model ran ``n_evaluations = n * (groups + 2)`` times."""
    n_evaluations: int
    seed: int | dict
    """The seed every draw derives from (:mod:`decide.seeds`); pass it back as ``rng`` to reproduce the result."""
    base_gap: float
    """The gap with every input at its central value (the deterministic score gap)."""
    gap_mean: float
    gap_sd: float
    p_reversal: float
    """Share of the design points where the second option leads (gap < 0)."""
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Group -> the inputs it holds."""
    conf_level: float = 0.95
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The index table, one row per group."""
        return self.indices

    def _repr_html_(self) -> str:
        facts = {"gap": f"{self.leading_names[0]} minus {self.leading_names[1]}", "base sample": self.n,
                 "evaluations": self.n_evaluations, "seed": self.seed}
        return html_tables("Sobol' indices of the value gap", facts, [("Indices by group (largest ST first)",
                                                                      self.indices)], self.notes)

