"""Screenshots of the morning check, the live session, its summary and the Bluetooth message,
light and dark, for review (run under Xvfb; not collected by pytest).

Usage: xvfb-run -a .venv/bin/python -m tests.gui_screens.shoot_screens OUT_DIR
Writes morning_measuring_THEME.png, morning_result_THEME.png, live_THEME.png,
summary_THEME.png and no_bluetooth_THEME.png for THEME in light and dark.
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
from PySide6.QtWidgets import QApplication, QWidget

from app.session.sources import BuiltSource, SourceOptions
from app.store import Store, open_store
from app.store.daily import save_day
from app.store.records import LogEntry
from app.ui.dialogs.readiness import ReadinessDialog
from app.ui.theme import apply_theme
from sensors.hrs import encode_measurement, parse_measurement
from sensors.source import Sample
from tests.stubs import ManualClock, ScriptedSource

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
    clock = ManualClock()
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
    strap.connect(clock.now, "Polar H10 A1B2C3", "AA:BB")
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


async def shoot(app: QApplication, out: Path) -> None:
    for theme in THEMES:
        apply_theme(app, theme)  # type: ignore[arg-type]
        store = open_store(Path(tempfile.mkdtemp()) / "shots.db")
        await morning_check(store, out, theme)
        store.close()


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(app, out))
    print("screenshots saved in", out, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
