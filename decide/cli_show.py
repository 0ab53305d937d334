"""What ``decide score`` and ``decide simulate`` print: their tables, sorted one way, in every format.

Every table of a command is sorted the same way in every format (options by value, best first);
terminal tables fit the terminal (:func:`decide.tables.text_table`), other formats are whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
import pandas as pd

from decide.tables import dumps_json, render, terminal_width, text_table

__all__ = ["SIMULATE_TABLES", "DEFAULT_SHOW", "parse_columns", "parse_show", "emit_tables", "score_tables",
           "simulate_tables"]

SIMULATE_TABLES = {
    "summary": "Robustness: value, chance of being best, regret, chance of being blocked",
    "ranks": "Rank acceptability: P(option takes rank k)",
    "pairwise": "Pairwise: P(row option beats column option); columns numbered as the rows",
    "central-weights": "Central weights: the average weights under which each option is best (SMAA-2)",
    "blockers": "Blockers (hard requirements): P(no), share of the option's blocks, share as sole blocker, "
                "value at stake",
    "voi": "Value of information: expected value of learning an answer before choosing (EVPPI)",
}
DEFAULT_SHOW = ("summary", "blockers")
SUMMARY_COLUMNS = ["mean", "mean_se", "p05", "p50", "p95", "p_best", "p_best_se", "expected_regret", "regret_p95",
                   "p_blocked", "confidence_factor"]
# Least important last: left out first where the terminal is narrow.
SUMMARY_PRIORITY = ["mean", "p_best", "p_blocked", "p05", "expected_regret", "p50", "p95", "confidence_factor",
                    "regret_p95"]
SCORE_PRIORITY = ["rank", "expected_value", "p_hold", "value_if_hold", "failure_value", "name", "soft_penalty"]


def parse_show(text: str | None, fmt: str) -> list[str]:
    """``--show a,b`` as table names (``all`` for every one); the default depends on the format."""
    if text is None:
        return ["summary"] if fmt == "csv" else list(DEFAULT_SHOW)
    names = [t.strip() for t in text.split(",") if t.strip()]
    if names == ["all"]:
        return list(SIMULATE_TABLES)
    unknown = [n for n in names if n not in SIMULATE_TABLES]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: choose from {', '.join(SIMULATE_TABLES)} or all",
                                 param_hint="--show")
    return list(dict.fromkeys(names))


def parse_columns(text: str | None, frame: pd.DataFrame) -> list[str] | None:
    """``--columns a,b`` checked against a table's columns (a column's ``_se`` comes along)."""
    if text is None:
        return None
    names = [t.strip() for t in text.split(",") if t.strip()]
    known = [str(c) for c in frame.columns if not str(c).endswith("_se")]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: the columns are {', '.join(known)}",
                                 param_hint="--columns")
    return [c for n in names for c in (n, f"{n}_se") if c in frame.columns]


def score_tables(result: Any, method: str, columns: str | None = None, fmt: str = "table"
                 ) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """Score's table, its contributions (additive only) and the notes on options evaluated with others.

    ``evaluated_with`` is shown only where it differs from the option (a dependent option, with
    what it needs): blank elsewhere in Markdown, a note under the terminal's table."""
    table = result.table
    notes = []
    if "evaluated_with" in table.columns:
        differs = table["evaluated_with"].astype(str) != table.index.astype(str)
        if fmt == "markdown":
            table = table.assign(evaluated_with=table["evaluated_with"].where(differs, ""))
        else:
            listed = " ".join(getattr(result, "notes", ()))
            for option, evaluated in table.loc[differs, "evaluated_with"].items():
                if f"{option} is evaluated as {evaluated}" not in listed:
                    notes.append(f"{option} is evaluated with what it depends on: {evaluated}")
            table = table.drop(columns="evaluated_with")
    chosen = parse_columns(columns, table)
    if chosen is not None:
        table = table[chosen]
    contributions = result.contributions if method == "additive" else None
    return table, contributions, notes


def _order(summary: pd.DataFrame) -> list[str]:
    return list(summary.sort_values("mean", ascending=False, kind="stable").index)


