"""The one-way sensitivity small multiples (weights_groups.png, weights_criteria.png): panels laid
out by hand on one figure, so a slip in that layout shows here rather than only in the picture."""

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

from decide.load import load_case
from decide.report.figures import chart_style, plot_oneway_grid
from decide.sensitivity.weights import weight_sweeps

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"
DPI = 90


@pytest.fixture(scope="module")
def sweeps():
    case = load_case(MINIMAL)
    found = weight_sweeps(case)
    assert len(found) == 4  # a group and three leaves: a full row of three and a partial one
    names = {o.id: o.name for o in case.options}
    return found, names


def _draw(sweeps, names, node_names, path):
    with chart_style():  # as the report draws it
        plot_oneway_grid(sweeps, names, node_names, "One-way sensitivity", path)


@pytest.mark.parametrize("n", [1, 3, 4])
def test_grid_draws_at_its_size_with_lines_in_the_panels(sweeps, tmp_path, n):
    found, names = sweeps
    path = tmp_path / "grid.png"
    _draw(found[:n], names, {}, path)
    rows = -(-n // 3)
    legend = 0.17 * -(-len(names) // 2)
    height = 2.6 * rows + 1.0 + legend  # inches, as the chart sizes itself
    with Image.open(path) as image:
        assert image.size == (11 * DPI, int(height * DPI))
        pixels = np.asarray(image.convert("RGB"))
    # Above the legend, the options' lines are drawn in their colours (tab20), full or faded.
    panels = pixels[: int((height - legend - 0.55) * DPI)].reshape(-1, 3)
    tab20 = matplotlib.colormaps["tab20"]
    colours = {tuple(round(255 * c) for c in tab20(j)[:3]) for j in range(len(names))}
    seen = {tuple(p) for p in np.unique(panels, axis=0)}
    assert colours & seen
    # ... inside black frames: a frame's top and bottom are runs of dark pixels no text makes.
    dark = pixels.max(axis=2) < 60
    assert max(_longest_run(row) for row in dark) > 2 * DPI


def _longest_run(row: np.ndarray) -> int:
    edges = np.flatnonzero(np.diff(np.r_[0, row.astype(np.int8), 0]))
    return int((edges[1::2] - edges[::2]).max(initial=0))


def test_grid_draws_names_with_dollars_as_written(sweeps, tmp_path):
    found, names = sweeps
    # A pair of dollars would be parsed as mathtext, which fails on the unknown command.
    odd_options = {key: f"{name}: pay $\\nosuchsymbol$ 5bn now" for key, name in names.items()}
    odd_nodes = {s.node: r"Cost $\nosuchsymbol$ of 5bn" for s in found}
    path = tmp_path / "dollars.png"
    _draw(found, odd_options, odd_nodes, path)
    with Image.open(path) as image:
        assert image.size[0] == 11 * DPI


def test_grid_without_sweeps_still_draws(tmp_path):
    path = tmp_path / "empty.png"
    _draw([], {}, {}, path)
    assert path.stat().st_size > 0
