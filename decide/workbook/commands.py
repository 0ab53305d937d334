"""The workbook commands of the ``decide`` command line: template, import, export.

Registered on the ``decide`` group by :mod:`decide.cli`; openpyxl is imported only when one runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from decide.cli_common import UserError
from decide.errors import DecideError
from decide.files import replace_file

__all__ = ["template", "import_case", "export_case", "write_text_atomically"]


def _run(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except DecideError as exc:
        raise UserError(exc) from None


FORCE = click.option("--force", is_flag=True, help="Replace the output file if it exists.")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@FORCE
def template(path: Path, force: bool) -> None:
    """Write a blank case workbook (.xlsx) to fill in a spreadsheet.

    One sheet per part of a case, headers with help, lists to pick ids from, and a "how to fill"
    sheet. Turn it into a case file with `decide import`.
    """
    from decide.workbook.write import write_template

    _run(write_template, path, overwrite=force)
    click.echo(f"Wrote {path}: fill it in, then run: decide import {path} -o CASE.yaml")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The case file (.yaml) to write.")
@FORCE
def import_case(path: Path, output: Path, force: bool) -> None:
    """Turn a case workbook (.xlsx) into a case file (.yaml).

    The workbook is checked by the case file's own rules; every problem is listed at once as
    sheet!CELL: message, and nothing is written until there are none.
    """
    from decide.workbook.read import case_yaml, import_workbook

    if output.suffix.lower() not in (".yaml", ".yml"):
        raise UserError(DecideError(f"{output}: a case file's name ends in .yaml"))
    case, data = _run(import_workbook, path)
    _run(write_text_atomically, output, case_yaml(data), overwrite=force)
    click.echo(f"Wrote {output}: {len(case.options)} options, {len(case.preconditions)} preconditions, "
               f"{len(case.weights.profiles)} weight profiles.")


@click.command("export")
@click.argument("case")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The workbook (.xlsx) to write.")
@FORCE
@click.pass_context
def export_case(ctx: click.Context, case: str, output: Path, force: bool) -> None:
    """Write a case (a file, or a bundled case's name) as a workbook (.xlsx).

    `decide import` reads it back to the same case.
    """
    from decide.load import load_case
    from decide.workbook.write import write_case_workbook

    allowed = tuple((ctx.find_root().obj or {}).get("allow_paths", ()))
    loaded = _run(load_case, case, allow_paths=allowed)
    _run(write_case_workbook, loaded, output, overwrite=force)
    click.echo(f"Wrote {output}")


def write_text_atomically(path: str | Path, text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` to ``path`` whole or not at all; an existing file is replaced only with
    ``overwrite`` (:func:`decide.files.replace_file`)."""
    return replace_file(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), overwrite=overwrite)


def xlsx_output(func):
    """Give a result command ``-o/--output FILE`` and ``--force`` for ``--format xlsx``.

    The two are kept on the click context for :func:`emit_xlsx`, so the command's own signature
    does not change; ``--format xlsx`` without ``-o`` (a spreadsheet cannot go to a terminal), or
    ``-o`` with another format, is refused before any work.
    """
    from functools import wraps

    @click.option("--force", "xlsx_force", is_flag=True, help="With -o: replace FILE if it exists.")
    @click.option("-o", "--output", "xlsx_output", type=click.Path(dir_okay=False, path_type=Path),
                  metavar="FILE.xlsx", help="With --format xlsx: the workbook to write (one sheet per table).")
    @wraps(func)
    def wrapper(*args, xlsx_output: Path | None = None, xlsx_force: bool = False, **kwargs):
        fmt = kwargs.get("fmt")
        if fmt == "xlsx" and xlsx_output is None:
            raise click.UsageError("--format xlsx writes a workbook: give its name with -o FILE.xlsx")
        if fmt != "xlsx" and xlsx_output is not None:
            raise click.UsageError("-o FILE is for --format xlsx; other formats print to the terminal")
        click.get_current_context().meta["decide.xlsx"] = (xlsx_output, xlsx_force)
        return func(*args, **kwargs)

    return wrapper


def emit_xlsx(tables, about, notes=()) -> None:
    """Write result tables to the workbook named by ``-o`` (see :func:`xlsx_output`)."""
    from decide.workbook.results import write_results

    path, force = click.get_current_context().meta["decide.xlsx"]
    _run(write_results, path, tables, about, notes=list(notes), overwrite=force)
    click.echo(f"Wrote {path}", err=True)
