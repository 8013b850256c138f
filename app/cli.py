"""The `baseline` command: the desktop app by default, and sub-commands for scripting.

The contract (names, flags, JSON keys) is in the project's CLI documentation.
Sub-commands live in `app.commands.<name>` and register themselves through `register()`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.commands.errors import CommandError

START_SCREENS = ("live", "breathe", "morning-check")  # app.ui.startup.start_screen.StartScreen

# Each module has `register(subparsers, parents)`; the order is the order shown in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "analyze",
    "log",
    "trend",
    "record",
    "scan",
    "doctor",
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


#: The app's options that take a value (the next token is that value, not a command).
_APP_VALUE_OPTIONS = frozenset({"--db", "--demo-breathing", "--start", "--stats"})


def _plain_app_start(argv: Sequence[str]) -> bool:
    """True when `argv` holds only the desktop app's options: no command's module is needed to
    parse it (a lean start; `--help` or any other word parses with every command)."""
    tokens = iter(argv)
    for token in tokens:
        if token in ("-h", "--help", "--") or not token.startswith("-"):
            return False
        if token in _APP_VALUE_OPTIONS:
            next(tokens, None)
    return True


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
    parser.add_argument(
        "--demo-breathing",
        metavar="follow|RATE|ignore",
        default="follow",
        help="how the demo strap's person breathes: with the pacer (follow, the default), at a "
        "fixed RATE in breaths/min (3-30) whatever the pacer does, or irregularly (ignore)",
    )
    parser.add_argument(
        "--start",
        choices=START_SCREENS,
        help="open the desktop app on that screen and start it (with --demo, on the demo strap)",
    )
    parser.add_argument(
        "--stats",
        type=Path,
        metavar="FILE",
        help="when the desktop app ends, write session time, pacer frames and timing percentiles "
        "to FILE as JSON (for bug reports)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="the desktop app tells on stderr when its window is shown (it prints nothing else)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    parents = [_db_options(suppress=True)]
    for name in modules:
        module = importlib.import_module(f"app.commands.{name}")
        module.register(subparsers, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; every failure ends in one line on stderr, never a traceback."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    _replace_unencodable_output()
    args: argparse.Namespace | None = None
    try:
        # lean start-up: import no command's module (the app) or only the one named
        named = _named_command_module(arguments)
        modules = (named,) if named else () if _plain_app_start(arguments) else COMMAND_MODULES
        parser = build_parser(modules)
        args = parser.parse_args(arguments)
        if args.command is None:
            return _start_gui(args)
        _refuse_undecodable(args)
        result: int = args.func(args)
        _flush_output()  # a closed pipe shows up here, inside the handlers below
        return result
    except CommandError as exc:
        _say(args, str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except OSError as exc:
        if exc.errno not in _ENVIRONMENT_ERRNOS:
            return _unexpected(args, exc)
        where = f" ({exc.filename})" if exc.filename else ""
        _say(args, f"{exc.strerror or exc}{where}")
        return 1
    except Exception as exc:  # the one place an unexpected error becomes one line
        return _unexpected(args, exc)


def _start_gui(args: argparse.Namespace) -> int:
    """Start the desktop app, unless Qt's display plugin cannot load here (then say why, exit 2)."""
    from app.ui.startup.qt_platform import platform_problem
    from sensors.demo_breathing import DemoBreathing

    try:
        args.demo_breathing = DemoBreathing.parse(args.demo_breathing)
    except ValueError as exc:
        reason = str(exc).removeprefix("demo breathing ")
        raise CommandError(f"--demo-breathing {reason}") from None

    problem = platform_problem(os.environ)
    if problem is not None:
        _say(args, problem.message)
        return 2
    from app.ui.startup.no_tls import refuse_tls
    from app.ui.startup.pyside_imports import read_sources_uncached

    refuse_tls()  # no network: asyncio, imported later, loads no ssl module

    read_sources_uncached()  # imports PySide6: from here on its import check keeps no sources
    from app.ui.main import run_gui  # Qt is imported only when the app starts

    return run_gui(args)


#: Errors of the computer, not of the program (a full disk, a failing drive): one line, no report.
_ENVIRONMENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EDQUOT", "EIO", "EFBIG", "EROFS")
    if hasattr(errno, name)
)


def _flush_output() -> None:
    """Flush stdout now, so that its errors meet the handlers in `main`."""
    if sys.stdout is not None:  # None when started with stdout closed: nothing was shown
        sys.stdout.flush()


def _say(args: argparse.Namespace | None, message: str) -> None:
    command = getattr(args, "command", None)
    prefix = f"baseline {command}" if command else "baseline"
    with contextlib.suppress(OSError, ValueError):  # no stderr to tell
        print(f"{prefix}: {message}", file=sys.stderr, flush=True)


def _unexpected(args: argparse.Namespace | None, exc: Exception) -> int:
    """A damaged database is named as such (exit 2); anything else gets a crash report (1)."""
    from app.commands.common import db_path_of
    from app.crash_report import crash_line, write_crash_report
    from app.store.damaged import damaged_message, is_damage

    db_path = db_path_of(args) if args is not None else None
    if db_path is not None and is_damage(exc):
        _say(args, damaged_message(db_path, exc))
        return 2
    command = getattr(args, "command", None)
    beside = db_path.parent if db_path is not None else None
    report = write_crash_report(exc, where=f"baseline {command or ''}".strip(), beside=beside)
    _say(args, crash_line(exc, report))
    return 1


def _closed_pipe() -> int:
    """The reader of stdout went away (`baseline trend | head -1`): end quietly, as Unix tools do.

    Python's documented recipe: point stdout at devnull so the final flush cannot fail again.
    The status is 141 (128 + SIGPIPE), what a shell reports for a tool ended by a closed pipe.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    return 128 + 13


def _replace_unencodable_output() -> None:
    """Paths with bytes that are not UTF-8 are printed with escapes instead of failing."""
    stdout = sys.stdout
    if isinstance(stdout, io.TextIOWrapper):
        stdout.reconfigure(errors="backslashreplace")


def _refuse_undecodable(args: argparse.Namespace) -> None:
    """Text options (notes, dates...) must be UTF-8: bytes that are not are refused, not stored.

    File paths are exempt: a file name may hold any bytes and is passed to the system unchanged.
    """
    for key, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and _has_surrogates(v) for v in values):
            option = f"--{key.replace('_', '-')}"
            raise CommandError(
                f"{option} holds bytes that are not UTF-8 text; give it in UTF-8 (nothing stored)"
            )


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


if __name__ == "__main__":
    raise SystemExit(main())
