"""Benchmark of the live session screen under Xvfb (1280x800) with the demo strap.

Run: `.venv/bin/python tests/bench/bench_live.py [--openhrv PATH] [--seconds 60]
[--warmup 155] [--memory-minutes 60]` (needs Debian `xvfb` and the xcb libraries Qt uses;
DESIGN.md section 8).

Each measurement runs the real app window (`build_window`, as `baseline --demo`) in a child
process on a private Xvfb display; the parent reads the child's CPU time and resident memory
from /proc. Measuring starts after `--warmup` seconds of session: by default past the live
plots' 150-s window, so the plots scroll as they do for the rest of a session.

1. live: the Live session page with the demo strap at real speed for `--seconds`:
   CPU of the app process (% of one core), pacer frame interval p50/p99, beat-to-screen
   latency p99 (packet arrival -> curves updated for repaint), resident memory at the end.
2. references, same run: OpenHRV's live session with its mock sensor (`--openhrv PATH`, an
   OpenHRV source tree: its `test/app.py` mock sensor, connected at once, pacer at 8 Hz);
   the pacer alone (a session with no strap); a naive live plot (every pacer frame redraws the
   whole session's heart rate with antialiasing, no downsampling).
3. memory: a `--memory-minutes` session fed by the demo strap at 60x speed; resident memory
   after the first 5 minutes of session time vs at the end.
4. `--tree PATH` measures another Baseline checkout (say, a worktree of an older commit) in the
   same run as this one, for before/after figures.

Targets (issue 17): live CPU <= OpenHRV's, pacer frame p99 <= 25 ms at 60 Hz, beat-to-screen
p99 <= 50 ms, the pacer alone at most half of its cost before (9.8 of 19.5 % here against
OpenHRV 9.8 %, so at most 0.9x OpenHRV), resident memory <= 1.5x OpenHRV's, memory growth
<= 5 MB over 60 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: the checkout, for tests.bench

from tests.bench.xvfb_screen import xvfb_missing, xvfb_screen  # noqa: E402

DISPLAY = ":97"
READY_TIMEOUT_S = 60.0


# -- OpenHRV reference child ------------------------------------------------------------------
OPENHRV_CHILD = """
import importlib.util, json, os, sys
tree, seconds = sys.argv[1], float(sys.argv[2])
sys.path.insert(0, tree)
import importlib.metadata as metadata
_version = metadata.version
metadata.version = lambda name: "source" if name.lower() == "openhrv" else _version(name)
spec = importlib.util.spec_from_file_location("openhrv_mock", os.path.join(tree, "test", "app.py"))
mock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mock)
from openhrv import sensor
sensor.SensorClient = mock.MockSensorClient
sensor.SensorScanner = mock.MockSensorScanner
from PySide6.QtCore import QTimer
from openhrv.app import Application
app = Application(sys.argv[:1])
view = app._view
view.resize(1280, 800)
view.move(0, 0)
view.show()
def start():
    view.scanner.scan()
    view.connect_sensor()
    print("ready", file=sys.stderr, flush=True)
def finish():
    print(json.dumps({"mode": "openhrv"}), flush=True)
    os._exit(0)
