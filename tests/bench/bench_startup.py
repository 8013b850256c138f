"""Benchmark of start-up time and resident memory under Xvfb, against a bare PySide6 window and
(with `--openhrv PATH`) OpenHRV, side by side in one run.

Run: `.venv/bin/python tests/bench/bench_startup.py [--runs 5] [--openhrv /tmp/openhrv]`
(needs Debian `xvfb`; OpenHRV needs QtCharts, which PySide6-Addons has).

Every figure is measured from the same origin, the moment the parent spawns the process, to the
same event: the first paint of the main window has been handled (an event filter sees the
window's first `Paint` event and a zero timer posted from it fires after that paint pass; the
process then writes one line on stderr, which the parent timestamps as it arrives).

- bare: `python -c` with QApplication + QMainWindow holding a label, shown (the reference);
- Baseline: `baseline --verbose` (the venv's entry point, else `python -m app`), which says
  `baseline: main window shown` at the same moment, with private XDG folders (HOME too) holding
  a fresh copy of a database that has seen the welcome (no first-start dialog) where a user's
  database is, so no other app on a database answers instead; `--stats` gives its own
  `first_window_s` too (measured from the process start in /proc, 10 ms resolution), printed
  beside;
- OpenHRV: what its `python test/app.py` does (the mock sensor replaces the Bluetooth one),
  from the tree's root with PYTHONPATH=tree, plus the same first-paint probe. An uninstalled
  tree has no package metadata, which its `__init__` reads for its version: the benchmark writes
  a one-line `OpenHRV-VERSION.dist-info` into a temporary folder on PYTHONPATH (nothing is
  written into the tree).

Runs are interleaved (bare, Baseline, OpenHRV, bare, ...), after one warm-up of each that is
not counted (it also writes the bytecode caches: `PYTHONDONTWRITEBYTECODE` is dropped for the
children, as a normal install has its caches). Printed: min and median of each, the ratios to
bare (target: Baseline <= 1.5x bare), and the resident memory (VmRSS) of each process
`--settle` seconds after its first paint.

Live session memory: Baseline `--demo --start live` (the demo strap, at real speed; with the
sound cues on, the default, and off: OpenHRV plays no sound) and OpenHRV scanning its mock
sensors and connecting to the first, each `--live-seconds` after its first paint: VmRSS, and
Baseline / OpenHRV (target <= 1.5, with the default settings).

The last line is JSON with every figure. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: the checkout, for tests.bench

from tests.bench.xvfb_screen import xvfb_missing, xvfb_screen  # noqa: E402

DISPLAY = ":96"
FIRST_PAINT_LINE = "first-paint"
BASELINE_SHOWN_LINE = "baseline: main window shown"
STARTUP_TARGET = 1.5
MEMORY_TARGET = 1.5
PAINT_TIMEOUT_S = 60.0

# The probe the bare window and OpenHRV run: the same moment Baseline reports (the window's
# first Paint event, then a zero timer: the paint pass has been handled). Kept to sys, PySide6.
PROBE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched, event):
        if (
            not self.seen
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QMainWindow)
        ):
            self.seen = True
            QTimer.singleShot(0, lambda: print("first-paint", file=sys.stderr, flush=True))
        return False
"""

BARE = (
    PROBE
    + """
app = QApplication(sys.argv[:1])
probe = FirstPaint()
app.installEventFilter(probe)
from PySide6.QtWidgets import QLabel
window = QMainWindow()
window.setCentralWidget(QLabel("A bare PySide6 window"))
window.resize(1200, 780)
window.show()
sys.exit(app.exec())
"""
)

# As OpenHRV's test/app.py: its mock sensor classes replace the Bluetooth ones before the app
# is imported; then openhrv.app.main's steps, with the probe installed. With "live" as the first
# argument it scans (the mock finds three sensors) and connects to the first, once painted.
OPENHRV = (
    PROBE
    + """
import runpy
mock = runpy.run_path("test/app.py", run_name="openhrv_mock")
from openhrv import sensor
sensor.SensorClient = mock["MockSensorClient"]
sensor.SensorScanner = mock["MockSensorScanner"]
from openhrv.app import Application
app = Application(sys.argv[:1])
probe = FirstPaint()
app.installEventFilter(probe)
view = app._view
if sys.argv[1:] == ["live"]:
    def go_live():
        view.scanner.scan()
        view.connect_sensor()
        print("live", file=sys.stderr, flush=True)
    QTimer.singleShot(500, go_live)
view.show()
sys.exit(app.exec())
"""
)


