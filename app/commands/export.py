"""`baseline export --format json|csv|kubios --out PATH [--session ID] [--force]`.

An existing PATH is refused unless `--force`; the database itself (and its -wal/-shm/-journal
files) and any other Baseline database are never written over, `--force` or not. Files are
written beside the target first and moved into place when complete.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.commands.common import store_from_args
from app.commands.errors import CommandError
from app.formats.atomic import WriteRefusedError
from app.formats.export import export_csv, export_json, export_kubios

MAX_SESSION_ID = 2**63 - 1  # SQLite's largest integer


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        parents=list(parents),
        help="write everything as JSON or a CSV folder, or one session as Kubios RR text",
        description="json: every session with beats, heart rate and marks, and the daily log "
        "(importable again). csv: a folder with sessions.csv, beats.csv, heart_rate.csv, "
        "marks.csv and log.csv. kubios: one session's RR as 'time rr' text in seconds "
        "(--session, default the newest session). An existing PATH is refused unless --force; "
        "a database is never written over.",
    )
    parser.add_argument("--format", required=True, choices=("json", "csv", "kubios"))
    parser.add_argument("--out", required=True, type=Path, metavar="PATH")
    parser.add_argument("--session", type=int, metavar="ID", help="session id (kubios only)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file (csv: the export's files in an existing folder)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    force: bool = args.force
    if args.session is not None and not 1 <= args.session <= MAX_SESSION_ID:
        raise CommandError(
            f"--session must be a session id (a whole number from 1 to {MAX_SESSION_ID})"
        )
    if args.session is not None and args.format != "kubios":
        raise CommandError("--session is only used with --format kubios")
    if args.format != "csv" and out.is_dir():
        raise CommandError(f"{out} is a folder; give a file name")
    store = store_from_args(args)
    try:
        if args.format == "json":
            n = export_json(store, out, replace=force)
            print(f"wrote {n} sessions and the daily log to {out}")
        elif args.format == "csv":
            n = export_csv(store, out, replace=force)
            print(f"wrote {n} sessions and the daily log to the folder {out}")
        else:
            session_id = args.session
            if session_id is None:
                newest = store.sessions()
                if not newest:
                    raise CommandError("there are no sessions to export")
                session_id = newest[0].id
            elif store.session(session_id) is None:
                raise CommandError(f"there is no session {session_id}")
            if not store.beats(session_id):
                raise CommandError(f"session {session_id} has no beats")
            n = export_kubios(store, session_id, out, replace=force)
            print(f"wrote {n} beats of session {session_id} to {out}")
    except WriteRefusedError as exc:
        replaced = "the export's files in it" if args.format == "csv" else "it"
        hint = f"; use --force to replace {replaced}" if exc.exists else ""
        raise CommandError(f"{exc}{hint}") from exc
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        store.close()
    return 0
