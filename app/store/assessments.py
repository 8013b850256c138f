"""Resonance assessment results: one row per finished assessment, one row per measured step."""

from __future__ import annotations

from dataclasses import fields, replace

from app.breathing.resonance import AssessmentResult, StepResult
from app.store.database import Store
from app.store.validation import SessionKind

_STEP_COLUMNS = tuple(f.name for f in fields(StepResult))


def save_assessment_result(store: Store, result: AssessmentResult) -> None:
    """Store (or replace) the result of the assessment session `result.session_id`."""
    placeholders = ", ".join("?" for _ in _STEP_COLUMNS)
    with store.write_transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO assessment_results"
            " (session_id, finished_at, recommended_bpm, reason, confirmed_bpm)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                result.session_id,
                result.finished_at,
                result.recommended_bpm,
                result.reason,
                result.confirmed_bpm,
            ),
        )
        conn.execute("DELETE FROM assessment_steps WHERE session_id = ?", (result.session_id,))
        conn.executemany(
            f"INSERT INTO assessment_steps (session_id, position, {', '.join(_STEP_COLUMNS)})"
            f" VALUES (?, ?, {placeholders})",
            [
                (result.session_id, position, *(getattr(step, c) for c in _STEP_COLUMNS))
                for position, step in enumerate(result.steps)
            ],
        )


def _step_from_row(row: tuple[object, ...]) -> StepResult:
    step = StepResult(*row)  # type: ignore[arg-type]
    matched = step.matched_pacer
    return replace(step, matched_pacer=None if matched is None else bool(matched))


def assessment_result(store: Store, session_id: int) -> AssessmentResult | None:
    """The stored result of one assessment session, or None."""
    row = store.conn.execute(
        "SELECT finished_at, recommended_bpm, reason, confirmed_bpm FROM assessment_results"
        " WHERE session_id = ?",
        (session_id,),
    ).fetchone()
    if row is None:
        return None
    steps = tuple(
        _step_from_row(step)
        for step in store.conn.execute(
            f"SELECT {', '.join(_STEP_COLUMNS)} FROM assessment_steps WHERE session_id = ?"
            " ORDER BY position",
            (session_id,),
        )
    )
    return AssessmentResult(
        session_id=session_id,
        finished_at=str(row[0]),
        steps=steps,
        recommended_bpm=None if row[1] is None else float(row[1]),
        reason=str(row[2]),
        confirmed_bpm=None if row[3] is None else float(row[3]),
    )


def past_assessment_results(store: Store) -> list[AssessmentResult]:
    """Stored results, newest first; deleted and demo-strap sessions left out."""
    results: list[AssessmentResult] = []
    for session in store.sessions(kind=SessionKind.ASSESSMENT, include_simulated=False):
        result = assessment_result(store, session.id)
        if result is not None:
            results.append(result)
    return results
