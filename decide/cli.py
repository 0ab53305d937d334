"""The ``decide`` command line: validate, score, simulate, report, strategies, cases.

It calls the same public functions as ``import decide`` and nothing else. A user's mistake
(:class:`~decide.errors.DecideError`) becomes a short message and a non-zero exit status; a bug
keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np

from decide import __version__
from decide.bundled import bundled_cases
from decide.errors import CaseError, DecideError
from decide.cli_common import CaseRef, UserError, kernel_note, user_errors
from decide.cli_common import allowed_paths as _allowed
from decide.cli_common import load_case_ref as _load
from decide.cli_params import COUNT, Count
from decide.seeds import DEFAULT_SEED
from decide.tables import dumps_json, render, text_table
from decide.workbook.commands import emit_xlsx, xlsx_output
from decide.cli_group import DecideGroup
from decide.cli_complete import complete_options, complete_weights
from decide.cli_weights import SCORE_WEIGHTS_HELP, SIMULATE_WEIGHTS_HELP
from decide.console import echo_wrapped, is_quiet, show_warnings_once

# Imported when used (start-up, issue 18).
LAZY_COMMANDS = {"profiles": "decide.cli_profiles:profiles", "explore": "decide.explore.command:explore", "template": "decide.workbook.commands:template",
                 "import": "decide.workbook.commands:import_case", "export": "decide.workbook.commands:export_case"}

FORMATS = click.Choice(["table", "markdown", "json", "csv", "xlsx"])


def _params(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise DecideError(f"--param takes NAME=VALUE, got {pair!r}")
        try:
            out[key] = float(raw)
        except ValueError:
            out[key] = raw
    return out


@click.group(cls=DecideGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="decide")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr (before or after the subcommand).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr (before or after the subcommand).")
@click.option("--allow-path", "allow_paths", multiple=True, metavar="FOLDER",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also let a case's criteria: name a file under FOLDER (by default only the case's own "
                   "folder and the bundled sets). Repeatable.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool, allow_paths: tuple[Path, ...]) -> None:
    """Decide between interventions in a crisis.

    CASE is a case file (YAML) or the name of a bundled case (see `decide cases`). Shell completion
    (case names, profile and option ids): see the README, "Shell completion".
    """
    ctx.obj = {"allow_paths": allow_paths, "quiet": quiet}
    show_warnings_once()
    # Logs go to stderr so JSON and CSV on stdout stay clean.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("case", type=CaseRef())
@user_errors
def validate(case: str) -> None:
    """Check a case file and report every problem at once."""
    try:
        loaded = _load(case)
    except CaseError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    from decide.compile import compile_case

    arrays = compile_case(loaded)
    named = loaded.id if case == loaded.id else f"{loaded.id} ({case})"
    click.echo(f"{named}: valid — {arrays.n_options} options, {arrays.n_criteria} criteria, "
               f"{arrays.n_preconditions} preconditions, {len(arrays.profile_ids)} weight profiles.")
    if len(arrays.imprecise_b):
        # Profiles outside the admissible set are allowed, but a reader should know.
        slack = arrays.profile_weights @ arrays.imprecise_a.T - arrays.imprecise_b
        for profile, row in zip(arrays.profile_ids, slack):
            if (row > 1e-9).any():
                click.echo(f"  Note: profile {profile} breaks {int((row > 1e-9).sum())} of the imprecise weight "
                           "statements (weights.imprecise)")
    for profile, ratios in arrays.consistency.items():
        for group, cr in ratios.items():
            flag = "  (above 0.1: revisit the comparisons)" if cr > 0.1 else ""
            click.echo(f"  AHP profile {profile}, group {group}: consistency ratio {cr:.3f}{flag}")
    from decide.readiness import analysis_readiness

    click.echo("What each analysis will do with it:")
    for line in analysis_readiness(loaded, arrays):
        click.echo(f"  {line.analysis:<18} {'runs' if line.runs else 'skipped'}: {line.detail}")


@cli.command()
@click.argument("case", type=CaseRef())
@click.option("--method", type=click.Choice(["additive", "topsis", "vikor", "promethee2", "wpm"]),
              default="additive", show_default=True, help="Aggregation method.")
@click.option("--weights", "profile", shell_complete=complete_weights, metavar="PROFILE|A,B|profiles|uniform|imprecise",
              help=SCORE_WEIGHTS_HELP)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Method parameter, e.g. v=0.5 for VIKOR (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--columns", metavar="A,B", help="Columns of the scores table to show (table, markdown, csv).")
@xlsx_output
@user_errors
def score(case: str, method: str, profile: str | None, params: tuple[str, ...], fmt: str,
          columns: str | None = None) -> None:
    """Deterministic scores: options ranked, value, each criterion's contribution."""
    from decide.score import score as run_score

    loaded = _load(case)
    label, weight_notes = None, ()
    if profile is not None:
        from decide.compile import compile_case
        from decide.cli_weights import parse_weights

        choice = parse_weights(profile, compile_case(loaded), "score")
        if choice.compare:
            from decide.cli_profiles import emit_profiles

            emit_profiles(loaded, choice.compare, fmt, method=method, params=_params(params))
            return
        profile, label, weight_notes = choice.weights, choice.label, choice.notes
    result = run_score(loaded, method=method, weights=profile, **_params(params))
    if fmt == "xlsx":
        emit_xlsx({"scores": result.table, "contributions": result.contributions},
                  {"case": case, "method": method, "weights": result.profile or "given", "version": __version__},
                  result.notes)
        return
    if fmt == "json":
        from decide.json_shapes import score_json

        click.echo(dumps_json(score_json({"case": case, "version": __version__, **result.to_dict()})))
        return
    from decide.cli_show import SCORE_PRIORITY, emit_tables, score_tables

    table, contributions, evaluated = score_tables(result, method, columns, fmt)
    if fmt == "csv":
        from decide.cli_show import parse_columns

        chosen = parse_columns(columns, result.table)
        click.echo((result.table if chosen is None else result.table[chosen]).to_csv(), nl=False)
        return
    tables = {"scores": table} | ({"contributions": contributions} if contributions is not None else {})
    titles = {"scores": "Options ranked", "contributions": "Contributions of each criterion (weighted value if "
                                                           "preconditions hold)"}
    heading = f"{loaded.id} — method {method}, weights {result.profile or label or 'given'}"
    emit_tables(tables, titles, fmt, f"## {heading}" if fmt == "markdown" else heading,
                {"scores": (table, {"priority": SCORE_PRIORITY, "keep": ["expected_value"]}),
                 "contributions": (contributions, {"overflow": "wrap"})}, [*weight_notes, *evaluated, *result.notes])


