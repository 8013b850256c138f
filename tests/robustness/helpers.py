"""Running the real `baseline` program in a child process, with a timeout and a private home."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120
#: Prints the child's own peak memory (KiB) on stderr after the command ran. On Linux this is
#: VmHWM of the child's own address space: `ru_maxrss` would carry over the high-water mark of
#: the (large) test process that forked it, since Linux keeps it across exec.
_MEASURED = (
    "import resource, sys\n"
    "from pathlib import Path\n"
    "from app.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "status = Path('/proc/self/status')\n"
    "hwm = [l.split()[1] for l in status.read_text().splitlines() if l.startswith('VmHWM')]"
    " if status.exists() else []\n"
    "peak = int(hwm[0]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print('peak-rss-kib', peak, file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_STATE_HOME"] = str(home / "state")
    env["XDG_DATA_HOME"] = str(home / "data")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["BASELINE_DB"] = str(home / "default.db")
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_baseline(
    args: Sequence[str | bytes], home: Path, *, measure: bool = False
) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGS` (or the measuring wrapper), finished within TIMEOUT_S."""
    prefix: list[str | bytes] = (
        [sys.executable, "-c", _MEASURED] if measure else [sys.executable, "-m", "app"]
    )
    return subprocess.run(
        [*prefix, *args],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        env=child_env(home),
        cwd=ROOT,
        timeout=TIMEOUT_S,
        check=False,
    )


def peak_rss_mib(stderr: str) -> float:
    line = next(line for line in stderr.splitlines() if line.startswith("peak-rss-kib"))
    return int(line.split()[1]) / 1024


def command_lines(stderr: str) -> list[str]:
    """stderr without the measuring wrapper's line."""
    return [line for line in stderr.splitlines() if not line.startswith("peak-rss-kib")]


def write_gzip_bomb(path: Path, expanded_bytes: int) -> None:
    """A valid gzip file of zeros that expands to `expanded_bytes`, made in a blink.

    One 16 MiB member of zeros is compressed once and written repeatedly (gzip allows several
    members in one file), so neither the test nor the file is large (~16 KiB per 16 MiB).
    """
    member_bytes = 16 * 1024**2
    member = gzip.compress(bytes(member_bytes), compresslevel=9)
    with path.open("wb") as handle:
        for _ in range(expanded_bytes // member_bytes):
            handle.write(member)
