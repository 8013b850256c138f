"""Screenshots of the live session screen for review (run under Xvfb; not a test).

Usage: DISPLAY=:99 QT_QPA_PLATFORM=xcb python -m tests.gui_live.take_screenshots OUT_DIR
Writes live_light.png and live_dark.png (mid-session, demo strap), live_reconnecting.png (the
link down: banner, gap on the plots), summary.png (after stop and reflection) and detail.png
(the History detail window of that session).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import open_store
from app.store.settings import AppSettings, save_settings
from app.ui.app import build_window, open_session_detail
from app.ui.pages.live_session import LiveSessionPage
from sensors.source import ConnectionEvent, EventKind


async def scenario(out: Path, app: QApplication) -> None:
    tmp = Path(tempfile.mkdtemp())
    store = open_store(tmp / "shots.db")
    save_settings(store, AppSettings(session_minutes=0, sound_on=False, theme="light"))
    window = build_window(store, demo=True)
    page = LiveSessionPage(
        store,
        window._model,
        CoreAnalysis(),
        SourceOptions(demo_speed=25.0, demo_seed=7),
    )
    window.add_page(page, position=2, name="Live (screens)")
    window.show_page("Live (screens)")
    window.resize(1280, 800)
    window.show()
    await asyncio.sleep(0.5)

    async def until(cond: object, timeout_s: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        while not cond():  # type: ignore[operator]
            if loop.time() > end:
                raise TimeoutError
            await asyncio.sleep(0.02)

    page.picker.demo_button.setChecked(True)
    page.start()
    session = page.session
    assert session is not None
    await until(lambda: session.now_s() > 200.0)
    await asyncio.sleep(0.2)
    window.grab().save(str(out / "live_light.png"))
    window._model.update(theme="dark")
    await until(lambda: session.now_s() > 215.0)
    await asyncio.sleep(0.2)
    window.grab().save(str(out / "live_dark.png"))
    window._model.update(theme="light")

    # The link goes down: stop the demo strap and tell the session what a strap would say.
    assert page.built is not None
    page.built.source.stop()
    task = page.source_task
    assert task is not None
    await until(task.done)  # what was queued has arrived; nothing more will
    t0 = session.clock()
    session.on_item(
        ConnectionEvent(EventKind.DISCONNECTED, t0, message="the strap went out of range")
    )
    session.on_item(ConnectionEvent(EventKind.RECONNECTING, t0 + 2.0, attempt=3, delay_s=4.0))
    await until(lambda: session.now_s() > t0 - session.recorder.start_s + 15.0)  # type: ignore[union-attr]
    await asyncio.sleep(0.2)
    window.grab().save(str(out / "live_reconnecting.png"))

    page.stop()
    await until(lambda: page.reflection_dialog is not None)
    dialog = page.reflection_dialog
    assert dialog is not None
    dialog.before_spin.setValue(4)
    dialog.after_spin.setValue(2)
    dialog.note_edit.setPlainText("Shoulders dropped after the third minute.")
    dialog.accept()
    await until(lambda: page.summary is not None)
    await asyncio.sleep(0.3)
    window.grab().save(str(out / "summary.png"))
    window._model.update(theme="dark")
    await asyncio.sleep(0.3)
    window.grab().save(str(out / "summary_dark.png"))
    window._model.update(theme="light")
    assert session.session_id is not None
    detail_window = open_session_detail(window, store, session.session_id, CoreAnalysis())
    await until(lambda: detail_window.detail is not None)
    await asyncio.sleep(0.3)
    detail_window.grab().save(str(out / "detail.png"))
    detail_window.close()
    page.shutdown()
    store.close()


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(scenario(out, app))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