def _run_with_progress(total: int, quiet: bool, label: str, run: Callable[[Callable[[int], None] | None], Any]):
    """Run with a progress line on stderr (a terminal, not quiet; shown after a second, its
    estimate after a warm-up: decide/cli_progress.py)."""
    if is_quiet(quiet) or not sys.stderr.isatty():
        return run(None)
    from decide.cli_progress import ProgressLine

    with ProgressLine(total, label) as line:
        return run(line.update)


def _stages(label: str, quiet: bool = False):
    """A stage line on stderr for work without counts (strategies, discovery, the report's analyses)."""
    import contextlib

    if is_quiet(quiet) or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from decide.cli_progress import StageLine

    return StageLine(label)


WEIGHTS_HELP = ("Weight profile id, or 'imprecise' (uniform over the case's imprecise statements), 'uniform' "
                "(uniform on the simplex) or 'profiles' (a mixture of the profiles). Default: the case's profile.")


@cli.command()
@click.argument("case", type=CaseRef())
@click.option("-n", "--draws", "n_draws", type=COUNT, default=100_000, show_default=True,
              help="Monte Carlo iterations.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option("--weights", shell_complete=complete_weights, metavar="PROFILE|A,B|imprecise|uniform|profiles",
              help=SIMULATE_WEIGHTS_HELP)
@click.option("--method", type=click.Choice(["mc", "qmc"]), default="mc", show_default=True,
              help="Plain Monte Carlo, or scrambled Sobol quasi-Monte Carlo.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Threads (default: all cores).")
@click.option("--strategy", metavar="A,B,C", shell_complete=complete_options,
              help="Also evaluate this combination of options, ranked as one more alternative ('strategy').")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--show", metavar="TABLES",
              help="Tables to show, comma-separated: summary, ranks, pairwise, central-weights, blockers, voi, or all "
                   "(default: summary,blockers; with --format csv: summary). json and xlsx hold every table.")
