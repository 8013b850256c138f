"""A stored session's whole-length figures for History: mean heart rate, HRV (RMSSD) and coherence.

The same definitions as the session summary (`app.session.summary`): heart rate and RMSSD from the
analysis core's report on all active beats with artifact correction, coherence the mean of the
5 s scores the live screen showed. Coherence applies to paced sessions only (breathing and the
assessment); a morning check or a plain recording has none. `FIGURES_VERSION` names the method, so
figures cached by an older one are computed again.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.hrv.coherence import mean_score
from app.session.live import LiveAnalysis
from app.session.summary import coherence_ticks, full_report, session_beats
from app.store.figures import SessionFigures
from app.store.records import BeatRecord, MarkRecord, SessionKind, SessionRecord

FIGURES_VERSION = "figures-1"
#: Kinds whose sessions are paced, so a coherence score means something.
PACED_KINDS = frozenset({SessionKind.BREATHING, SessionKind.ASSESSMENT})


def session_figures(
    record: SessionRecord,
    beats: Sequence[BeatRecord],
    marks: Sequence[MarkRecord],
    analysis: LiveAnalysis,
) -> SessionFigures:
    """The figures of one stored session (safe on a worker thread: the inputs are immutable)."""
    if not beats:
        return SessionFigures(None, None, None)
    sb = session_beats(beats, marks)
    report = full_report(sb)
    coherence = mean_score(coherence_ticks(sb, analysis)) if record.kind in PACED_KINDS else None
    return SessionFigures(
        mean_hr_bpm=None if report is None else report.mean_hr_bpm,
        rmssd_ms=None if report is None else report.rmssd_ms,
        coherence=coherence,
    )