QTimer.singleShot(500, start)
QTimer.singleShot(int(seconds * 1000), finish)
app.exec()
"""


# -- child: runs inside the Xvfb display ------------------------------------------------------
def child(
    mode: str, seconds: float, warmup_s: float, db_path: str, memory_minutes: float, root: str
) -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QBoxLayout

    sys.path.insert(0, root)  # the Baseline checkout measured (this one or --tree)
    try:  # as the app's entry point does, before importing anything else
        from app.ui.startup.pyside_imports import read_sources_uncached

        read_sources_uncached()
    except ImportError:  # an older checkout
        pass
    try:
        from app.ui.startup.no_tls import refuse_tls

        refuse_tls()
    except ImportError:  # an older checkout
        pass
    import asyncio

    import numpy as np
    import qasync

    from app.session.core_metrics import CoreAnalysis
    from app.session.sources import SourceOptions
    from app.store import open_store
    from app.store.settings import AppSettings
    from app.ui.app import build_app, build_window
    from app.ui.pages.breathe import BreathePage
    from app.ui.pages.live_session import LiveSessionPage
    from app.ui.services.settings_model import SettingsModel

    app = QApplication(sys.argv[:1])
    store = open_store(Path(db_path))
    try:  # as `baseline --start live|breathe` builds it: only the page on show is built
        from app.ui.pages import names
        from app.ui.shell import build_shell

        first = names.BREATHE if mode == "breathe" else names.LIVE
        shell = build_shell(store, demo=True, first=first)
        window = build_app(store, demo=True, shell=shell, lazy=True).window
    except ImportError:  # an older checkout builds every page
        window = build_window(store, demo=True)
    speed = 60.0 if mode == "memory" else 1.0
    if mode == "memory":
        # A second page with a fast demo strap replaces the default one for this run.
        page = LiveSessionPage(
            store,
            SettingsModel(store, AppSettings(session_minutes=0, sound_on=False)),
            CoreAnalysis(),
            SourceOptions(demo_speed=speed, demo_seed=5),
        )
        window.add_page(page, name="Live (60x)")
        window.show_page("Live (60x)")
    elif mode == "breathe":
        window.show_page(BreathePage.TITLE)
        found = window.stack.currentWidget()
        assert isinstance(found, BreathePage)
        breathe: BreathePage = found
    else:
        window.show_page(LiveSessionPage.TITLE)
        current = window.stack.currentWidget()
        assert isinstance(current, LiveSessionPage)
        page = current
    window.resize(1280, 800)
    window.move(0, 0)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    result: dict[str, Any] = {"mode": mode}
    naive_curve: Any = None
    naive_plot: Any = None

    frame_times: list[float] = []  # the Breathe page's frames (the Live page keeps its own)
    refresh_s: list[float] = []  # how long each redraw of the live plots and numbers took
    measured_from: dict[str, int] = {}

    def breathe_frame() -> None:
        frame_times.append(time.perf_counter())

    def mark_measuring() -> None:
        measured_from["frames"] = len(frame_times)
        measured_from["refreshes"] = len(refresh_s)
        if mode != "breathe":
            measured_from["ring"] = page.frame_intervals_s.total

    def start() -> None:
        QTimer.singleShot(int(warmup_s * 1000), mark_measuring)
        if mode == "breathe":
            breathe.start()
            breathe.frame_timer.timeout.connect(breathe_frame)
            print("ready", file=sys.stderr, flush=True)
            return
        refresh = page.refresh_live

        def timed_refresh() -> None:
            t0 = time.perf_counter()
            refresh()
            refresh_s.append(time.perf_counter() - t0)

        page.refresh_live = timed_refresh  # type: ignore[method-assign]
        if mode == "pacer":
            page.picker.none_button.setChecked(True)
        else:
            page.picker.demo_button.setChecked(True)
        page.start()
        if mode == "naive":
            import pyqtgraph as pg  # the naive reference only: the live page imports none

            nonlocal naive_curve, naive_plot
            pg.setConfigOptions(antialias=True)
            # A plain pyqtgraph plot beside the live plots, redrawn whole on every frame.
            naive_plot = pg.PlotWidget()
            beside = next(
                layout
                for layout in page.run_view.findChildren(QBoxLayout)
                if layout.indexOf(page.plots) >= 0
            )
            beside.insertWidget(beside.indexOf(page.plots) + 1, naive_plot, 3)
            naive_curve = naive_plot.plot(pen=pg.mkPen("r", width=2))
            page.plot_timer.stop()  # the naive variant redraws on every pacer frame instead
            page.frame_timer.timeout.connect(naive_frame)
        print("ready", file=sys.stderr, flush=True)

    def naive_frame() -> None:
        session = page.session
        assert session is not None
        beats = session.recorder.beats if session.recorder else ()
        t = np.array([b.t_ms for b in beats]) / 1000.0
        hr = 60000.0 / np.array([b.rr_ms for b in beats]) if beats else np.array([])
        naive_curve.setData(t, hr)
        naive_plot.setXRange(0, max(session.now_s(), 1.0))
        page.refresh_live()

    rss: list[tuple[float, float]] = []

    def sample_memory() -> None:
        session = page.session
        if session is None:
            return
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        rss.append((session.now_s(), pages * os.sysconf("SC_PAGE_SIZE") / 1e6))
        if session.now_s() >= memory_minutes * 60.0:
            finish()

    def finish() -> None:
        if mode == "breathe":
            times = np.array(frame_times[measured_from.get("frames", 0) :])
            frames = np.diff(times)
            result["pacer_paints"] = breathe.pacer.frames_painted
            result["session_s"] = breathe.engine.active_s() if breathe.engine else 0.0
        else:
            ring = page.frame_intervals_s
            frames = ring.last(min(ring.total - measured_from.get("ring", 0), len(ring)))
            result["pacer_paints"] = page.pacer.frames_painted
        if frames.size:
            result["frame_p50_ms"] = float(np.percentile(frames, 50) * 1000)
            result["frame_p99_ms"] = float(np.percentile(frames, 99) * 1000)
            result["frame_max_ms"] = float(np.max(frames) * 1000)
            result["frames"] = int(frames.size)
        refreshes = np.array(refresh_s[measured_from.get("refreshes", 0) :])
        if refreshes.size:
            result["refresh_p50_ms"] = float(np.percentile(refreshes, 50) * 1000)
            result["refresh_max_ms"] = float(np.max(refreshes) * 1000)
        if mode == "breathe":
            print(json.dumps(result), flush=True)
            os._exit(0)
        latencies = page.beat_latencies_s.last()
        in_app = page.beat_in_app_latencies_s.last()
        if in_app.size:
            result["in_app_p50_ms"] = float(np.percentile(in_app, 50) * 1000)
            result["in_app_p99_ms"] = float(np.percentile(in_app, 99) * 1000)
        if latencies.size:
            result["latency_p50_ms"] = float(np.percentile(latencies, 50) * 1000)
            result["latency_p99_ms"] = float(np.percentile(latencies, 99) * 1000)
            result["latency_n"] = int(latencies.size)
        if page.session is not None:
            result["beats"] = page.session.beats_received
            result["session_s"] = page.session.now_s()
        result["plot_repaints"] = page.plots.repaints
        if rss:
            base = next((m for t, m in rss if t >= 300.0), rss[0][1])
            result["rss_after_5min_mb"] = base
            result["rss_end_mb"] = rss[-1][1]
            result["rss_max_mb"] = max(m for _, m in rss)
        print(json.dumps(result), flush=True)
        page.shutdown()
        store.close()
        os._exit(0)  # skip interpreter teardown of Qt objects: the figures are out

    window.show()
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMaximized)
    QTimer.singleShot(500, start)
    if mode == "memory":
        timer = QTimer()
        timer.timeout.connect(sample_memory)
        timer.start(250)
    else:
        QTimer.singleShot(int((2.0 + warmup_s + seconds) * 1000), finish)  # after the parent reads
    with loop:
        loop.run_forever()
    store.close()
    return 0


# -- parent ------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def run_child(
    mode: str,
    seconds: float,
    warmup_s: float,
    env: dict[str, str],
    *,
    root: Path = ROOT,
    memory_minutes: float = 0.0,
    openhrv: Path | None = None,
) -> dict[str, Any]:
    """Run one measured child; CPU over `seconds` after `warmup_s` from its "ready" line."""
    with tempfile.TemporaryDirectory() as tmp:
        if openhrv is not None:
            cmd = [sys.executable, "-c", OPENHRV_CHILD, str(openhrv), str(warmup_s + seconds + 1)]
            cwd = openhrv
        else:
            db = str(Path(tmp) / "bench.db")
            cmd = [sys.executable, __file__, "--child", mode, "--seconds", str(seconds)]
            cmd += ["--warmup", str(warmup_s), "--db", db, "--root", str(root)]
            cmd += ["--memory-minutes", str(memory_minutes)]
            cwd = root
        child_env = dict(env, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp, XDG_STATE_HOME=tmp)
        proc = subprocess.Popen(
            cmd, env=child_env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stderr is not None and proc.stdout is not None
        started = time.monotonic()
        while "ready" not in proc.stderr.readline():
            if proc.poll() is not None or time.monotonic() - started > READY_TIMEOUT_S:
                proc.kill()
                raise RuntimeError(f"{mode} child ended early: {proc.stderr.read()[-2000:]}")
        time.sleep(warmup_s)
        cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
        rss_end = float("nan")
        if mode != "memory":
            time.sleep(seconds - 0.2)
            cpu1, wall1 = cpu_seconds(proc.pid), time.monotonic()
            rss_end = rss_mb(proc.pid)
        out, err = proc.communicate(timeout=max(120.0, memory_minutes * 3 + 60))
        if mode == "memory":
            cpu1, wall1 = cpu0, wall0 + 1e-9
        if proc.returncode != 0:
            raise RuntimeError(f"{mode} child failed: {err[-2000:]}")
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        result["cpu_pct_of_one_core"] = 100.0 * (cpu1 - cpu0) / (wall1 - wall0)
        result["rss_mb"] = rss_end
        return result


def cpu(result: dict[str, Any]) -> float:
    return float(result["cpu_pct_of_one_core"])


def describe_live(name: str, live: dict[str, Any], seconds: float, warmup: float) -> None:
    print(f"{name}: live session, demo strap, {seconds:.0f} s after {warmup:.0f} s, 1280x800 Xvfb")
    print(f"  CPU of the app process: {cpu(live):.1f}% of one core")
    print(
        f"  pacer frame interval: p50 {live['frame_p50_ms']:.1f} ms,"
        f" p99 {live['frame_p99_ms']:.1f} ms over {live['frames']} frames (target p99 <= 25)"
    )
    if "latency_p99_ms" in live:
        print(
            f"  beat-to-screen latency: p50 {live['latency_p50_ms']:.1f} ms, p99"
            f" {live['latency_p99_ms']:.1f} ms over {live['latency_n']} packets (target p99 <= 50)"
        )
        print(
            f"  beat-to-screen from the moment the app receives the packet: p50"
            f" {live['in_app_p50_ms']:.1f} ms, p99 {live['in_app_p99_ms']:.1f} ms (the line above"
            " also counts how late the demo strap's own timer fired)"
        )
    print(
        f"  slowest frame {live['frame_max_ms']:.1f} ms; a redraw of the plots and numbers took"
        f" {live.get('refresh_p50_ms', float('nan')):.1f} ms (median),"
        f" {live.get('refresh_max_ms', float('nan')):.1f} ms at most"
    )
    print(f"  pacer paints: {live['pacer_paints']} in the whole session")
    print(
        f"  plot updates: {live['plot_repaints']} in {live['session_s']:.0f} s;"
        f" beats {live['beats']}; resident memory {live['rss_mb']:.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--warmup", type=float, default=155.0, help="session seconds before measuring"
    )
    parser.add_argument("--memory-minutes", type=float, default=60.0)
    parser.add_argument("--reference-seconds", type=float, default=30.0)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--openhrv", type=Path, help="an OpenHRV source tree, the reference")
    parser.add_argument("--tree", type=Path, help="another Baseline checkout to measure too")
    parser.add_argument("--child")
    parser.add_argument("--db")
    parser.add_argument("--root", default=str(ROOT))
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.seconds, args.warmup, args.db, args.memory_minutes, args.root)

    if xvfb_missing():
        return 2
    if args.openhrv is not None and not (args.openhrv / "test" / "app.py").is_file():
        print(f"{args.openhrv} is not an OpenHRV source tree (no test/app.py)", file=sys.stderr)
        return 2
    if args.tree is not None and not (args.tree / "app" / "ui" / "app.py").is_file():
        print(f"{args.tree} is not a Baseline checkout (no app/ui/app.py)", file=sys.stderr)
        return 2
    secs, warm, ref_secs = args.seconds, args.warmup, args.reference_seconds
    results: dict[str, dict[str, Any]] = {}
    with xvfb_screen(DISPLAY) as env:
        # Interleaved, so a slow spell of the machine hits both sides of each ratio alike.
        if args.openhrv is not None:
            results["openhrv"] = run_child("openhrv", secs, warm, env, openhrv=args.openhrv)
        results["live"] = run_child("live", secs, warm, env)
        if args.tree is not None:
            results["tree_live"] = run_child("live", secs, warm, env, root=args.tree)
        results["pacer"] = run_child("pacer", ref_secs, 5.0, env)
        if args.tree is not None:
            results["tree_pacer"] = run_child("pacer", ref_secs, 5.0, env, root=args.tree)
        results["breathe"] = run_child("breathe", ref_secs, 5.0, env)
        if args.tree is not None:
            results["tree_breathe"] = run_child("breathe", ref_secs, 5.0, env, root=args.tree)
        if args.openhrv is not None:
            results["openhrv_2"] = run_child("openhrv", ref_secs, 5.0, env, openhrv=args.openhrv)
        if not args.skip_naive:
            results["naive"] = run_child("naive", ref_secs, 5.0, env)
        if not args.skip_memory:
            results["memory"] = run_child("memory", 0, 0.0, env, memory_minutes=args.memory_minutes)

    live, pacer = results["live"], results["pacer"]
    describe_live("this checkout", live, secs, warm)
    if "tree_live" in results:
        describe_live(f"{args.tree}", results["tree_live"], secs, warm)
    print("references measured in the same run:")
    if "openhrv" in results:
        ref = results["openhrv"]
        ref2 = results["openhrv_2"]
        print(
            f"  OpenHRV live session (mock sensor): CPU {cpu(ref):.1f}% (and {cpu(ref2):.1f}%"
            f" in a second run after the pacer runs), resident memory {ref['rss_mb']:.0f} MB"
        )
        print(
            f"  live / OpenHRV CPU = {cpu(live) / max(cpu(ref), 0.1):.2f}x (target <= 1);"
            f" pacer alone / OpenHRV = {cpu(pacer) / max(cpu(ref2), 0.1):.2f}x (target <= 0.9)"
        )
        print(
            f"  live / OpenHRV resident memory = {live['rss_mb'] / ref['rss_mb']:.2f}x"
            " (target <= 1.5)"
        )
        if "tree_live" in results:
            print(
                f"  {args.tree}: live / OpenHRV CPU ="
                f" {cpu(results['tree_live']) / max(cpu(ref), 0.1):.2f}x, pacer alone / OpenHRV"
                f" = {cpu(results['tree_pacer']) / max(cpu(ref2), 0.1):.2f}x, memory"
                f" {results['tree_live']['rss_mb'] / ref['rss_mb']:.2f}x"
            )
    print(
        f"  pacer only (no strap): CPU {cpu(pacer):.1f}%, frame p99"
        f" {pacer['frame_p99_ms']:.1f} ms; live / pacer-only CPU ="
        f" {cpu(live) / max(cpu(pacer), 0.1):.2f}x"
    )
    if "tree_pacer" in results:
        tree_pacer = results["tree_pacer"]
        print(
            f"  {args.tree} pacer only: CPU {cpu(tree_pacer):.1f}%, frame p99"
            f" {tree_pacer['frame_p99_ms']:.1f} ms; this / that ="
            f" {cpu(pacer) / max(cpu(tree_pacer), 0.1):.2f}x (target <= 0.5)"
        )
    breathe = results["breathe"]
    print(
        f"  the Breathe page's pacer (no strap): CPU {cpu(breathe):.1f}%, frame p99"
        f" {breathe['frame_p99_ms']:.1f} ms, {breathe['pacer_paints']} paints"
        f" in {breathe['session_s']:.0f} s"
    )
    if "tree_breathe" in results:
        tree_breathe = results["tree_breathe"]
        print(
            f"  {args.tree} Breathe page: CPU {cpu(tree_breathe):.1f}%, frame p99"
            f" {tree_breathe['frame_p99_ms']:.1f} ms; this / that ="
            f" {cpu(breathe) / max(cpu(tree_breathe), 0.1):.2f}x (target <= 0.5)"
        )
    if "openhrv" in results:
        print(
            f"  Breathe page / OpenHRV = {cpu(breathe) / max(cpu(results['openhrv_2']), 0.1):.2f}x"
        )
    if "naive" in results:
        naive = results["naive"]
        print(
            f"  naive live plot (full redraw every frame): CPU {cpu(naive):.1f}%,"
            f" frame p99 {naive['frame_p99_ms']:.1f} ms; live / naive CPU ="
            f" {cpu(live) / max(cpu(naive), 0.1):.2f}x"
        )
    if "memory" in results:
        mem = results["memory"]
        growth = mem["rss_end_mb"] - mem["rss_after_5min_mb"]
        print(
            f"memory over a {args.memory_minutes:.0f}-minute session at 60x: RSS after 5 min"
            f" {mem['rss_after_5min_mb']:.1f} MB, at the end {mem['rss_end_mb']:.1f} MB,"
            f" growth {growth:+.1f} MB (target <= 5); beats {mem['beats']}"
        )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