@click.option("--columns", metavar="A,B", help="Columns of the summary table to show.")
@xlsx_output
@user_errors
def simulate(case: str, n_draws: int, seed: int, weights: str | None, method: str, workers: int | None,
             strategy: str | None, fmt: str, quiet: bool, show: str | None = None, columns: str | None = None) -> None:
    """Robustness of the ranking and the preconditions that block each option."""
    from decide.montecarlo import simulate as run_simulation

    loaded = _load(case)
    options = [s.strip() for s in strategy.split(",") if s.strip()] if strategy else None
    kernel_note(quiet)
    if weights is not None and "," in weights:
        from decide.cli_profiles import emit_simulated_profiles
        from decide.cli_weights import parse_weights
        from decide.compile import compile_case

        compared = parse_weights(weights, compile_case(loaded), "simulate").compare
        results = {p: _run_with_progress(n_draws, quiet, f"Simulating ({p})", lambda progress, p=p: run_simulation(
            loaded, n_draws, rng=seed, weights=p, method=method, workers=workers, progress=progress,
            strategy=options)) for p in compared}
        emit_simulated_profiles(loaded, results, fmt, f"{loaded.id}: {n_draws:,} draws ({method}) under each of "
                                f"{len(compared)} profiles, seed {seed} (the same draws of everything but the weights); "
                                f"options by mean under {compared[0]}.")
        return
    result = _run_with_progress(n_draws, quiet, "Simulating", lambda progress: run_simulation(
        loaded, n_draws, rng=seed, weights=weights, method=method, workers=workers, progress=progress,
        strategy=options))
    from decide.cli_show import SIMULATE_TABLES, emit_tables, parse_show, simulate_tables, terminal_view

    meta = {"case": loaded.id, **result.metadata}
    tables = simulate_tables(result)
    if fmt in ("xlsx", "json"):
        every = {"summary": tables["summary"], "rank_acceptability": tables["ranks"], "pairwise": tables["pairwise"],
                 "central_weights": tables["central-weights"], "blockers": tables["blockers"],
                 "preconditions": result.preconditions, "value_of_information": tables["voi"]}
        if fmt == "xlsx":
            emit_xlsx(every, meta)
        else:
            from decide.json_shapes import simulate_json

            click.echo(dumps_json(simulate_json({**meta, **every})))
        return
    chosen = {name: tables[name] for name in parse_show(show, fmt)}
    head = (f"{loaded.id}: {meta['n_draws']:,} draw{'s' if meta['n_draws'] != 1 else ''} ({method}), seed {seed}, "
            f"weights {weights or 'default profile'}, decide {meta['version']}. Ties split ranks in equal fractions. "
            "Options by mean value, best first."
            + (" Standard errors are not estimable from one draw (shown as -)." if meta["n_draws"] < 2 else "")
            + (f" Row 'strategy' = {' + '.join(options)} pursued together." if options else ""))
    if fmt == "table":
        import textwrap

        from decide.tables import terminal_width

        head = textwrap.fill(head, terminal_width() or len(head))
        if show is None:
            head += "\nMore tables: --show " + ",".join(SIMULATE_TABLES) + " (or all)."
    emit_tables(chosen, SIMULATE_TABLES, fmt, f"## {head}" if fmt == "markdown" else head,
                {name: terminal_view(name, frame, columns if name == "summary" else None)
                 for name, frame in chosen.items()})


@cli.command()
@click.argument("case", type=CaseRef())
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory for report.md and its charts, or report.html (replaced atomically).")
@click.option("-n", "--draws", "n_draws", type=COUNT, default=100_000, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option("--weights", shell_complete=complete_weights, metavar="PROFILE|imprecise|uniform|profiles", help=WEIGHTS_HELP)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--watch", is_flag=True,
              help="Stay running and rewrite the report each time the case file is saved (Ctrl-C to stop). "
                   "Mistakes in the case are printed and the previous report is kept.")
@click.option("--format", "report_format", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="markdown: report.md and PNG charts; html: one self-contained report.html "
                                      "(charts embedded, nothing fetched), for mail, upload, phone or PDF.")
@click.option("--html", "as_html", is_flag=True, help="Same as --format html.")
@user_errors
def report(case: str, out_dir: Path, n_draws: int, seed: int, weights: str | None, quiet: bool,
           watch: bool, report_format: str = "markdown", as_html: bool = False) -> None:
    """Write a Markdown report with charts: recommendation, robustness, blockers, sensitivity."""
    from decide.report.write import build_report

    html = as_html or report_format == "html"
    written = "report.html" if html else "report.md"

    def write() -> Path:
        import contextlib

        from decide.cli_progress import ReportProgress

        shown = not is_quiet(quiet) and sys.stderr.isatty()
        with ReportProgress(n_draws) if shown else contextlib.nullcontext() as progress:
            return build_report(case, out_dir, n_draws=n_draws, seed=seed, weights=weights,
                                progress=progress.update if progress is not None else None, allow_paths=allowed,
                                html=html)

    allowed = _allowed()
    kernel_note(quiet)

    if not watch:
        click.echo(f"Wrote {write() / written}")
        return
    _watch_report(case, write)


