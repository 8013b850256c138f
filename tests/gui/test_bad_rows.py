"""Rows written before the limits existed (here by raw SQL) never crash a view.

History, Home and the session detail skip sessions and beats with impossible values and say what
they skipped; the log form cannot pick a date before 2000.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store
from app.ui.dialogs.log_form import LogFormDialog
from app.ui.dialogs.session_detail import SessionDetailDialog
from app.ui.pages.home import HomePage
from tests.gui.conftest import WindowFactory


def _good_session(store: Store) -> int:
    started = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    session_id = store.start_session("breathing", started, rate_bpm=6.0)
    store.finish_session(session_id, ended_at=started.replace(minute=10), duration_s=600.0)
    return session_id


def _raw_session(store: Store, started_at: str, *, duration_s: float = 300.0) -> int:
    cur = store.conn.execute(
        "INSERT INTO sessions (kind, started_at, ended_at, status, duration_s)"
        " VALUES ('readiness', ?, NULL, 'complete', ?)",
        (started_at, duration_s),
    )
    store.conn.commit()
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def _raw_beats(store: Store, session_id: int, rr_ms: list[float]) -> None:
    t = 0.0
    rows = []
    for seq, rr in enumerate(rr_ms):
        t += abs(rr)
        rows.append((session_id, seq, t, rr))
    store.conn.executemany(
        "INSERT INTO beats (session_id, seq, t_ms, rr_ms, artifact, gap_before)"
        " VALUES (?, ?, ?, ?, 0, 0)",
        rows,
    )
    store.conn.commit()


@pytest.fixture
def bad_store(store: Store) -> tuple[Store, dict[str, int]]:
    ids = {
        "good": _good_session(store),
        "year1": _raw_session(store, "0001-01-01T00:00:00+14:00"),
        "year9999": _raw_session(store, "9999-12-31T23:59:00-14:00"),
        "negative": _raw_session(store, "2026-03-01T07:00:00+00:00", duration_s=-5.0),
        "bad_beat": _raw_session(store, "2026-03-01T08:00:00+00:00", duration_s=60.0),
        "not_a_date": _raw_session(store, "yesterday-ish"),
    }
    _raw_beats(store, ids["bad_beat"], [800.0] * 30 + [-5.0] + [810.0] * 30)
    store.conn.execute(
        "INSERT INTO daily_log (date, rmssd_ms, resting_hr_bpm, updated_at)"
        " VALUES ('0001-01-01', -5, 1000, '2026-03-01T00:00:00+00:00')"
    )
    store.conn.commit()
    return store, ids


def test_history_skips_impossible_rows_and_says_so(
    bad_store: tuple[Store, dict[str, int]], make_window: WindowFactory
) -> None:
    store, ids = bad_store
    ui = make_window(store)  # building History used to raise OverflowError
    window = ui.window
    window.show_page("History")
    history = ui.history
    assert history.session_ids() == [ids["good"], ids["bad_beat"]]
    assert history.skipped_label.isVisible()
    assert history.skipped_label.text() == (
        "4 stored sessions with impossible values (such as a date before 2000) are not shown."
    )


def test_history_has_no_note_without_bad_rows(store: Store, make_window: WindowFactory) -> None:
    good = _good_session(store)
    ui = make_window(store)
    window = ui.window
    window.show_page("History")
    assert ui.history.session_ids() == [good]
    assert not ui.history.skipped_label.isVisible()


def test_home_skips_impossible_rows(qtbot: QtBot, bad_store: tuple[Store, dict[str, int]]) -> None:
    store, _ids = bad_store
    page = HomePage(store, SourceOptions(), today=lambda: date(2026, 3, 2))
    qtbot.addWidget(page)
    page.refresh()
    text = page.session_label.text()
    assert "Breathing session" in text
    assert text.endswith(
        "4 stored sessions with impossible values (such as a date before 2000) are not shown."
    )


def test_session_detail_refuses_an_impossible_session(
    qtbot: QtBot, bad_store: tuple[Store, dict[str, int]]
) -> None:
    store, ids = bad_store
    dialog = SessionDetailDialog(store, ids["year1"], CoreAnalysis())
    qtbot.addWidget(dialog)
    assert dialog.detail is None
    assert "impossible values" in dialog.pending.text()


def test_session_detail_skips_impossible_beats(
    qtbot: QtBot, bad_store: tuple[Store, dict[str, int]]
) -> None:
    store, ids = bad_store
    dialog = SessionDetailDialog(store, ids["bad_beat"], CoreAnalysis())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=20_000)
    assert dialog.detail is not None
    assert dialog.detail.rr_ms.size == 60
    assert float(dialog.detail.rr_ms.min()) > 0
    assert dialog.skipped_label.text() == (
        "1 stored beat with impossible values (such as a negative interval) is not shown."
    )


def test_log_form_starts_in_2000(qtbot: QtBot, store: Store) -> None:
    dialog = LogFormDialog(store, lambda: date(2026, 3, 2))
    qtbot.addWidget(dialog)
    assert dialog.date_edit.minimumDate() == QDate(2000, 1, 1)
    dialog.date_edit.setDate(QDate(1999, 12, 31))
    assert dialog.day() == date(2000, 1, 1)
