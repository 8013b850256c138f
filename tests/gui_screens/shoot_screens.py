"""Screenshots of the morning check, the live session, its summary and the Bluetooth message,
light and dark, for review (run under Xvfb; not collected by pytest).

Usage: xvfb-run -a .venv/bin/python -m tests.gui_screens.shoot_screens OUT_DIR [ONLY]
Writes morning_measuring_THEME.png, morning_result_THEME.png, live_THEME.png,
summary_THEME.png, no_bluetooth_THEME.png and no_bluetooth_details_THEME.png for THEME in light
and dark (ONLY: morning, live or bluetooth).
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import qasync
from bleak.backends.scanner import BaseBleakScanner
from PySide6.QtWidgets import QApplication, QWidget

import app.ui.pages.live_session as live_module
from app.session.sources import BuiltSource, SourceOptions, build_source
from app.store import Store, open_store
from app.store.daily import save_day
from app.store.records import LogEntry
from app.store.settings import AppSettings, save_settings
from app.ui.app import build_app, strap_scanner
from app.ui.dialogs.readiness import ReadinessDialog
from app.ui.theme import apply_theme
from sensors.ble import BleBackend
from sensors.hrs import encode_measurement, parse_measurement
from sensors.simulated import DemoStrap
from sensors.source import Sample
from tests.stubs import FakeClock, ScriptedSource

THEMES = ("light", "dark")


def _packet(at_s: float, bpm: int, rr_ms: float) -> Sample:
    units = (round(rr_ms * 1.024),)
    return Sample(parse_measurement(encode_measurement(bpm, contact=True, rr_units=units)), at_s)


def _calm_rr(n: int, rmssd_ms: float) -> list[float]:
    period = 4.6
    amplitude = rmssd_ms / (math.sqrt(2.0) * math.sin(math.pi / period))
    rng = np.random.default_rng(3)
    k = np.arange(n)
    return [
        float(x)
        for x in 960.0 + amplitude * np.sin(2 * math.pi * k / period) + rng.normal(0, 1.0, n)
    ]


async def _until(cond: Callable[[], bool], timeout_s: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while not cond():
        if loop.time() > end:
            raise TimeoutError
        await asyncio.sleep(0.01)


def _save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    widget.grab().save(str(path))


async def morning_check(store: Store, out: Path, theme: str) -> None:
    rng = np.random.default_rng(5)
    today = date.today()
    for back in range(1, 31):
        value = float(52.0 * math.exp(rng.normal(0.0, 0.15)))
        save_day(store, LogEntry((today - timedelta(days=back)).isoformat(), rmssd_ms=value))
    clock = FakeClock(1000.0)
    strap = ScriptedSource()

    def build(
        _kind: str, _address: str | None, _rate: Callable[[float], float], _options: SourceOptions
    ) -> BuiltSource:
        return BuiltSource(strap, clock, "Polar H10 A1B2C3", "AA:BB")

    dialog = ReadinessDialog(store, SourceOptions(), source_factory=build)
    dialog.configure(strap="demo", minutes=2)
    dialog.resize(640, 440)
    dialog.show()
    dialog.start_button.click()
    strap.connect(clock.now_s, "Polar H10 A1B2C3", "AA:BB")
    shot = False
    for i, rr in enumerate(_calm_rr(140, 38.0), start=1):
        strap.put(_packet(clock.advance(rr / 1000.0), round(60000.0 / rr), rr))
        await _until(
            lambda n=i: (
                dialog.state == "result"  # type: ignore[misc]
                or (dialog.recorder is not None and len(dialog.recorder.beats) >= n)
            )
        )
        if i == 50 and not shot:
            await asyncio.sleep(0.25)
            _save(dialog, out / f"morning_measuring_{theme}.png")
            shot = True
        if dialog.state == "result":
            break
    await _until(lambda: dialog.state == "result")
    dialog.details.button.click()
    await asyncio.sleep(0.2)
    _save(dialog, out / f"morning_result_{theme}.png")
    dialog.done_button.click()


def _strap_with_missed_beats(
    kind: str, address: str | None, rate: Callable[[float], float], options: SourceOptions
) -> BuiltSource | None:
    """The demo strap with an early beat now and then, so the plots show corrected beats."""
    if kind != "demo":
        return build_source(kind, address, rate, options)
    strap = DemoStrap(
        rate,
        seed=options.demo_seed,
        clock=options.clock,
        speed=options.demo_speed,
        ectopic_probability=0.02,
    )
    return BuiltSource(strap, strap.now_s, "Demo strap", "demo", simulated=True)


async def live_and_summary(store: Store, out: Path, theme: str) -> None:
    save_settings(store, AppSettings(session_minutes=0, sound_on=False, theme=theme))  # type: ignore[arg-type]
    setattr(live_module, "build_source", _strap_with_missed_beats)  # noqa: B010 (a review script)
    ui = build_app(store, source_options=SourceOptions(demo_speed=10.0, demo_seed=7))
    window = ui.window
    page = ui.live
    assert page is not None
    window.resize(1280, 800)
    window.show()
    window.show_page(page)
    page.picker.demo_button.setChecked(True)
    page.start()
    session = page.session
    assert session is not None
    await _until(lambda: session.now_s() > 200.0, 90.0)
    await asyncio.sleep(0.3)
    _save(window, out / f"live_{theme}.png")
    page.stop()
    await _until(lambda: page.reflection_dialog is not None)
    dialog = page.reflection_dialog
    assert dialog is not None
    dialog.before_spin.setValue(4)
    dialog.after_spin.setValue(2)
    dialog.note_edit.setPlainText("Shoulders dropped after the third minute.")
    dialog.accept()
    await _until(lambda: page.summary is not None)
    await asyncio.sleep(0.3)
    _save(window, out / f"summary_{theme}.png")
    page.shutdown()
    window.close()


class _NoBlueZScanner(BaseBleakScanner):
    """Fails to start as a scan does on Linux without the system Bluetooth service."""

    def __init__(self, callback: object, uuids: object, *args: object, **kw: object) -> None:
        super().__init__(None, None)

    async def start(self) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    async def stop(self) -> None:
        return None


async def no_bluetooth(store: Store, out: Path, theme: str) -> None:
    save_settings(store, AppSettings(sound_on=False, theme=theme))  # type: ignore[arg-type]
    ui = build_app(store, source_options=SourceOptions(ble_backend=BleBackend(_NoBlueZScanner)))
    window = ui.window
    page = ui.live
    assert page is not None
    window.resize(1100, 720)
    window.show()
    window.show_page(page)
    page.picker._scan = strap_scanner(BleBackend(_NoBlueZScanner), seconds=0.1)
    page.picker.scan_button.setEnabled(True)
    page.picker.scan_button.setChecked(True)
    await _until(lambda: page.picker.trouble is not None)
    await asyncio.sleep(0.2)
    _save(window, out / f"no_bluetooth_{theme}.png")
    page.picker.trouble_details.button.click()
    await asyncio.sleep(0.2)
    _save(window, out / f"no_bluetooth_details_{theme}.png")
    window.close()


async def shoot(app: QApplication, out: Path, only: str | None) -> None:
    for theme in THEMES:
        apply_theme(app, theme)  # type: ignore[arg-type]
        for name, screen in (
            ("morning", morning_check),
            ("live", live_and_summary),
            ("bluetooth", no_bluetooth),
        ):
            if only and only != name:
                continue
            store = open_store(Path(tempfile.mkdtemp()) / "shots.db")
            await screen(store, out, theme)
            store.close()


def main(out_dir: str, only: str | None = None) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(app, out, only))
    print("screenshots saved in", out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