def _watch_report(case: str, write: Callable[[], Path], **kwargs: Any) -> int:
    """``report --watch``: a new report after every save; a mistake is reported, not fatal."""
    from decide.bundled import resolve_case
    from decide.report.watch import watch

    path = resolve_case(case)

    def on_change() -> None:
        start = time.perf_counter()
        try:
            written = write()
        except DecideError as exc:
            click.echo(f"{exc}\n(the previous report is unchanged; waiting for the next save)", err=True)
            return
        except Exception:  # noqa: BLE001 - a bug: shown in full, but the analyst keeps the watcher
            import traceback

            click.echo(f"{traceback.format_exc()}This is a bug in decide; please report it with the "
                       "traceback above.\n(the previous report is unchanged; waiting for the next save)",
                       err=True)
            return
        name = "report.html" if (written / "report.html").exists() else "report.md"
        click.echo(f"Wrote {written / name} in {time.perf_counter() - start:.1f} s; "
                   f"watching {path} (Ctrl-C to stop)")

    try:
        return watch(path, on_change, **kwargs)
    except KeyboardInterrupt:
        return 0


@cli.command()
@click.argument("case", type=CaseRef())
@click.option("-S", "--scenarios", "n_scenarios", type=COUNT, default=1000, show_default=True,
              help="Monte Carlo scenarios the strategies are chosen on (sample average).")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option("--weights", shell_complete=complete_weights, metavar="PROFILE|maximin|minimax_regret",
              help="A profile id, or robust across profiles: maximin or minimax_regret. Default: the case's profile.")
@click.option("--engine", type=click.Choice(["auto", "enumerate", "milp"]), default="auto", show_default=True,
              help="Exact enumeration, or the mixed-integer program (automatic beyond ~20 options).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="MILP time limit in seconds (the gap reached is reported).")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--stability", type=click.IntRange(min=0), default=None,
              help="Re-optimise with this many other seeds (each at S and S/2) and report how often the choice "
                   "holds. Default: 3 when enumerating, 0 with the MILP (each rerun is a full solve).")
@click.option("--milp-scenarios", type=click.IntRange(min=1), default=None,
              help="Most scenarios the MILP is written on; with more, the strategies it finds are compared on all. "
                   "Default: 2,000 / the number of criteria.")