def simulate_tables(result: Any, options_note: str | None = None) -> dict[str, pd.DataFrame]:
    """Every simulate table, options by mean value (best first) in each, with all their columns."""
    summary = result.summary
    order = _order(summary)
    summary = summary.loc[order]
    ranks = result.rank_acceptability.loc[order]
    ranks.columns = [str(c) for c in ranks.columns]
    pairwise = result.pairwise.loc[order, order]
    central = result.central_weights.loc[order]
    blockers = result.blockers.reset_index()
    position = {o: i for i, o in enumerate(order)}
    blockers = (blockers.assign(_at=blockers["option"].map(position))
                .sort_values(["_at", "block_share"], ascending=[True, False], kind="stable")
                .drop(columns="_at").set_index(["option", "precondition"]))
    voi = result.value_of_information.sort_values("value", ascending=False, kind="stable")
    return {"summary": summary, "ranks": ranks, "pairwise": pairwise, "central-weights": central,
            "blockers": blockers, "voi": voi}


def terminal_view(name: str, frame: pd.DataFrame, columns: str | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table as the terminal shows it, and how :func:`text_table` should fit it."""
    if name == "summary":
        chosen = parse_columns(columns, frame) or [c for c in SUMMARY_COLUMNS if c in frame.columns]
        return frame[chosen], {"priority": SUMMARY_PRIORITY, "keep": ["mean"]}
    if name == "blockers":
        hard = frame.reset_index()
        hard = hard[hard["requirement"] == "hard"][["option", "precondition", "p_no", "block_share",
                                                    "sole_blocker_share", "value_at_stake"]]
        hard = hard.rename(columns={"block_share": "share", "sole_blocker_share": "sole", "value_at_stake": "at_stake"})
        return hard.set_index("option"), {"priority": ["precondition", "p_no", "share", "at_stake", "sole"],
                                          "keep": ["precondition"]}
    if name == "pairwise":
        numbered = frame.copy()
        numbered.columns = [str(i + 1) for i in range(len(frame.columns))]
        numbered.index = pd.Index([f"{i + 1} {o}" for i, o in enumerate(frame.index)], name="option")
        return numbered, {"overflow": "wrap"}
    if name == "voi":
        return frame, {"priority": ["value", "answer_under"], "keep": ["value"]}
    return frame, {"overflow": "wrap"}


def emit_tables(tables: dict[str, pd.DataFrame], titles: dict[str, str], fmt: str, head: str,
                views: dict[str, tuple[pd.DataFrame, dict[str, Any]]] | None = None,
                notes: Sequence[str] = ()) -> None:
    """Print tables in a format: the terminal's fitted, Markdown, CSV (one table plain; several,
    each after a ``# name`` line and a blank line between) or JSON (an object of tables)."""
    if fmt == "json":
        click.echo(dumps_json({k.replace("-", "_"): v for k, v in tables.items()}))
        return
    if fmt == "csv":
        if len(tables) == 1:
            click.echo(next(iter(tables.values())).to_csv(), nl=False)
            return
        click.echo("\n".join(f"# {name}\n{frame.to_csv()}" for name, frame in tables.items()), nl=False)
        return
    if fmt == "markdown":
        click.echo(head + "\n")
        for name, frame in tables.items():
            click.echo(f"### {titles.get(name, name)}\n\n{render(frame, 'markdown')}\n")
        for note in notes:
            click.echo(f"> {note}\n")
        return
    import textwrap

    width = terminal_width()
    click.echo("\n".join(textwrap.fill(line, width) if width and len(line) > width else line
                         for line in head.split("\n")))
    for name, frame in tables.items():
        shown, how = (views or {}).get(name, (frame, {}))
        title = titles.get(name, name)
        click.echo(f"\n{textwrap.fill(title, width) if width else title}\n")
        click.echo(text_table(shown, width=width, **how))
    for note in dict.fromkeys(notes):
        text = f"Note: {note}"
        click.echo("\n" + (textwrap.fill(text, width, subsequent_indent="  ") if width else text))