@dataclass(frozen=True)
class Started:
    """One start: seconds from spawn to first paint, VmRSS in MB after settling."""

    first_paint_s: float
    rss_mb: float
    own_first_window_s: float | None = None


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for {pid}")


def run_until_painted(
    cmd: Sequence[str],
    env: dict[str, str],
    cwd: Path,
    paint_line: str,
    settle_s: float,
    stats_file: Path | None = None,
) -> Started:
    """Spawn `cmd`, wait for `paint_line` on its stderr, wait `settle_s`, read its memory, end it
    (SIGTERM) and return the figures."""
    spawned = time.monotonic()
    proc = subprocess.Popen(
        list(cmd), env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    seen: list[str] = []
    try:
        while True:
            line = proc.stderr.readline()
            if paint_line in line:
                painted = time.monotonic()
                break
            seen.append(line)
            if not line and proc.poll() is not None:
                raise RuntimeError(f"{cmd[:3]} ended before its first paint: {''.join(seen)}")
            if time.monotonic() - spawned > PAINT_TIMEOUT_S:
                raise RuntimeError(f"{cmd[:3]}: no first paint in {PAINT_TIMEOUT_S} s")
        time.sleep(settle_s)
        memory = rss_mb(proc.pid)
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd[:3]} ended early: {proc.stderr.read()}")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
    own: float | None = None
    if stats_file is not None and stats_file.exists():
        own = json.loads(stats_file.read_text()).get("first_window_s")
    return Started(painted - spawned, memory, own)


def template_database(folder: Path, *, sound_on: bool = True) -> Path:
    """A database that has seen the welcome, as on every start after the first (sound cues on,
    the default, or off)."""
    sys.path.insert(0, str(ROOT))
    from dataclasses import replace

    from app.store import open_store
    from app.store.records import SettingKey
    from app.store.settings import load_settings, save_settings

    path = folder / f"template-sound-{'on' if sound_on else 'off'}.db"
    store = open_store(path)
    store.set_setting(SettingKey.WELCOME_DONE, True)
    save_settings(store, replace(load_settings(store), sound_on=sound_on))
    store.close()
    return path


def baseline_command() -> list[str]:
    """The `baseline` command as the README starts it (the venv's entry point script), else
    `python -m app` (the same entry point)."""
    script = Path(sys.executable).with_name("baseline")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "app"]


def baseline_runner(
    env: dict[str, str], template: Path, extra: Sequence[str] = ()
) -> Callable[[float], Started]:
    def run(settle_s: float) -> Started:
        with tempfile.TemporaryDirectory(prefix="baseline-start-") as tmp:
            home = Path(tmp)
            stats = home / "stats.json"
            private = dict(env, HOME=str(home))
            for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
                (home / name).mkdir()
                private[name] = str(home / name)
            # where a user's database is (no --db): $XDG_DATA_HOME/Baseline/baseline.db
            (home / "XDG_DATA_HOME" / "Baseline").mkdir()
            shutil.copyfile(template, home / "XDG_DATA_HOME" / "Baseline" / "baseline.db")
            cmd = [*baseline_command(), "--verbose"]
            cmd += ["--stats", str(stats), *extra]
            return run_until_painted(cmd, private, ROOT, BASELINE_SHOWN_LINE, settle_s, stats)

    return run


def probe_runner(
    env: dict[str, str], code: str, cwd: Path, args: Sequence[str] = ()
) -> Callable[[float], Started]:
    def run(settle_s: float) -> Started:
        cmd = [sys.executable, "-c", code, *args]
        return run_until_painted(cmd, env, cwd, FIRST_PAINT_LINE, settle_s)

    return run


def openhrv_metadata(tree: Path, folder: Path) -> Path:
    """A folder holding OpenHRV's package metadata (name and version from its pyproject)."""
    import tomllib

    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = folder / f"{project['name']}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    metadata = f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    (info / "METADATA").write_text(metadata, encoding="utf-8")
    return folder


