"""Store access for the daily inputs of the recovery baseline (schema versions 2 and 4).

Moments of ease, the weekly check-in, readiness extras and cached readiness results, and cached
recovery-speed episodes. Functions take a `Store` so `database.py` stays small. Values are
validated by `app.recovery.manual_log` before they get here; this module only stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.store.database import Store, _iso, now_local
from app.store.readable import readable_log_row
from app.store.records import DaySource, LogEntry


@dataclass(frozen=True, slots=True)
class WeeklyCheckin:
    """Answers to the two weekly questions (1-5 each, with a note), keyed by the week's Monday."""

    week_start: str
    answered_on: str
    steadier_score: int | None = None
    steadier_note: str | None = None
    recovery_score: int | None = None
    recovery_note: str | None = None


@dataclass(frozen=True, slots=True)
class ReadinessRecord:
    """A readiness session's extras (posture, orthostatic test) and its cached analysis."""

    session_id: int
    posture: str | None = None
    stand_up_s: float | None = None
    hr_rise_peak_bpm: float | None = None
    hr_rise_mean_bpm: float | None = None
    rmssd_ms: float | None = None
    mean_hr_bpm: float | None = None
    artifact_pct: float | None = None
    refused: str | None = None
    analyzed_with: str | None = None


@dataclass(frozen=True, slots=True)
class RecoveryEpisodeRecord:
    """One cached recovery-speed measurement within a session."""

    session_id: int
    start_s: float
    trigger: str
    hr_start_bpm: float | None
    drop_60s_bpm: float | None
    tau_s: float | None
    r_squared: float | None
    analyzed_with: str


_READINESS_COLUMNS = (
    "session_id, posture, stand_up_s, hr_rise_peak_bpm, hr_rise_mean_bpm, rmssd_ms,"
    " mean_hr_bpm, artifact_pct, refused, analyzed_with"
)


# -- the daily log with its moments of ease -------------------------------------------------
def save_day(store: Store, entry: LogEntry, moments: Sequence[str] | None = None) -> None:
    """Replace the day's log entry, and its moments of ease when `moments` is given, atomically."""
    conn = store.conn
    with conn:
        store.write_log_row(entry)
        if moments is not None:
            _replace_moments(store, entry.date, moments)


def log_entry(store: Store, day: str) -> LogEntry | None:
    row = store.conn.execute(
        "SELECT date, rmssd_ms, resting_hr_bpm, sleep, stress, mood, note FROM daily_log"
        " WHERE date = ?",
        (day,),
    ).fetchone()
    return LogEntry(*row) if row and readable_log_row(row) else None


def delete_day(store: Store, day: str) -> None:
    """Remove the day's log entry and moments of ease."""
    with store.conn:
        store.conn.execute("DELETE FROM daily_log WHERE date = ?", (day,))
        store.conn.execute("DELETE FROM moments_of_ease WHERE date = ?", (day,))


def set_day_source(store: Store, day: str, source: DaySource | None) -> bool:
    """Choose which value counts for the day when both a morning check and the log have one.

    `None` goes back to the rule's default (the measured morning check). The choice lives in
    the day's log row, so a day without a log entry has nothing to choose; returns whether it
    was stored.
    """
    with store.conn:
        cur = store.conn.execute(
            "UPDATE daily_log SET value_source = ? WHERE date = ?",
            (None if source is None else DaySource(source).value, day),
        )
    return cur.rowcount > 0


def day_sources(store: Store) -> dict[str, DaySource]:
    """The person's choices of the day's value, by date (days left to the default are absent)."""
    out: dict[str, DaySource] = {}
    for day, value in store.conn.execute(
        "SELECT date, value_source FROM daily_log WHERE value_source IS NOT NULL"
    ):
        try:
            out[str(day)] = DaySource(value)
        except ValueError:
            continue  # a value this version does not know: the default applies
    return out


def _replace_moments(store: Store, day: str, moments: Sequence[str]) -> None:
    store.conn.execute("DELETE FROM moments_of_ease WHERE date = ?", (day,))
    store.conn.executemany(
        "INSERT INTO moments_of_ease (date, position, text) VALUES (?, ?, ?)",
        [(day, i, text) for i, text in enumerate(moments)],
    )


def set_moments_of_ease(store: Store, day: str, moments: Sequence[str]) -> None:
    """Replace the day's list of moments of ease (an empty list clears it)."""
    with store.conn:
        _replace_moments(store, day, moments)


def moments_of_ease(store: Store, day: str) -> tuple[str, ...]:
    return tuple(
        r[0]
        for r in store.conn.execute(
            "SELECT text FROM moments_of_ease WHERE date = ? ORDER BY position", (day,)
        )
    )


def all_moments_of_ease(store: Store) -> dict[str, tuple[str, ...]]:
    """Every day's moments of ease, oldest day first."""
    out: dict[str, list[str]] = {}
    for day, text in store.conn.execute(
        "SELECT date, text FROM moments_of_ease ORDER BY date, position"
    ):
        out.setdefault(day, []).append(text)
    return {day: tuple(texts) for day, texts in out.items()}


# -- weekly check-in ------------------------------------------------------------------------
def save_weekly_checkin(store: Store, checkin: WeeklyCheckin) -> None:
    """Store the week's answers; answering again in the same week replaces them."""
    with store.conn:
        store.conn.execute(
            "INSERT OR REPLACE INTO weekly_checkins (week_start, answered_on, steadier_score,"
            " steadier_note, recovery_score, recovery_note, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                checkin.week_start,
                checkin.answered_on,
                checkin.steadier_score,
                checkin.steadier_note,
                checkin.recovery_score,
                checkin.recovery_note,
                _iso(now_local()),
            ),
        )


