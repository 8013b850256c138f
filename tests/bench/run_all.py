"""Run every benchmark in this folder, one after another, and say which missed a target.

Run: `.venv/bin/python tests/bench/run_all.py [NAME ...]` (names without `bench_` and `.py`, e.g.
`analyze live`; default: all). Each benchmark runs as its own process from the repository root, so
its figures are not disturbed by the others; each measures its own reference in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    missed: list[str] = []
    for name in names:
        script = BENCH_DIR / f"bench_{name}.py"
        if not script.is_file():
            print(f"no benchmark named {name!r}", file=sys.stderr)
            return 2
        print(f"\n=== {script.relative_to(ROOT)}", flush=True)
        code = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, check=False)
        if code.returncode != 0:
            missed.append(name)
    print("\nall targets met" if not missed else f"\ntargets missed or failed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
