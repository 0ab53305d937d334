"""score_matrix on pasted options x criteria tables, and the checks on AHP pairwise matrices."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from decide.errors import DecideError, DecideWarning
from decide.mcda.ahp import ahp_weights
from decide.mcda.matrix import MATRIX_METHODS, MatrixError, score_matrix
from decide.mcda.methods import promethee_ii, topsis, vikor, weighted_product


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cost": [10.0, 20.0, 30.0, 25.0],
            "lives_saved": [100.0, 300.0, 200.0, 250.0],
            "legitimacy": [3.0, 2.0, 5.0, 4.0],
        },
        index=pd.Index(["mediation", "sanctions", "deployment", "aid"], name="option"),
    )


WEIGHTS = {"cost": 2.0, "lives_saved": 5.0, "legitimacy": 3.0}
DIRECTIONS = {"cost": "min", "lives_saved": "max", "legitimacy": "higher_is_better"}
W = np.array([0.2, 0.5, 0.3])
MAXIMISE = np.array([False, True, True])


def test_additive_is_weighted_minmax_value(table: pd.DataFrame) -> None:
    values = score_matrix(table, WEIGHTS, DIRECTIONS)
    assert isinstance(values, pd.Series) and values.name == "value"
    assert values.index.equals(table.index)
    # cost: 1, 0.5, 0, 0.25; lives: 0, 1, 0.5, 0.75; legitimacy: 1/3, 0, 1, 2/3.
    scaled = np.array([[1, 0, 1 / 3], [0.5, 1, 0], [0, 0.5, 1], [0.25, 0.75, 2 / 3]])
    expected = scaled @ W
    assert_allclose(values, expected)


def test_each_method_matches_its_kernel(table: pd.DataFrame) -> None:
    x = table.to_numpy()
    t = score_matrix(table, WEIGHTS, DIRECTIONS, "topsis")
    assert list(t.columns) == ["closeness", "d_plus", "d_minus"] and t.index.equals(table.index)
    assert_allclose(t["closeness"], topsis(x, W, MAXIMISE).closeness)

    v = score_matrix(table, WEIGHTS, DIRECTIONS, "vikor", v=0.3)
    kernel = vikor(x, W, MAXIMISE, v=0.3)
    assert list(v.columns) == ["S", "R", "Q", "rank", "in_compromise"]
    assert_allclose(v["Q"], kernel.q)
    assert v["rank"].tolist() == (pd.Series(kernel.q).rank(method="min").astype(int)).tolist()
    assert v["in_compromise"].tolist() == kernel.in_compromise.tolist()
    assert v.attrs == {
        "acceptable_advantage": bool(kernel.acceptable_advantage),
        "acceptable_stability": bool(kernel.acceptable_stability),
    }

    p_by_label = {"cost": 10, "lives_saved": 100, "legitimacy": 2}
    p = score_matrix(table, WEIGHTS, DIRECTIONS, "promethee2", functions="linear", q=1.0, p=p_by_label)
    assert list(p.columns) == ["phi_plus", "phi_minus", "phi"]
    kernel_p = promethee_ii(x, W, MAXIMISE, functions="linear", q=1.0, p=[10, 100, 2])
    assert_allclose(p["phi"], kernel_p.phi)

    wpm = score_matrix(table, WEIGHTS, DIRECTIONS, "wpm")
    assert isinstance(wpm, pd.Series) and wpm.name == "score"
    assert_allclose(wpm, weighted_product(x, W, MAXIMISE))


@pytest.mark.parametrize("method", MATRIX_METHODS)
def test_weights_only_matter_by_ratio_and_label(table: pd.DataFrame, method: str) -> None:
    reference = score_matrix(table, WEIGHTS, DIRECTIONS, method)
    # Same weights, scaled, in another key order, as a Series, or as a list in column order.
    for weights in (
        {"legitimacy": 30, "cost": 20, "lives_saved": 50},
        pd.Series([0.3, 0.2, 0.5], index=["legitimacy", "cost", "lives_saved"]),
        [2, 5, 3],
    ):
        again = score_matrix(table, weights, DIRECTIONS, method)
        assert_allclose(np.asarray(again, dtype=float), np.asarray(reference, dtype=float))


def test_direction_aliases_and_single_direction(table: pd.DataFrame) -> None:
    reference = score_matrix(table, WEIGHTS, DIRECTIONS)
    for directions in (
        ["cost", "benefit", "max"],
        ("lower_is_better", "higher_is_better", "Benefit "),
        pd.Series({"legitimacy": "max", "cost": "MIN", "lives_saved": "max"}),
    ):
        assert_allclose(score_matrix(table, WEIGHTS, directions), reference)
    all_max = score_matrix(table, WEIGHTS, "max")
    assert all_max["deployment"] > reference["deployment"]  # its high cost now counts in its favour


def test_input_is_not_modified(table: pd.DataFrame) -> None:
    before = table.copy()
    weights = dict(WEIGHTS)
    for method in MATRIX_METHODS:
        score_matrix(table, weights, DIRECTIONS, method)
    pd.testing.assert_frame_equal(table, before)
    assert weights == WEIGHTS


def test_numeric_strings_are_read_as_numbers(table: pd.DataFrame) -> None:
    pasted = table.astype(str)
    assert_allclose(score_matrix(pasted, WEIGHTS, DIRECTIONS), score_matrix(table, WEIGHTS, DIRECTIONS))


def _fails(match: str, *args: object, **kwargs: object) -> MatrixError:
    with pytest.raises(MatrixError, match=match) as info:
        score_matrix(*args, **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, DecideError) and isinstance(info.value, ValueError)
    return info.value


def test_bad_entries_are_named(table: pd.DataFrame) -> None:
    holed = table.copy()
    holed.loc["sanctions", "lives_saved"] = np.nan
    _fails(r"missing or infinite entries: 'sanctions'/'lives_saved' = nan", holed, WEIGHTS, DIRECTIONS)
    infinite = table.copy()
    infinite.loc["aid", "cost"] = np.inf
    _fails(r"'aid'/'cost' = inf", infinite, WEIGHTS, DIRECTIONS)
    texty = table.astype(object)
    texty.loc["mediation", "legitimacy"] = "high"
    _fails(r"must be numbers; not numbers: 'mediation'/'legitimacy' = 'high'", texty, WEIGHTS, DIRECTIONS)


def test_bad_shapes_and_labels(table: pd.DataFrame) -> None:
    _fails("at least two options", table.iloc[:1], WEIGHTS, DIRECTIONS)
    _fails("at least two options", table.iloc[:, :0], {}, [])
    duplicated = table.rename(index={"aid": "mediation"})
    _fails("duplicate option \\(row\\) labels: 'mediation'", duplicated, WEIGHTS, DIRECTIONS)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        score_matrix(table.to_numpy(), WEIGHTS, DIRECTIONS)  # type: ignore[arg-type]


def test_bad_weights(table: pd.DataFrame) -> None:
    _fails(r"one entry per criterion \(3\); got 2", table, [1, 2], DIRECTIONS)
    _fails("weights missing for criteria 'legitimacy'", table, {"cost": 1, "lives_saved": 1}, DIRECTIONS)
    _fails("weights given for unknown criteria 'casualties'", table, {**WEIGHTS, "casualties": 1}, DIRECTIONS)
    _fails("finite and non-negative; got 'cost' = -1.0", table, {**WEIGHTS, "cost": -1}, DIRECTIONS)
    _fails("weights sum to zero", table, [0, 0, 0], DIRECTIONS)
    _fails("weights must be numbers", table, ["a", "b", "c"], DIRECTIONS)
    _fails(r"weights must be a flat sequence, mapping or Series; got shape \(3, 1\)", table, np.ones((3, 1)), DIRECTIONS)


def test_bad_directions(table: pd.DataFrame) -> None:
    _fails(r"unknown directions 'legitimacy': 'up'", table, WEIGHTS, {**DIRECTIONS, "legitimacy": "up"})
    _fails("unknown directions 'cost': True", table, WEIGHTS, [True, "max", "max"])
    partial = {"lives_saved": "max", "legitimacy": "max"}
    _fails("directions missing for criteria 'cost'", table, WEIGHTS, partial)


def test_bad_method_and_parameters(table: pd.DataFrame) -> None:
    args = (table, WEIGHTS, DIRECTIONS)
    _fails("unknown method 'electre'; choose one of additive, topsis, vikor, promethee2, wpm", *args, "electre")
    _fails("method 'topsis' takes no parameter v; it takes: normalisation", *args, "topsis", v=0.5)
    _fails("method 'additive' takes no parameter p; it takes: none", *args, p=1)
    _fails("normalisation must be 'vector' or 'minmax'", *args, "topsis", normalisation="sum")
    _fails("VIKOR v must be a number between 0 and 1; got 1.5", *args, "vikor", v=1.5)
    _fails("VIKOR v must be a number between 0 and 1; got True", *args, "vikor", v=True)


def test_wpm_needs_positive_entries(table: pd.DataFrame) -> None:
    zero = table.copy()
    zero.loc["aid", "legitimacy"] = 0.0
    _fails("needs every entry positive .*'aid'/'legitimacy' = 0.0", zero, WEIGHTS, DIRECTIONS, "wpm")


def test_bad_promethee_parameters(table: pd.DataFrame) -> None:
    args = (table, WEIGHTS, DIRECTIONS, "promethee2")
    _fails("'cost': 'linear' needs finite q and p", *args, functions={"cost": "linear"})
    _fails("'cost': preference threshold p must exceed q; got p = 1", *args, functions="linear", q=2, p=1)
    _fails("'legitimacy': unknown function 'cubic'", *args, functions=["usual", "usual", "cubic"])
    _fails("Gaussian threshold s must be > 0", *args, functions="gaussian", s=0)
    _fails("indifference threshold q must be >= 0", *args, functions="ushape", q=-1)
    _fails("threshold p given for unknown criteria 'speed'", *args, functions="vshape", p={"speed": 1})
    # A partial mapping of functions leaves the rest "usual".
    partial = score_matrix(*args, functions={"cost": "vshape"}, p={"cost": 10})
    full = score_matrix(*args, functions=["vshape", "usual", "usual"], p=[10, None, None])
    pd.testing.assert_frame_equal(partial, full)


# ahp_weights shares MatrixError with score_matrix.


def test_ahp_consistent_matrix_recovers_the_ratios() -> None:
    w = np.array([0.5, 0.3, 0.15, 0.05])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DecideWarning)
        result = ahp_weights(w[:, None] / w[None, :])
    assert_allclose(result.weights, w)
    assert result.lambda_max == pytest.approx(4.0)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)
    assert result.consistent


@pytest.mark.parametrize("pairwise", [[[1.0]], [[1.0, 3.0], [1 / 3, 1.0]]])
def test_ahp_small_matrices_are_consistent(pairwise: list[list[float]]) -> None:
    result = ahp_weights(pairwise)
    assert result.consistency_ratio == 0.0 and result.consistent
    assert result.weights.sum() == pytest.approx(1.0)


def test_ahp_dataframe_labels_the_weights() -> None:
    labels = ["security", "cost", "legitimacy"]
    frame = pd.DataFrame([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]], index=labels, columns=labels)
    result = ahp_weights(frame)
    assert isinstance(result.weights, pd.Series)
    assert list(result.weights.index) == labels and result.weights.name == "weight"
    assert result.weights.idxmax() == "security"
    unlabelled_rows = frame.reset_index(drop=True)
    pd.testing.assert_series_equal(ahp_weights(unlabelled_rows).weights, result.weights)
    with pytest.raises(MatrixError, match="row labels must equal its column labels"):
        ahp_weights(frame.rename(index={"cost": "money"}))


@pytest.mark.parametrize(
    ("pairwise", "match"),
    [
        ([[1, 2, 3], [0.5, 1, 2]], r"must be square; got shape \(2, 3\)"),
        ([[1, 0], [0, 1]], r"positive and finite; bad entries: \[0, 1\] = 0.0, \[1, 0\] = 0.0"),
        ([[1, np.nan], [1, 1]], "positive and finite"),
        ([[1, 3], [0.5, 1]], r"must be reciprocal .*\[0, 1\] = 3 but \[1, 0\] = 0.5"),
        ([[2, 1], [1, 1]], "must be reciprocal"),
        ([["a", "b"], ["c", "d"]], "numbers only"),
        (np.ones((16, 16)), "1 to 15 items"),
        (np.ones((0, 0)), "1 to 15 items"),
    ],
)
def test_ahp_rejects_bad_matrices(pairwise: object, match: str) -> None:
    with pytest.raises(MatrixError, match=match):
        ahp_weights(pairwise)  # type: ignore[arg-type]


def test_ahp_reciprocal_tolerance() -> None:
    typed = [[1, 3, 7], [0.33, 1, 2], [0.14, 0.5, 1]]  # 3 x 0.33 = 0.99 passes; 7 x 0.14 = 0.98 does not
    with pytest.raises(MatrixError, match=r"\[0, 2\] = 7 but \[2, 0\] = 0.14"):
        ahp_weights(typed)
    assert ahp_weights(typed, reciprocal_tolerance=0.05).weights.argmax() == 0
