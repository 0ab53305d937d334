"""``decide explore``: the command line of :func:`decide.explore.explore` (registered in :mod:`decide.cli`).

Imports nothing heavy until the command runs, so ``decide --help`` stays quick.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import click

__all__ = ["explore"]


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "--:--"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressLine:
    """A one-line progress bar on stderr: experiments done, failures, rate and time left.

    On a terminal the line is redrawn in place; elsewhere (a log file, CI) a line is written at
    every tenth of the run, so a log shows progress without thousands of lines.
    """

    def __init__(self, total: int, stream=None, width: int = 24):
        self.total, self.width = total, width
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last_tenth = -1

    def __call__(self, p) -> None:
        filled = int(self.width * p.done / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        failed = f", {p.failed} failed" if p.failed else ""
        line = (f"Exploring [{bar}] {p.done}/{p.total} experiments{failed}, {p.rate:.2f}/s, "
                f"{_duration(p.remaining)} left")
        if self.tty:
            self.stream.write("\r" + line + ("\n" if p.done == p.total else ""))
            self.stream.flush()
            return
        tenth = p.done * 10 // max(p.total, 1)
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self.stream.write(line + "\n")
            self.stream.flush()


@click.command()
@click.argument("case")
@click.option("-d", "--design", "design", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The experiment design (YAML): parameters, ranges, sampling, experiments, seed.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Results file, .parquet or .csv; each experiment is written as it finishes.")
@click.option("--resume", is_flag=True, help="Continue a stopped run: keep the rows in OUTPUT, skip their experiments.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="A Dask scheduler (tcp://host:8786) to run the experiments on; default: the environment "
                   "variable DECIDE_SCHEDULER, else a pool of local processes.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local processes (default: all cores); ignored with a scheduler.")
@click.option("--discover", is_flag=True,
              help="Then say where the recommended strategy changes: PRIM boxes over the parameters (decide.discover).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def explore(case: str, design: Path, output: Path, resume: bool, scheduler: str | None, workers: int | None,
            discover: bool, quiet: bool) -> None:
    """Explore CASE over a design's ranges: one row per experiment (each option's mean, p_best,
    P(blocked), the recommended strategy), written to OUTPUT as experiments finish."""
    from decide.cli_common import UserError, kernel_note
    from decide.cli_common import allowed_paths as _allowed
    from decide.errors import DecideError
    from decide.explore import SCHEDULER_VARIABLE, discover_experiments, summarise
    from decide.explore import explore as run

    address = scheduler or os.environ.get(SCHEDULER_VARIABLE) or None
    where = f"Dask scheduler {address}" if address else f"{workers or len(os.sched_getaffinity(0))} local processes"
    state: dict[str, ProgressLine] = {}

    def progress(p) -> None:
        if quiet:
            return
        if "bar" not in state:
            state["bar"] = ProgressLine(p.total)
        state["bar"](p)

    if not quiet:
        kernel_note()
    try:
        table = run(case, design, output, resume=resume, scheduler=address, workers=workers, progress=progress,
                    allow_paths=_allowed())
    except DecideError as exc:
        raise UserError(exc) from None
    s = summarise(table)
    meta = table.attrs.get("explore", {})
    click.echo(f"{case}: {s['experiments']:,} experiments ({meta.get('sampling')}, seed {meta.get('seed')}, "
               f"{meta.get('draws'):,} draws each) on {where}; {s['failed']} failed; written to {output}.")
    if s["experiments"]:
        click.echo(f"Per experiment: {s['seconds_mean']:.2f} s, of which the engine {s['engine_seconds_mean']:.2f} s.")
    ok = s["experiments"] - s["failed"]
    if s["strategies"]:
        click.echo("Recommended strategy (share of the experiments that succeeded):")
        for strategy, n in s["strategies"][:5]:
            click.echo(f"  {n / ok:6.1%}  {strategy}")
    if s["strategy_members"]:
        click.echo("How often each option is in the recommended strategy:")
        click.echo("  " + ", ".join(f"{option} {n / ok:.0%}" for option, n in s["strategy_members"]))
    if s["best_options"]:
        click.echo("Best single option:")
        for option, n in s["best_options"][:5]:
            click.echo(f"  {n / ok:6.1%}  {option}")
    if s["failed"]:
        first = table.loc[table["error"].fillna("") != "", ["experiment", "error"]].iloc[0]
        click.echo(f"First failure (experiment {first['experiment']}): {first['error'].splitlines()[-1].strip()}")
    if discover and ok:
        sentences = discover_experiments(table)
        click.echo("\n".join(sentences) if sentences else
                   "Scenario discovery: no box explains where the recommendation changes (too few experiments, or it "
                   "does not change).")