def summary(values: Sequence[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="counted starts of each (default 5)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before reading RSS")
    parser.add_argument("--live-seconds", type=float, default=30.0)
    parser.add_argument("--openhrv", type=Path, help="an OpenHRV source tree (its root)")
    parser.add_argument("--skip-live", action="store_true")
    args = parser.parse_args()
    if xvfb_missing():
        return 2
    if args.openhrv is not None and not (args.openhrv / "openhrv" / "view.py").is_file():
        print(f"{args.openhrv} is not an OpenHRV source tree", file=sys.stderr)
        return 2

    starts: dict[str, list[Started]] = {}
    live: dict[str, Started] = {}
    with xvfb_screen(DISPLAY) as env:
        for name in ("PYTHONDONTWRITEBYTECODE", "BASELINE_DB"):
            env.pop(name, None)
        baseline_env = dict(env, PYTHONPATH=str(ROOT))
        with tempfile.TemporaryDirectory(prefix="baseline-bench-") as tmp, ExitStack() as stack:
            if shutil.which("pulseaudio") is not None:  # cues really play, to a null sink
                from tests.gui.pulse_server import private_pulse_server

                pulse = stack.enter_context(private_pulse_server(Path(tmp)))
                baseline_env["PULSE_SERVER"] = pulse["PULSE_SERVER"]
                print("sound: Baseline plays its cues to a private PulseAudio null sink")
            else:
                print("sound: no PulseAudio here, so Baseline's cue player finds no output")
            template = template_database(Path(tmp))
            runners: dict[str, Callable[[float], Started]] = {
                "bare": probe_runner(env, BARE, ROOT),
                "baseline": baseline_runner(baseline_env, template),
            }
            quiet = template_database(Path(tmp), sound_on=False)
            live_args = ["--demo", "--start", "live"]
            live_runners: dict[str, Callable[[float], Started]] = {
                "baseline": baseline_runner(baseline_env, template, live_args),
                "baseline, sound off": baseline_runner(baseline_env, quiet, live_args),
            }
            if args.openhrv is not None:
                tree = args.openhrv.resolve()
                metadata = openhrv_metadata(tree, Path(tmp) / "openhrv-metadata")
                openhrv_env = dict(env, PYTHONPATH=os.pathsep.join([str(tree), str(metadata)]))
                runners["openhrv"] = probe_runner(openhrv_env, OPENHRV, tree)
                live_runners["openhrv"] = probe_runner(openhrv_env, OPENHRV, tree, ["live"])
            for run in runners.values():  # warm-up: caches, bytecode; not counted
                run(0.0)
            for _ in range(args.runs):
                for name, run in runners.items():
                    starts.setdefault(name, []).append(run(args.settle))
                    print(f"  {name}: {starts[name][-1]}", file=sys.stderr, flush=True)
            if not args.skip_live:
                for name, run in live_runners.items():
                    live[name] = run(args.live_seconds)
                    print(f"  {name} live: {live[name]}", file=sys.stderr, flush=True)

    result: dict[str, Any] = {"runs": args.runs, "settle_s": args.settle}
    print(f"first paint of the main window from process spawn, {args.runs} runs (Xvfb):")
    bare_median = statistics.median(s.first_paint_s for s in starts["bare"])
    met = True
    for name, runs in starts.items():
        paint = summary([s.first_paint_s for s in runs])
        memory = summary([s.rss_mb for s in runs])
        ratio = paint["median"] / bare_median
        result[name] = {
            "first_paint_s": paint,
            "rss_mb": memory,
            "ratio_to_bare": ratio,
        }
        own = [s.own_first_window_s for s in runs if s.own_first_window_s is not None]
        line = (
            f"  {name:9s} min {paint['min'] * 1000:6.0f} ms, median {paint['median'] * 1000:6.0f}"
            f" ms, {ratio:4.2f}x bare; RSS {memory['median']:5.1f} MB"
        )
        if own:
            result[name]["own_first_window_s"] = summary(own)
            line += f" (its --stats: median first_window_s {statistics.median(own):.2f})"
        print(line)
    baseline_ratio = result["baseline"]["ratio_to_bare"]
    met &= baseline_ratio <= STARTUP_TARGET
    print(f"  Baseline / bare {baseline_ratio:.2f} (target <= {STARTUP_TARGET})")
    if "openhrv" in result:
        print(f"  OpenHRV / bare {result['openhrv']['ratio_to_bare']:.2f}")
    if live:
        print(f"resident memory {args.live_seconds:.0f} s into a live session:")
        for name, started in live.items():
            result[f"{name.replace(', ', '_').replace(' ', '_')}_live_rss_mb"] = started.rss_mb
            print(f"  {name:19s} {started.rss_mb:5.1f} MB")
        if "openhrv" in live:
            ratio = live["baseline"].rss_mb / live["openhrv"].rss_mb
            quiet_ratio = live["baseline, sound off"].rss_mb / live["openhrv"].rss_mb
            result["live_rss_ratio_to_openhrv"] = ratio
            result["live_rss_ratio_to_openhrv_sound_off"] = quiet_ratio
            met &= ratio <= MEMORY_TARGET
            print(f"  Baseline / OpenHRV {ratio:.2f} (target <= {MEMORY_TARGET});")
            print(f"  with Baseline's sound cues off (OpenHRV has none) {quiet_ratio:.2f}")
    print(json.dumps(result))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