def weekly_checkins(store: Store) -> list[WeeklyCheckin]:
    """All weekly check-ins, oldest week first."""
    return [
        WeeklyCheckin(*r)
        for r in store.conn.execute(
            "SELECT week_start, answered_on, steadier_score, steadier_note, recovery_score,"
            " recovery_note FROM weekly_checkins ORDER BY week_start"
        )
    ]


# -- readiness extras and cached results ----------------------------------------------------
def save_readiness_extras(
    store: Store,
    session_id: int,
    *,
    posture: str | None,
    stand_up_s: float | None = None,
    hr_rise_peak_bpm: float | None = None,
    hr_rise_mean_bpm: float | None = None,
) -> None:
    """Record posture and the orthostatic test of a readiness session (keeps cached results)."""
    with store.conn:
        store.conn.execute(
            "INSERT INTO readiness (session_id, posture, stand_up_s, hr_rise_peak_bpm,"
            " hr_rise_mean_bpm) VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET"
            " posture = excluded.posture, stand_up_s = excluded.stand_up_s,"
            " hr_rise_peak_bpm = excluded.hr_rise_peak_bpm,"
            " hr_rise_mean_bpm = excluded.hr_rise_mean_bpm",
            (session_id, posture, stand_up_s, hr_rise_peak_bpm, hr_rise_mean_bpm),
        )


def save_readiness_result(
    store: Store,
    session_id: int,
    *,
    rmssd_ms: float | None,
    mean_hr_bpm: float | None,
    artifact_pct: float | None,
    refused: str | None,
    analyzed_with: str,
) -> None:
    """Cache the analysis of a readiness session (keeps posture and orthostatic extras)."""
    with store.conn:
        store.conn.execute(
            "INSERT INTO readiness (session_id, rmssd_ms, mean_hr_bpm, artifact_pct, refused,"
            " analyzed_with) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET"
            " rmssd_ms = excluded.rmssd_ms, mean_hr_bpm = excluded.mean_hr_bpm,"
            " artifact_pct = excluded.artifact_pct, refused = excluded.refused,"
            " analyzed_with = excluded.analyzed_with",
            (session_id, rmssd_ms, mean_hr_bpm, artifact_pct, refused, analyzed_with),
        )


def readiness_record(store: Store, session_id: int) -> ReadinessRecord | None:
    row = store.conn.execute(
        f"SELECT {_READINESS_COLUMNS} FROM readiness WHERE session_id = ?", (session_id,)
    ).fetchone()
    return ReadinessRecord(*row) if row else None


def readiness_records(
    store: Store, *, include_simulated: bool = False
) -> dict[int, ReadinessRecord]:
    """Every readiness record by session id (soft-deleted sessions included; filter by session).

    Demo-strap checks are left out unless `include_simulated`.
    """
    sql = f"SELECT {_READINESS_COLUMNS} FROM readiness"
    if not include_simulated:
        sql += " WHERE session_id NOT IN (SELECT id FROM sessions WHERE simulated = 1)"
    return {int(r[0]): ReadinessRecord(*r) for r in store.conn.execute(sql)}


# -- cached recovery-speed episodes ---------------------------------------------------------
def save_recovery_episodes(
    store: Store,
    session_id: int,
    episodes: Sequence[RecoveryEpisodeRecord],
    analyzed_with: str,
) -> None:
    """Replace the session's cached recovery episodes (none is a result too)."""
    with store.conn:
        store.conn.execute("DELETE FROM recovery_episodes WHERE session_id = ?", (session_id,))
        store.conn.execute(
            "INSERT OR REPLACE INTO recovery_analysed (session_id, analyzed_with) VALUES (?, ?)",
            (session_id, analyzed_with),
        )
        store.conn.executemany(
            "INSERT INTO recovery_episodes (session_id, start_s, trigger, hr_start_bpm,"
            " drop_60s_bpm, tau_s, r_squared, analyzed_with) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    session_id,
                    e.start_s,
                    e.trigger,
                    e.hr_start_bpm,
                    e.drop_60s_bpm,
                    e.tau_s,
                    e.r_squared,
                    e.analyzed_with,
                )
                for e in episodes
            ],
        )


def recovery_episodes(store: Store, session_id: int | None = None) -> list[RecoveryEpisodeRecord]:
    """Cached episodes, of one session or of all, in session and time order."""
    sql = (
        "SELECT session_id, start_s, trigger, hr_start_bpm, drop_60s_bpm, tau_s, r_squared,"
        " analyzed_with FROM recovery_episodes"
    )
    args: tuple[int, ...] = ()
    if session_id is not None:
        sql += " WHERE session_id = ?"
        args = (session_id,)
    sql += " ORDER BY session_id, start_s"
    return [RecoveryEpisodeRecord(*r) for r in store.conn.execute(sql, args)]


def analysed_sessions(store: Store, analyzed_with: str) -> set[int]:
    """Sessions whose recovery episodes were analysed with this version (cache hits)."""
    return {
        int(r[0])
        for r in store.conn.execute(
            "SELECT session_id FROM recovery_analysed WHERE analyzed_with = ?", (analyzed_with,)
        )
    }
