"""Running the real program in child processes against one database, for the sharing tests."""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import multiprocessing.process
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEMO_SPEED = 20.0
"""The demo strap runs this many times faster than real time in these tests."""
POLL_S = 0.05


def app_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["BASELINE_DEMO_SPEED"] = str(DEMO_SPEED)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


@dataclass
class Child:
    """A running `python -m app ...` whose stderr goes to a file (no pipe to fill up)."""

    proc: subprocess.Popen[bytes]
    out: Path
    err: Path

    @property
    def stdout(self) -> str:
        return self.out.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match[str]:
        """Poll stderr until `pattern` appears (or fail if the process ends or time runs out)."""
        deadline = time.monotonic() + timeout_s
        while True:
            match = re.search(pattern, self.stderr)
            if match:
                return match
            if self.proc.poll() is not None:
                raise AssertionError(f"ended before {pattern!r}: {self.stderr}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} within {timeout_s} s: {self.stderr}")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=POLL_S)

    def wait_until(self, condition: Callable[[], bool], timeout_s: float) -> None:
        """Poll `condition` while the process runs (fail if it ends or time runs out)."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            if self.proc.poll() is not None:
                raise AssertionError(f"ended while waiting: {self.stderr}")
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout_s} s: {self.stderr}")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=POLL_S)

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM (like Ctrl-C) and wait for the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout_s)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)


def start(
    tmp_path: Path, name: str, db: Path, *args: str, env: dict[str, str] | None = None
) -> Child:
    out = tmp_path / f"{name}.out"
    err = tmp_path / f"{name}.err"
    with out.open("wb") as out_file, err.open("wb") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "--db", str(db), *args],
            stdout=out_file,
            stderr=err_file,
            stdin=subprocess.DEVNULL,
            env=env or app_env(),
        )
    return Child(proc, out, err)


def run(
    db: Path, *args: str, timeout_s: float = 120.0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
        env=env or app_env(),
        check=False,
    )


def write_day_files(folder: Path, count: int, n_beats: int, seed: int = 0) -> list[Path]:
    """`count` plain RR files of `n_beats` beats each (about a day at 100k), all different."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths: list[Path] = []
    for k in range(count):
        rr_ms = np.clip(850.0 + 60.0 * rng.standard_normal(n_beats), 400, 1600).round()
        path = folder / f"day{k}.txt"
        path.write_text("\n".join(str(int(v)) for v in rr_ms) + "\n")
        paths.append(path)
    return paths


def session_row(db: Path, session_id: int) -> tuple[str, str]:
    """(status, kind) of a session, read with a plain connection."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT status, kind FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
    finally:
        conn.close()
    assert row is not None
    return str(row[0]), str(row[1])


def assert_beats_in_order(db: Path, session_id: int) -> int:
    """Every beat stored once, numbered 0..n-1 without holes, times increasing; returns n."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT seq, t_ms FROM beats WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
    finally:
        conn.close()
    assert [r[0] for r in rows] == list(range(len(rows)))
    times = [r[1] for r in rows]
    assert all(b > a for a, b in itertools.pairwise(times))
    return len(rows)


def stored_beats(db: Path, session_id: int) -> int:
    rows = query(db, "SELECT count(*) FROM beats WHERE session_id = ?", session_id)
    return int(str(rows[0][0]))


def recorded_s(db: Path, session_id: int) -> float:
    """Seconds of session time up to the newest stored beat (0 without beats)."""
    rows = query(db, "SELECT max(t_ms) FROM beats WHERE session_id = ?", session_id)
    newest_ms = rows[0][0]
    return 0.0 if newest_ms is None else float(str(newest_ms)) / 1000.0


def lock_files(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.session-*.lock"))


def _run_cli(argv: list[str]) -> None:
    """In a forked child: run the real command, exit with its status (never return)."""
    from app.cli import main

    code = 70
    try:
        code = main(argv)
    finally:
        os._exit(code)


def fork_cli(argv: list[str]) -> multiprocessing.process.BaseProcess:
    """Run `baseline ARGV` in a forked child process: the real program, started in milliseconds
    (the parent has already imported it), so it can be killed at many points quickly."""
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_run_cli, args=(argv,), daemon=True)
    child.start()
    return child


def kill_after(child: multiprocessing.process.BaseProcess, delay_s: float) -> bool:
    """SIGKILL the child after `delay_s` unless it ended before; True when it was killed."""
    child.join(delay_s)
    if child.exitcode is not None:
        return False
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(30)
    return child.exitcode == -signal.SIGKILL


def integrity_ok(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    finally:
        conn.close()


def query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def next_command(db: Path) -> tuple[int, str]:
    """What the person runs next (`baseline trend`), in this process: (status, stderr)."""
    import contextlib
    import io

    from app.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["--db", str(db), "trend"])
    return code, err.getvalue()
