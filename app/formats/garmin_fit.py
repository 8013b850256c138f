"""Garmin FIT activity files: the RR intervals of `hrv` messages (global number 78).

Each `hrv` message's `time` field is an array of up to five RR intervals in seconds (scale 1000 of
uint16); unused slots hold the invalid value and are skipped; some writers give a scalar. The start
is the `session` start time, else the first `record` time, else the file's `time_created` (UTC).
Decoding goes through fitdecode with CRC checks on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import fitdecode
import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import ImportedRecording, make_recording
from app.formats.source import Source

FORMAT = "garmin-fit"
_MAX_VALID_S = 65.534  # 0xFFFF / 1000 is the invalid marker


def sniff(source: Source, head: str | None) -> bool:
    data = source.head
    return len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT"


def _as_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return None


def _intervals(value: Any) -> list[float]:
    values = value if isinstance(value, list | tuple) else [value]
    out: list[float] = []
    for v in values:
        if isinstance(v, int | float) and 0 < float(v) < _MAX_VALID_S:
            out.append(float(v) * 1000.0)
        elif v is not None and not isinstance(v, int | float):
            raise FormatError("hrv message with a non-numeric time value")
    return out


def read(source: Source) -> ImportedRecording:
    rr: list[float] = []
    session_start: datetime | None = None
    created: datetime | None = None
    first_record: datetime | None = None
    try:
        with (
            source.stream() as handle,
            fitdecode.FitReader(
                handle,
                check_crc=fitdecode.CrcCheck.RAISE,
                error_handling=fitdecode.ErrorHandling.RAISE,
            ) as fit,
        ):
            for frame in fit:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "hrv" and frame.has_field("time"):
                    rr.extend(_intervals(frame.get_value("time")))
                elif frame.name == "session" and frame.has_field("start_time"):
                    session_start = session_start or _as_utc(frame.get_value("start_time"))
                elif frame.name == "record" and frame.has_field("timestamp"):
                    first_record = first_record or _as_utc(frame.get_value("timestamp"))
                elif frame.name == "file_id" and frame.has_field("time_created"):
                    created = _as_utc(frame.get_value("time_created"))
    except FormatError:
        raise
    except Exception as exc:  # fitdecode raises many kinds on broken files
        raise FormatError(f"broken FIT file ({type(exc).__name__}: {exc})") from exc
    if not rr:
        raise FormatError("FIT file has no hrv (RR interval) messages")
    return make_recording(
        format_name=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=session_start or first_record or created,
        rr_ms=np.array(rr),
    )
