"""The body of ``decide discover`` (the click command in :mod:`decide.cli` only declares options)."""

from __future__ import annotations

import math
from pathlib import Path

from decide.errors import DecideError

__all__ = ["parse_strategy", "run_discover"]


def parse_strategy(text: str | None) -> list[str] | None:
    """``--strategy A+B`` (commas work too) as option ids; None when not given."""
    if text is None:
        return None
    ids = [part.strip() for part in text.replace(",", "+").split("+") if part.strip()]
    if not ids:
        raise DecideError(f"--strategy: no option id in {text!r}; give option ids joined by +, e.g. --strategy a+b")
    return ids


def _check_chart(chart: Path | None) -> None:
    if chart is None:
        return
    if chart.suffix.lower() != ".png":
        raise DecideError(f"--chart: {chart} is not a .png file name; the chart is a PNG, e.g. --chart boxes.png")
    if not chart.parent.is_dir():
        raise DecideError(f"--chart: the folder {chart.parent} does not exist; give a file in an existing folder")


def run_discover(case_ref: str, case, *, strategy: str | None, option: str | None, below: float | None,
                 worst: float | None, n_draws: int, seed: int, weights: str | None, max_boxes: int, fmt: str,
                 output: Path | None, chart: Path | None) -> str | None:
    """Run scenario discovery for ``decide discover`` and return the text to print (None when it
    was written to ``output``)."""
    from decide.discover.core import discover
    from decide.discover.text import render_discovery

    if strategy is not None and option is not None:
        raise DecideError("give --strategy or --option, not both (an option is examined as the smallest strategy "
                          "that contains it)")
    if below is not None and worst is not None:
        raise DecideError("give --below (a gain over doing nothing) or --worst (a share of worlds), not both")
    if below is not None and not math.isfinite(below):
        raise DecideError(f"--below must be a finite number (a gain over doing nothing, e.g. 0 or 0.05), not {below}")
    if output is not None and not output.parent.is_dir():
        raise DecideError(f"-o: the folder {output.parent} does not exist; give a file in an existing folder")
    _check_chart(chart)
    result = discover(case, strategy=parse_strategy(strategy), option=option, threshold=below, worst=worst,
                      n_draws=n_draws, rng=seed, weights=weights, max_boxes=max_boxes)
    if chart is not None:
        from decide.discover.figures import plot_trajectory

        plot_trajectory(result, chart)
    text = render_discovery(result, fmt, case=case_ref, chart=str(chart) if chart is not None else None)
    if output is None:
        return text
    import click

    with click.open_file(str(output), "w", encoding="utf-8", atomic=True) as f:
        f.write(text if text.endswith("\n") else text + "\n")
    return None