@click.option("--strategy", "strategy", metavar="A,B,C", shell_complete=complete_options,
              help="Evaluate this combination of options instead of searching.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@xlsx_output
@user_errors
def strategies(case: str, n_scenarios: int, seed: int, weights: str | None, engine: str, time_limit: float,
               top: int, stability: int | None, milp_scenarios: int | None, strategy: str | None,
               fmt: str) -> None:
    """Best combinations of options under budgets, dependencies and exclusions."""
    from decide.compile import compile_case

    arrays = compile_case(_load(case))
    if strategy is not None:
        from decide.model.strategies import check_strategy
        from decide.optimise.compare import compare_strategies

        options = [s.strip() for s in strategy.split(",") if s.strip()]
        check_strategy(arrays, options)
        frame = compare_strategies(arrays, [("given", " + ".join(options), options)], n_scenarios=n_scenarios,
                                   rng=seed, weights=weights).drop(columns=["problems"])
        if fmt in ("json", "xlsx"):
            from decide.json_shapes import with_option_lists

            about = {"case": case, "strategy": options, "n_scenarios": n_scenarios, "seed": seed,
                     "doing_nothing": frame.attrs["doing_nothing"]}
            if fmt == "xlsx":
                emit_xlsx({"strategy": frame}, about)
            else:
                click.echo(dumps_json({**about, "strategies": with_option_lists(frame, ["options"], [options])}))
            return
        _emit(frame, fmt, f"{case}: strategy {' + '.join(options)}, {n_scenarios:,} scenarios, seed {seed}; "
                          f"doing nothing scores {frame.attrs['doing_nothing']:.3f}.")
        return
    from decide.optimise.strategy import optimise_strategies

    with _stages(f"Searching strategies ({engine})"):
        result = optimise_strategies(arrays, n_scenarios=n_scenarios, rng=seed, weights=weights, engine=engine,
                                     top=top, time_limit=time_limit, stability=stability,
                                     milp_scenarios=milp_scenarios)
    status = result.status + ("" if result.gap == 0 else f", gap {result.gap:.2%}")
    head = (f"{case}: best strategies by {result.engine} ({status}) over {result.n_scenarios:,} scenarios, re-simulated "
            f"on {result.n_out_of_sample:,} fresh ones; seed {seed}; "
            + (f"same choice in {result.stability:.0%} of reruns." if not np.isnan(result.stability)
               else "stability not assessed" + (" (with the MILP each rerun is a full solve: ask with --stability K)."
                                                 if result.engine == "milp" else " (--stability 0).")))
    if fmt == "xlsx":
        emit_xlsx({"strategies": result.to_frame(), "contributions": result.contributions_frame()},
                  {"case": case, "seed": seed, "engine": result.engine, "status": result.status, "gap": result.gap,
                   "stability": result.stability, "n_scenarios": result.n_scenarios,
                   "n_out_of_sample": result.n_out_of_sample, "version": __version__}, result.notes)
        return
    if fmt == "json":
        from decide.json_shapes import with_option_lists

        click.echo(dumps_json({"case": case, "seed": seed, "engine": result.engine, "status": result.status,
                               "gap": result.gap, "stability": result.stability,
                               "strategies": with_option_lists(result.to_frame(), ["strategy"], result.strategies),
                               "contributions": result.contributions_frame(), "notes": list(result.notes)}))
        return
    _emit(result.to_frame(), fmt, head)
    if fmt in ("table", "markdown"):
        _emit(result.contributions_frame(), fmt, "What each option of the best strategy adds:")
        for note in result.notes:
            echo_wrapped(f"Note: {note}")


@cli.command()
@click.argument("case", type=CaseRef())
@click.option("--strategy", metavar="A+B", shell_complete=complete_options, help="Options pursued together (default: the recommended strategy).")
@click.option("--option", metavar="OPTION", shell_complete=complete_options, help="One option, as the smallest strategy that contains it.")
@click.option("--below", type=float, metavar="VALUE",
              help="Poor worlds: the gain over doing nothing is below VALUE (default 0: worse than doing nothing).")
@click.option("--worst", type=click.FloatRange(0, 1, min_open=True, max_open=True), metavar="SHARE",
              help="Poor worlds: the SHARE of worlds with the lowest gain (e.g. 0.1), instead of --below.")
@click.option("-n", "--draws", "n_draws", type=Count(2), default=100_000, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=20121, show_default=True)
@click.option("--weights", shell_complete=complete_weights, metavar="PROFILE|imprecise|uniform|profiles", help=WEIGHTS_HELP)
@click.option("--boxes", "max_boxes", type=click.IntRange(min=1), default=3, show_default=True,
              help="At most this many boxes (each next one explains poor worlds outside the earlier ones).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.png",
              help="Also draw the peeling trajectories (coverage against density, chosen box marked).")
@user_errors
def discover(case: str, strategy: str | None, option: str | None, below: float | None, worst: float | None,
             n_draws: int, seed: int, weights: str | None, max_boxes: int, fmt: str, output: Path | None,
             chart: Path | None) -> None:
    """Scenario discovery: in which worlds a strategy does poorly, as PRIM boxes with coverage and density."""
    from decide.discover.command import run_discover

    with _stages("Scenario discovery"):
        text = run_discover(case, _load(case), strategy=strategy, option=option, below=below, worst=worst,
                            n_draws=n_draws, seed=seed, weights=weights, max_boxes=max_boxes, fmt=fmt,
                            output=output, chart=chart)
    if text is not None and fmt == "table":
        echo_wrapped(text.rstrip("\n"), indent="    ")  # prose lines fit the terminal
    elif text is not None:
        click.echo(text, nl=not text.endswith("\n"))


def _emit(frame, fmt: str, heading: str) -> None:
    if fmt == "json":
        click.echo(dumps_json(frame))
    elif fmt == "csv":
        click.echo(frame.to_csv(), nl=False)
    elif fmt == "markdown":
        click.echo(f"{heading}\n\n{render(frame, 'markdown')}\n")
    else:
        from decide.tables import terminal_width

        echo_wrapped(heading, indent="")
        click.echo(f"\n{text_table(frame, width=terminal_width(), wrap_text=True, min_text=40)}\n")


@cli.command()
def cases() -> None:
    """List the bundled cases."""
    from decide.load import read_yaml

    for name, path in bundled_cases().items():
        data = read_yaml(path).data
        title = data.get("title", "") if isinstance(data, dict) else ""
        click.echo(f"{name}\t{title}")




def main() -> None:
    cli(prog_name="decide")


if __name__ == "__main__":
    main()
