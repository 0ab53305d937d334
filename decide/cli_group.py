"""The ``decide`` command group: subcommands imported when used, ``-v``/``-q`` taken anywhere.

A subcommand named in ``lazy`` ("module:attribute") is imported only when it runs or a listing
(``decide --help``, completion) needs it, so ``decide score`` does not load the workbook or
explore code (issue 18: start-up within 0.8 s). ``-v``/``--verbose`` and ``-q``/``--quiet`` may
stand before or after the subcommand: after it, a subcommand without its own ``-q`` hands them to
the group.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

__all__ = ["DecideGroup", "GLOBAL_FLAGS"]

GLOBAL_FLAGS = {"-v": "verbose", "--verbose": "verbose", "-q": "quiet", "--quiet": "quiet"}


class DecideGroup(click.Group):
    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # -v / -q after the subcommand: taken out here unless the subcommand has an option of that name.
        args = list(args)
        takes_value = {opt for param in self.params if isinstance(param, click.Option) and not param.is_flag
                       and not param.count for opt in param.opts}
        name_at, i = None, 0
        while i < len(args):
            if args[i] in takes_value:
                i += 2
                continue
            if not args[i].startswith("-"):
                name_at = i
                break
            i += 1
        if name_at is not None:
            command = self.get_command(ctx, args[name_at])
            own = set()
            if command is not None:
                for param in command.params:
                    own.update(getattr(param, "opts", ()))
                    own.update(getattr(param, "secondary_opts", ()))
            head, tail = args[:name_at + 1], args[name_at + 1:]
            moved: list[str] = []
            kept: list[str] = []
            for i, arg in enumerate(tail):
                if arg == "--":
                    kept += tail[i:]
                    break
                if arg in GLOBAL_FLAGS and arg not in own:
                    moved.append(arg)
                else:
                    kept.append(arg)
            args = moved + head + kept
        return super().parse_args(ctx, args)
