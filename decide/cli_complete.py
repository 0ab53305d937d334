"""Shell completion for the command line: case names, profile ids, option ids.

Click completes when the shell sets ``_DECIDE_COMPLETE`` (README, "Shell completion"). Completing
an id reads the case named earlier on the line; any problem with it completes nothing.
"""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem

__all__ = ["complete_case", "complete_weights", "complete_options"]

WEIGHTS_KEYWORDS = ("imprecise", "uniform", "profiles")
STRATEGY_KEYWORDS = ("maximin", "minimax_regret")


def complete_case(ctx: click.Context | None, param: Any, incomplete: str) -> list[CompletionItem]:
    """Bundled case names, then files (the shell's own file completion)."""
    from decide.bundled import bundled_cases

    names = [CompletionItem(n) for n in bundled_cases() if n.startswith(incomplete)]
    return names + [CompletionItem(incomplete, type="file")]


def _case(ctx: click.Context | None):
    case = (ctx.params.get("case") if ctx is not None else None) or _case_on_the_line()
    if not case:
        return None
    try:
        from decide.load import load_case

        return load_case(case)
    except Exception:  # noqa: BLE001 - a case that does not load completes nothing
        return None


def _case_on_the_line() -> str | None:
    # Click parses the line resiliently while completing and may leave the argument unset; the
    # shells give the words in COMP_WORDS (bash, zsh and fish alike).
    import os
    from pathlib import Path

    from click.shell_completion import split_arg_string

    from decide.bundled import bundled_cases

    words = split_arg_string(os.environ.get("COMP_WORDS", ""))
    names = bundled_cases()
    return next((w for w in words[2:] if not w.startswith("-") and (w in names or Path(w).is_file())), None)


def _last(incomplete: str, separator: str = ",") -> tuple[str, str]:
    head, sep, tail = incomplete.rpartition(separator)
    return head + sep, tail


def complete_weights(ctx: click.Context | None, param: Any, incomplete: str) -> list[CompletionItem]:
    """Profile ids of the case and the weights keywords the command takes (comma-separated lists too)."""
    loaded = _case(ctx)
    ids = [p.id for p in loaded.weights.profiles] if loaded is not None else []
    keywords = STRATEGY_KEYWORDS if ctx is not None and ctx.info_name == "strategies" else WEIGHTS_KEYWORDS
    head, tail = _last(incomplete)
    return [CompletionItem(head + w) for w in [*ids, *keywords] if w.startswith(tail)]


def complete_options(ctx: click.Context | None, param: Any, incomplete: str) -> list[CompletionItem]:
    """Option ids of the case (after a comma or a + too, for strategies)."""
    loaded = _case(ctx)
    if loaded is None:
        return []
    separator = "+" if "+" in incomplete else ","
    head, tail = _last(incomplete, separator)
    return [CompletionItem(head + o.id) for o in loaded.options if o.id.startswith(tail)]
