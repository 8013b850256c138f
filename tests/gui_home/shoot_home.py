"""Screenshots of Home (empty and with data) and History (run under Xvfb; not collected by pytest).

Usage: xvfb-run -a python -m tests.gui_home.shoot_home OUT_DIR [THEME]
Builds the window as `baseline` does on a fresh database and saves `home_empty_THEME.png`; then
stores 10 weeks of logged morning values (a dip, then a rise), a few breathing sessions with
reflections and a 3-second one, and saves `home_THEME.png` (a day pointed at) and
`history_THEME.png`, with `window.grab()`.
"""

from __future__ import annotations

import math
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QApplication

from app.store import Store, open_store
from app.store.daily import save_day
from app.store.records import LogEntry, SessionStatus
from app.store.settings import AppSettings, save_settings
from app.ui.app import build_app
from app.ui.charts.baseline import day_seconds


def fill(store: Store, today: date) -> None:
    rng = np.random.default_rng(11)
    for i in range(70):
        day = today - timedelta(days=69 - i)
        if i % 9 == 4:
            continue
        level = 42.0 - 8.0 * math.exp(-(((i - 40) / 8.0) ** 2)) + 0.12 * max(0, i - 48)
        save_day(
            store,
            LogEntry(
                day.isoformat(),
                rmssd_ms=float(level + rng.normal(0, 3.0)),
                resting_hr_bpm=float(60 + rng.normal(0, 1.5)),
                sleep=int(rng.integers(2, 6)),
                stress=int(rng.integers(1, 5)),
            ),
        )
    now = datetime.now().astimezone().replace(second=0, microsecond=0)
    for days, minutes, status, before, after in (
        (6, 10.0, SessionStatus.COMPLETE, 4, 2),
        (4, 15.5, SessionStatus.COMPLETE, 3, 2),
        (2, 7.2, SessionStatus.INTERRUPTED, None, None),
        (1, 20.0, SessionStatus.COMPLETE, 5, 3),
    ):
        start = now - timedelta(days=days, hours=2)
        sid = store.start_session("breathing", start, rate_bpm=5.5)
        store.finish_session(
            sid,
            ended_at=start + timedelta(minutes=minutes),
            status=status,
            duration_s=minutes * 60.0,
        )
        if before is not None:
            store.set_reflection(sid, stress_before=before, stress_after=after, note=None)


def main(out_dir: str, theme: str = "light") -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    store = open_store(Path(tempfile.mkdtemp()) / "baseline.db")
    save_settings(store, AppSettings(theme="dark" if theme == "dark" else "light"))
    today = date.today()
    ui = build_app(store, today=lambda: today)
    window = ui.window
    window.resize(1280, 800)
    window.show()
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out / f"home_empty_{theme}.png"))

    fill(store, today)
    home = ui.home
    assert home is not None
    home.refresh()
    for _ in range(20):
        app.processEvents()
    if home.overview is not None and len(home.overview.ln_rmssd):
        home.chart.show_values_at(float(day_seconds(home.overview.ln_rmssd.dates)[-4]))
    for _ in range(5):
        app.processEvents()
    window.grab().save(str(out / f"home_{theme}.png"))

    window.show_page(ui.history)
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out / f"history_{theme}.png"))
    window.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
