"""Stakeholders side by side: ``decide profiles CASE`` and ``--weights A,B`` on score and simulate."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from decide.cli_show import emit_tables
from decide.cli_weights import profile_leaders, side_by_side

__all__ = ["emit_profiles", "emit_simulated_profiles", "profiles"]


def emit_profiles(loaded: Any, profile_ids: tuple[str, ...], fmt: str, *, method: str = "additive",
                  params: dict[str, Any] | None = None) -> None:
    """The deterministic expected value of every option under each profile, and each profile's leader."""
    from decide.compile import compile_case
    from decide.score import score

    arrays = compile_case(loaded)
    values = {p: score(arrays, method=method, weights=p, **(params or {})).table["expected_value"]
              for p in profile_ids}
    table = side_by_side(values)
    leaders = profile_leaders(table[list(profile_ids)])
    head = (f"{loaded.id} — method {method}, {len(profile_ids)} weight profiles side by side "
            f"(options by the value under {profile_ids[0]})")
    if fmt == "xlsx":
        from decide.workbook.commands import emit_xlsx

        emit_xlsx({"leaders": leaders, "values": table}, {"case": loaded.id, "method": method})
        return
    emit_tables({"leaders": leaders, "values": table},
                {"leaders": "The leader under each profile, its value, the runner-up and the margin",
                 "values": "Expected value of each option under each profile; rank_spread: best-worst rank"},
                fmt if fmt != "csv" else "csv", f"## {head}" if fmt == "markdown" else head,
                {"values": (table, {"overflow": "wrap"})})


def emit_simulated_profiles(loaded: Any, results: dict[str, Any], fmt: str, head: str) -> None:
    """Simulations under each profile side by side: mean value and P(best), with standard errors."""
    means, p_best = {}, {}
    for profile, result in results.items():
        summary = result.summary
        means[profile], means[f"{profile}_se"] = summary["mean"], summary["mean_se"]
        p_best[profile], p_best[f"{profile}_se"] = summary["p_best"], summary["p_best_se"]
    order = pd.DataFrame(means).sort_values(next(iter(results)), ascending=False, kind="stable").index
    tables = {"mean": pd.DataFrame(means).loc[order], "p_best": pd.DataFrame(p_best).loc[order]}
    tables["mean"].index.name = tables["p_best"].index.name = "option"
    if fmt == "xlsx":
        from decide.workbook.commands import emit_xlsx

        emit_xlsx(tables, {"case": loaded.id})
        return
    emit_tables(tables, {"mean": "Mean value under each profile (standard error)",
                         "p_best": "P(best) under each profile (standard error)"},
                fmt, f"## {head}" if fmt == "markdown" else head,
                {name: (frame, {"overflow": "wrap"}) for name, frame in tables.items()})


@click.command()
@click.argument("case", metavar="CASE")
@click.option("--method", type=click.Choice(["additive", "topsis", "vikor", "promethee2", "wpm"]),
              default="additive", show_default=True, help="Aggregation method.")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json", "csv"]), default="table",
              show_default=True)
@click.pass_context
def profiles(ctx: click.Context, case: str, method: str, fmt: str) -> None:
    """The leading option under every weight profile, and every option's value under each."""
    from decide.cli_common import CaseRef, UserError
    from decide.cli_common import load_case_ref as _load
    from decide.compile import compile_case
    from decide.errors import DecideError

    case = CaseRef().convert(case, None, ctx)
    try:
        loaded = _load(case)
        ids = tuple(compile_case(loaded).profile_ids)
        if not ids:
            raise DecideError(f"{loaded.id} has no weight profiles to compare (add some under weights.profiles)")
        emit_profiles(loaded, ids, fmt, method=method)
    except DecideError as exc:
        raise UserError(exc) from None
