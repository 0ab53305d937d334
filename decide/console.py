"""What the command line prints on stderr besides tables: warnings once, in one clean line."""

from __future__ import annotations

import warnings
from typing import Any

import click

__all__ = ["show_warnings_once", "is_quiet"]

_seen: set[str] = set()


def _show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
          file: Any = None, line: str | None = None) -> None:
    # One line, no file path or source line, each message once however many places raise it.
    text = " ".join(str(message).split())
    if text in _seen:
        return
    _seen.add(text)
    click.echo(f"Warning: {text}", err=True)


def show_warnings_once() -> None:
    """Print each warning once as ``Warning: message`` on stderr (the CLI's, not the library's, way)."""
    _seen.clear()
    warnings.showwarning = _show
    warnings.simplefilter("default")


def is_quiet(quiet: bool = False) -> bool:
    """The subcommand's own ``-q``, or the group's (``decide -q CMD`` or ``decide CMD -q``)."""
    ctx = click.get_current_context(silent=True)
    return quiet or bool(ctx is not None and (ctx.find_root().obj or {}).get("quiet"))


def echo_wrapped(text: str, *, indent: str = "  ", err: bool = False) -> None:
    """``text`` on standard output (or error), wrapped at the terminal's width when it is one."""
    import textwrap

    from decide.tables import terminal_width

    width = terminal_width()

    def fit(line: str) -> str:
        if not width or len(line) <= width:
            return line
        lead = line[:len(line) - len(line.lstrip())]
        return textwrap.fill(line, width, initial_indent="", subsequent_indent=lead + indent)

    click.echo("\n".join(fit(line) for line in text.split("\n")), err=err)
