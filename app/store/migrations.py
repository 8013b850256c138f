"""Numbered schema migrations. The schema version lives in `PRAGMA user_version`.

Each migration is a list of SQL statements that takes the database from version N-1 to N.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

MIGRATIONS: Sequence[Sequence[str]] = (
    # 1: sessions, beats, heart-rate readings, marks, daily log, settings.
    (
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                 -- breathing | readiness | recording | assessment
            started_at TEXT NOT NULL,           -- ISO-8601 with UTC offset
            ended_at TEXT,                      -- NULL while running
            status TEXT NOT NULL DEFAULT 'active',  -- active | complete | interrupted
            sensor_name TEXT,
            sensor_address TEXT,
            rate_bpm REAL,                      -- target breathing rate, breaths per minute
            pattern_json TEXT,                  -- the breathing pattern used, JSON
            duration_s REAL,                    -- active (unpaused) length
            stress_before INTEGER,
            stress_after INTEGER,
            note TEXT,
            source_hash TEXT,                   -- content hash of an imported file
            deleted_at TEXT                     -- soft delete (undo), purged later
        )
        """,
        "CREATE INDEX sessions_started ON sessions(started_at)",
        "CREATE UNIQUE INDEX sessions_source_hash ON sessions(source_hash)"
        " WHERE source_hash IS NOT NULL",
        """
        CREATE TABLE beats (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,               -- order of arrival within the session
            t_ms REAL NOT NULL,                 -- beat time from session start
            rr_ms REAL NOT NULL,                -- as sent by the sensor
            artifact INTEGER NOT NULL DEFAULT 0,
            gap_before INTEGER NOT NULL DEFAULT 0,  -- 1: the link dropped before this beat
            PRIMARY KEY (session_id, seq)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE heart_rate (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            t_ms REAL NOT NULL,
            bpm INTEGER NOT NULL,
            contact INTEGER                      -- 1, 0 or NULL (not supported)
        )
        """,
        "CREATE INDEX heart_rate_session ON heart_rate(session_id, t_ms)",
        """
        CREATE TABLE marks (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            t_ms REAL NOT NULL,
            kind TEXT NOT NULL,                  -- pause | resume | gap_start | gap_end | stressor
            detail TEXT
        )
        """,
        "CREATE INDEX marks_session ON marks(session_id, t_ms)",
        """
        CREATE TABLE daily_log (
            date TEXT PRIMARY KEY,               -- YYYY-MM-DD
            rmssd_ms REAL,
            resting_hr_bpm REAL,
            sleep INTEGER,
            stress INTEGER,
            mood INTEGER,
            note TEXT,
            updated_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value_json TEXT NOT NULL
        )
        """,
    ),
    # 2: moments of ease, weekly check-ins, readiness extras and results, recovery-speed cache.
    # Stressor/effort tags are marks (kind 'stressor' or 'effort'; t_ms 0 = from the start).
    (
        """
        CREATE TABLE moments_of_ease (
            date TEXT NOT NULL,                  -- YYYY-MM-DD
            position INTEGER NOT NULL,           -- order within the day, from 0
            text TEXT NOT NULL,
            PRIMARY KEY (date, position)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE weekly_checkins (
            week_start TEXT PRIMARY KEY,         -- the Monday of the week, YYYY-MM-DD
            answered_on TEXT NOT NULL,           -- YYYY-MM-DD
            steadier_score INTEGER,              -- 1-5: more stable even without a technique
            steadier_note TEXT,
            recovery_score INTEGER,              -- 1-5: the body recovered faster after stress
            recovery_note TEXT,
            updated_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE readiness (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            posture TEXT,                        -- seated | lying
            stand_up_s REAL,                     -- orthostatic test: stand-up time from start
            hr_rise_peak_bpm REAL,               -- peak standing HR minus seated mean
            hr_rise_mean_bpm REAL,               -- mean standing HR minus seated mean
            rmssd_ms REAL,                       -- cached analysis (NULL when refused)
            mean_hr_bpm REAL,
            artifact_pct REAL,
            refused TEXT,                        -- reason, when the value was refused
            analyzed_with TEXT                   -- analysis version; NULL: not analysed yet
        )
        """,
        """
        CREATE TABLE recovery_episodes (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            start_s REAL NOT NULL,               -- recovery start, from the session start
            trigger TEXT NOT NULL,               -- stressor | effort | elevated_start
            hr_start_bpm REAL,
            drop_60s_bpm REAL,
            tau_s REAL,                          -- NULL when the fit was poor
            r_squared REAL,
            analyzed_with TEXT NOT NULL,
            PRIMARY KEY (session_id, start_s)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE recovery_analysed (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            analyzed_with TEXT NOT NULL          -- sessions analysed, with or without episodes
        )
        """,
    ),
    # 3: SDNN per day, from imports that only have SDNN (Apple Health); never taken as RMSSD.
    ("ALTER TABLE daily_log ADD COLUMN sdnn_ms REAL",),
    # 4: demo data is marked at its source, and the person's choice of a day's value.
    # `sessions.simulated` is 1 for a session recorded from the demo strap (its sensor address is
    # DEMO_SENSOR_ADDRESS): set by the recorder, and by the triggers for any path that only names
    # the sensor. `daily_log.value_source` is NULL (the rule's default: a measured morning check
    # counts before the log) or the person's choice for that day, 'morning_check' or 'manual'.
    (
        "ALTER TABLE sessions ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0",
        "UPDATE sessions SET simulated = 1 WHERE sensor_address = 'demo'"
        " OR (sensor_address IS NULL AND sensor_name = 'Demo strap')",
        """
        CREATE TRIGGER sessions_demo_sensor_insert AFTER INSERT ON sessions
        WHEN NEW.sensor_address = 'demo' AND NEW.simulated = 0
        BEGIN UPDATE sessions SET simulated = 1 WHERE id = NEW.id; END
        """,
        """
        CREATE TRIGGER sessions_demo_sensor_update AFTER UPDATE OF sensor_address ON sessions
        WHEN NEW.sensor_address = 'demo' AND NEW.simulated = 0
        BEGIN UPDATE sessions SET simulated = 1 WHERE id = NEW.id; END
        """,
        "ALTER TABLE daily_log ADD COLUMN value_source TEXT",
    ),
    # 5: resonance assessment results in their own tables (they were JSON in `settings` under
    # 'resonance_assessment:<session id>'); stored results move over, unreadable ones are left.
    (
        """
        CREATE TABLE assessment_results (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            finished_at TEXT NOT NULL,           -- ISO-8601 with UTC offset
            recommended_bpm REAL,                -- NULL: no step was clean enough
            reason TEXT NOT NULL,                -- why that rate (or why none)
            confirmed_bpm REAL                   -- the rate the person took for the pacer
        )
        """,
        """
        CREATE TABLE assessment_steps (
            session_id INTEGER NOT NULL
                REFERENCES assessment_results(session_id) ON DELETE CASCADE,
            position INTEGER NOT NULL,           -- order within the assessment, from 0
            rate_bpm REAL NOT NULL,              -- the paced rate of the step
            n_beats INTEGER NOT NULL,
            analysed_s REAL NOT NULL,
            swing_bpm REAL,
            lf_peak_hz REAL,
            lf_peak_power_ms2 REAL,
            lf_power_ms2 REAL,
            phase_deg REAL,
            lf_peak_count INTEGER,
            coherence REAL,
            artifact_pct REAL NOT NULL,
            reason TEXT,                         -- why the step is not usable, or NULL
            PRIMARY KEY (session_id, position)
        ) WITHOUT ROWID
        """,
        """
        INSERT INTO assessment_results
            (session_id, finished_at, recommended_bpm, reason, confirmed_bpm)
        SELECT CAST(substr(key, 22) AS INTEGER), json_extract(value_json, '$.finished_at'),
            json_extract(value_json, '$.recommended_bpm'),
            coalesce(json_extract(value_json, '$.reason'), ''),
            json_extract(value_json, '$.confirmed_bpm')
        FROM settings
        WHERE key LIKE 'resonance\\_assessment:%' ESCAPE '\\'
            AND CASE WHEN json_valid(value_json) THEN
                json_type(value_json) = 'object'
                AND json_type(value_json, '$.finished_at') = 'text'
                AND coalesce(json_type(value_json, '$.recommended_bpm'), 'null')
                    IN ('real', 'integer', 'null')
                AND coalesce(json_type(value_json, '$.confirmed_bpm'), 'null')
                    IN ('real', 'integer', 'null')
                ELSE 0 END
            AND CAST(substr(key, 22) AS INTEGER) IN (SELECT id FROM sessions)
        """,
        """
        INSERT OR IGNORE INTO assessment_steps
            (session_id, position, rate_bpm, n_beats, analysed_s, swing_bpm, lf_peak_hz,
             lf_peak_power_ms2, lf_power_ms2, phase_deg, lf_peak_count, coherence, artifact_pct,
             reason)
        SELECT CAST(substr(s.key, 22) AS INTEGER), CAST(step.key AS INTEGER),
            json_extract(step.value, '$.rate_bpm'), json_extract(step.value, '$.n_beats'),
            json_extract(step.value, '$.analysed_s'), json_extract(step.value, '$.swing_bpm'),
            json_extract(step.value, '$.lf_peak_hz'),
            json_extract(step.value, '$.lf_peak_power_ms2'),
            json_extract(step.value, '$.lf_power_ms2'), json_extract(step.value, '$.phase_deg'),
            json_extract(step.value, '$.lf_peak_count'), json_extract(step.value, '$.coherence'),
            coalesce(json_extract(step.value, '$.artifact_pct'), 0.0),
            json_extract(step.value, '$.reason')
        FROM settings AS s, json_each(
            CASE WHEN json_valid(s.value_json) AND json_type(s.value_json, '$.steps') = 'array'
            THEN s.value_json ELSE '{"steps": []}' END, '$.steps') AS step
        WHERE s.key LIKE 'resonance\\_assessment:%' ESCAPE '\\'
            AND CASE WHEN step.type = 'object' THEN
                json_type(step.value, '$.rate_bpm') IN ('real', 'integer')
                AND json_type(step.value, '$.n_beats') = 'integer'
                AND json_type(step.value, '$.analysed_s') IN ('real', 'integer')
                ELSE 0 END
            AND CAST(substr(s.key, 22) AS INTEGER) IN (SELECT session_id FROM assessment_results)
        """,
        """
        DELETE FROM settings WHERE key LIKE 'resonance\\_assessment:%' ESCAPE '\\'
            AND CAST(substr(key, 22) AS INTEGER) IN (SELECT session_id FROM assessment_results)
        """,
    ),
    # 6: each assessment step's breathing, read from the heart: the breathing rate, the pacer
    # following, and whether the breathing matched the pacer (NULL: not checked, as for every
    # step stored before).
    (
        "ALTER TABLE assessment_steps ADD COLUMN breathing_rate_per_min REAL",
        "ALTER TABLE assessment_steps ADD COLUMN following REAL",
        "ALTER TABLE assessment_steps ADD COLUMN matched_pacer INTEGER"
        " CHECK (matched_pacer IN (0, 1))",
    ),
    # 7: History's per-session figures (whole-session mean heart rate, RMSSD and coherence),
    # computed from the stored beats and cached with the analysis version that made them.
    (
        """
        CREATE TABLE session_figures (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            mean_hr_bpm REAL,
            rmssd_ms REAL,                       -- HRV (ms)
            coherence REAL,                      -- 0-10; NULL without a pacer
            analyzed_with TEXT NOT NULL
        )
        """,
    ),
    # 8: one scale per idea: stress before and after a session moves from 1-10 to the 1-5 scale
    # of the daily log (`app.store.scales.stress_from_ten`: 1-2 -> 1, ..., 9-10 -> 5).
    (
        "UPDATE sessions SET stress_before = min(5, max(1, (stress_before + 1) / 2))"
        " WHERE stress_before IS NOT NULL",
        "UPDATE sessions SET stress_after = min(5, max(1, (stress_after + 1) / 2))"
        " WHERE stress_after IS NOT NULL",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Baseline than this one."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it started at."""
    start = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if start > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"this database has schema version {start}; this Baseline knows up to {SCHEMA_VERSION}"
        )
    if start == SCHEMA_VERSION:
        return start
    # Several programs may open a new or older database at the same moment. The version is read
    # again under the write lock, and every step runs inside that one transaction: Python opens no
    # transaction of its own before CREATE or ALTER, so without it a second program would repeat
    # a step the first had already made ("duplicate column name").
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        locked_start = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if locked_start > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"this database has schema version {locked_start};"
                f" this Baseline knows up to {SCHEMA_VERSION}"
            )
        for version in range(locked_start + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return start
