"""What every command of the ``decide`` command line shares: a user's error without a traceback,
the case argument, loading a case within the allowed folders, the first-run compile note. Its own
module so that commands living elsewhere (profiles, explore, workbooks) import it, not the CLI."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from decide.bundled import bundled_cases
from decide.console import is_quiet
from decide.errors import DecideError

__all__ = ["UserError", "user_errors", "CaseRef", "allowed_paths", "load_case_ref", "kernel_note"]


class UserError(click.ClickException):
    """A DecideError shown without a traceback."""

    def __init__(self, error: DecideError):
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def format_message(self) -> str:
        return self.message


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DecideError as exc:
            raise UserError(exc) from None

    return wrapper


class CaseRef(click.ParamType):
    """A case file path or the name of a bundled case."""

    name = "CASE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        path = Path(value)
        if path.exists() or value in bundled_cases():
            return value
        names = ", ".join(bundled_cases()) or "none"
        self.fail(f"{value!r} is neither a file nor a bundled case (bundled: {names})", param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str):
        from decide.cli_complete import complete_case

        return complete_case(ctx, param, incomplete)


def allowed_paths() -> tuple[Path, ...]:
    """The folders ``--allow-path`` lets a case's ``criteria:`` name files under."""
    ctx = click.get_current_context(silent=True)
    return tuple((ctx.find_root().obj or {}).get("allow_paths", ())) if ctx is not None else ()


def load_case_ref(case_ref: str):
    from decide.case_cache import load_case_cached

    return load_case_cached(case_ref, allow_paths=allowed_paths())



def kernel_note(quiet: bool = False) -> None:
    """Say on stderr that the kernels compile, when numba's cache has none for these sources."""
    if is_quiet(quiet):
        return
    from decide.montecarlo.caching import kernels_cached

    if not kernels_cached():
        click.echo("compiling kernels (first run only) …", err=True)
