"""The store's History API: kept sessions with their beat counts and cached figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.store import open_store
from app.store.figures import SessionFigures, history, save_figures
from app.store.records import BeatRecord, SessionKind

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_history_rows_kinds_counts_and_versions(tmp_path: Path) -> None:
    store = open_store(tmp_path / "h.db")
    a = store.start_session(SessionKind.BREATHING, T0)
    store.add_beats(a, [BeatRecord(1000.0 * (i + 1), 1000.0) for i in range(12)])
    store.finish_session(a, duration_s=60.0)
    b = store.start_session(SessionKind.READINESS, T0 + timedelta(hours=1))
    store.finish_session(b, duration_s=120.0)
    staged = store.start_session(SessionKind.RECORDING, T0 + timedelta(hours=2))  # still active
    rows = history(store, analyzed_with="v1")
    assert [r.record.id for r in rows] == [staged, b, a]  # newest first
    assert {r.record.id: r.n_beats for r in rows} == {staged: 0, b: 0, a: 12}
    assert all(r.figures is None for r in rows)
    assert [
        r.record.id for r in history(store, analyzed_with="v1", kind=SessionKind.READINESS)
    ] == [b]

    figures = SessionFigures(mean_hr_bpm=60.0, rmssd_ms=41.5, coherence=6.2)
    save_figures(store, a, figures, analyzed_with="v1")
    by_id = {r.record.id: r.figures for r in history(store, analyzed_with="v1")}
    assert by_id[a] == figures
    # figures from another method version count as missing
    assert {r.record.id: r.figures for r in history(store, analyzed_with="v2")}[a] is None

    # soft-deleted sessions are not listed; purged ones take their figures with them
    store.delete_session(a)
    assert a not in [r.record.id for r in history(store, analyzed_with="v1")]
    store.purge_deleted()
    count = store.conn.execute("SELECT count(*) FROM session_figures").fetchone()[0]
    assert count == 0
    save_figures(store, a, figures, analyzed_with="v1")  # a purged session: nothing stored
    assert store.conn.execute("SELECT count(*) FROM session_figures").fetchone()[0] == 0
    store.close()
