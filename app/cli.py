"""The `baseline` command: the desktop app by default, and sub-commands for scripting.

The contract (names, flags, JSON keys) is in the project's CLI documentation.
Sub-commands live in `app.commands.<name>` and register themselves through `register()`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.commands.errors import CommandError

# Each module has `register(subparsers, parents)`; the order is the order shown in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "analyze",
    "log",
    "trend",
    "record",
    "scan",
    "import_",
    "export",
    "backup",
)


def _db_options(*, suppress: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS if suppress else None,
        help="database file (default: $BASELINE_DB or the platform data folder)",
    )
    return parser


def _named_command_module(argv: Sequence[str]) -> str | None:
    """The module of the sub-command named in `argv`, if any: only it needs importing."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--db":
            next(tokens, None)
        elif not token.startswith("-"):
            return next((name for name in COMMAND_MODULES if name.rstrip("_") == token), None)
    return None


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baseline",
        description="Baseline: guided slow breathing, live heart-rate biofeedback and an HRV "
        "recovery baseline. With no command, the desktop app starts.",
        parents=[_db_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"baseline {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the desktop app with the demo strap selected",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    parents = [_db_options(suppress=True)]
    for name in modules:
        module = importlib.import_module(f"app.commands.{name}")
        module.register(subparsers, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    named = _named_command_module(arguments)  # lean start-up: skip the other commands' imports
    parser = build_parser((named,) if named else COMMAND_MODULES)
    args = parser.parse_args(arguments)
    if args.command is None:
        from app.ui.main import run_gui  # Qt is imported only when the app starts

        return run_gui(args)
    try:
        result: int = args.func(args)
    except CommandError as exc:
        print(f"baseline {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
