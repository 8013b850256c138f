"""Screenshots of the assessment in the real window (run under Xvfb; not collected by pytest).

Usage: DISPLAY=:99 python -m tests.gui_assessment.shoot_assessment OUT_DIR [SPEED [THEME]]
Builds the window as `baseline --demo` does, opens the Assessment page, runs the whole protocol
on the demo strap sped up SPEED times (default 40), and saves `assessment_step_THEME.png` (step 3
in progress) and `assessment_result_THEME.png` (the result) with `window.grab()`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.session.assessment_run import DemoOptions
from app.store import open_store
from app.store.settings import AppSettings, save_settings
from app.ui.app import build_window
from app.ui.pages.assessment import AssessmentPage


def main(out_dir: str, speed: float, theme: str = "light") -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    store = open_store(Path(tempfile.mkdtemp()) / "baseline.db")
    save_settings(store, AppSettings(theme="dark" if theme == "dark" else "light"))
    window = build_window(store, demo=True)
    window.resize(1200, 800)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window.show_page(AssessmentPage.TITLE)
    page = window.stack.currentWidget()
    assert isinstance(page, AssessmentPage)
    page.demo_options = DemoOptions(resonance_bpm=5.5, speed=speed, seed=7)
    shots: dict[str, bool] = {}

    def poll() -> None:
        run = page.run
        if run is None:
            return
        stage = run.stage
        in_step3 = stage.kind == "step" and stage.step_index == 2
        if in_step3 and run.now_s() - stage.started_s > 47.0 and "step" not in shots:
            window.grab().save(str(out / f"assessment_step_{theme}.png"))
            shots["step"] = True
        if stage.kind == "done" and page.stack.currentWidget() is page.result_view:
            QTimer.singleShot(300, finish)
            timer.stop()

    def finish() -> None:
        window.grab().save(str(out / f"assessment_result_{theme}.png"))
        print("screenshots saved", file=sys.stderr, flush=True)
        app.quit()

    def start() -> None:
        window.grab().save(str(out / f"assessment_intro_{theme}.png"))
        page.picker.demo_button.setChecked(True)
        page.start()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(poll)
    window.show()
    QTimer.singleShot(500, start)
    timer.start()
    with loop:
        loop.run_forever()
    return 0


if __name__ == "__main__":
    speed_arg = float(sys.argv[2]) if len(sys.argv) > 2 else 40.0
    raise SystemExit(main(sys.argv[1], speed_arg, sys.argv[3] if len(sys.argv) > 3 else "light"))
