"""`baseline export --format json|csv|kubios --out PATH [--session ID]`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.commands.common import store_from_args
from app.commands.errors import CommandError
from app.formats.export import export_csv, export_json, export_kubios


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        parents=list(parents),
        help="write everything as JSON or a CSV folder, or one session as Kubios RR text",
        description="json: every session with beats, heart rate and marks, and the daily log "
        "(importable again). csv: a folder with sessions.csv, beats.csv, heart_rate.csv, "
        "marks.csv and log.csv. kubios: one session's RR as 'time rr' text in seconds "
        "(--session, default the newest session).",
    )
    parser.add_argument("--format", required=True, choices=("json", "csv", "kubios"))
    parser.add_argument("--out", required=True, type=Path, metavar="PATH")
    parser.add_argument("--session", type=int, metavar="ID", help="session id (kubios only)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if args.session is not None and args.format != "kubios":
        raise CommandError("--session is only used with --format kubios")
    if args.format == "csv" and out.exists() and not out.is_dir():
        raise CommandError(f"{out} exists and is not a folder")
    if args.format != "csv" and out.is_dir():
        raise CommandError(f"{out} is a folder; give a file name")
    store = store_from_args(args)
    try:
        if args.format == "json":
            n = export_json(store, out)
            print(f"wrote {n} sessions and the daily log to {out}")
        elif args.format == "csv":
            n = export_csv(store, out)
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
            n = export_kubios(store, session_id, out)
            if n == 0:
                raise CommandError(f"session {session_id} has no beats")
            print(f"wrote {n} beats of session {session_id} to {out}")
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        store.close()
    return 0
