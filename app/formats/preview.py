"""What a file would import, without writing anything (for File > Import's preview).

`preview(path)` parses the file and summarises it: format, start, beats, length and artifact %.
The artifact share comes from the HRV core's artifact correction when it is available.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from app.formats.importer import ImportFileError, read_file
from app.formats.recording import (
    BoolArray,
    FloatArray,
    Imported,
    ImportedArchive,
    ImportedDailyValues,
    ImportedRecording,
)
from app.hrv.artifacts import correct_artifacts


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """A summary of one file. For summary exports `n_days` is set and `n_beats` is 0; for a
    Baseline export `n_sessions` counts its sessions and the beat figures add them up."""

    path: Path
    format: str
    started_at: datetime | None
    n_beats: int
    duration_s: float
    artifact_pct: float | None
    n_sessions: int = 1
    n_days: int = 0
    first_day: str | None = None
    last_day: str | None = None


def artifact_pct(rr_ms: FloatArray, gap_before: BoolArray | None = None) -> float | None:
    """Share of beats the HRV core's artifact correction flags (segments split at gaps), or None
    when there are no beats."""
    if rr_ms.size == 0:
        return None
    starts = None if gap_before is None else np.flatnonzero(gap_before)
    result = correct_artifacts(np.asarray(rr_ms, dtype=np.float64), segment_starts=starts)
    return float(result.artifact_pct)


def summarize(path: Path, imported: Imported) -> ImportPreview:
    """The preview of an already parsed file."""
    if isinstance(imported, ImportedRecording):
        return ImportPreview(
            path=path,
            format=imported.format,
            started_at=imported.started_at,
            n_beats=imported.n_beats,
            duration_s=imported.duration_s,
            artifact_pct=artifact_pct(imported.rr_ms, imported.gap_before),
        )
    if isinstance(imported, ImportedArchive):
        recordings = [s.recording for s in imported.sessions]
        starts = [r.started_at for r in recordings if r.started_at is not None]
        days = sorted(e.date for e in imported.log)
        return ImportPreview(
            path=path,
            format=imported.format,
            started_at=min(starts) if starts else None,
            n_beats=sum(r.n_beats for r in recordings),
            duration_s=sum(r.duration_s for r in recordings),
            artifact_pct=None,
            n_sessions=len(recordings),
            n_days=len(days),
            first_day=days[0] if days else None,
            last_day=days[-1] if days else None,
        )
    assert isinstance(imported, ImportedDailyValues)
    return ImportPreview(
        path=path,
        format=imported.format,
        started_at=None,
        n_beats=0,
        duration_s=0.0,
        artifact_pct=None,
        n_sessions=0,
        n_days=len(imported.days),
        first_day=imported.days[0].date.isoformat(),
        last_day=imported.days[-1].date.isoformat(),
    )


def preview(path: Path) -> ImportPreview:
    """Parse `path` and summarise it; nothing is written. Raises ImportFileError (a FormatError)."""
    item = read_file(Path(path))
    return summarize(item.path, item.imported)


__all__ = ["ImportFileError", "ImportPreview", "artifact_pct", "preview", "summarize"]
