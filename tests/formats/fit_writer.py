"""A tiny FIT encoder for tests: file_id, optional session start, and hrv messages.

Layout (FIT protocol 2.0): 14-byte header with its CRC, definition + data messages (little
endian), then the file CRC over everything before it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime

_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
INVALID_UINT16 = 0xFFFF


def fit_crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[byte & 0xF]
        tmp = _CRC_TABLE[crc & 0xF]
        crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[(byte >> 4) & 0xF]
    return crc


def _definition(local: int, global_num: int, fields: Sequence[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    for number, size, base_type in fields:
        out += struct.pack("<BBB", number, size, base_type)
    return out


def _fit_time(moment: datetime) -> int:
    return int((moment - FIT_EPOCH).total_seconds())


def encode_fit(
    hrv_times_ms: Sequence[Sequence[int]],
    *,
    created: datetime,
    session_start: datetime | None = None,
    scalar_ms: Sequence[int] = (),
) -> bytes:
    """A FIT activity file. Each entry of `hrv_times_ms` is one hrv message of up to 5 values
    (padded with the invalid value); `scalar_ms` adds hrv messages whose `time` is one value."""
    body = _definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (4, 4, 0x86)])
    body += struct.pack("<BBHI", 0, 4, 1, _fit_time(created))
    body += _definition(1, 78, [(0, 10, 0x84)])
    for values in hrv_times_ms:
        padded = list(values) + [INVALID_UINT16] * (5 - len(values))
        body += struct.pack("<B5H", 1, *padded)
    if scalar_ms:
        body += _definition(2, 78, [(0, 2, 0x84)])
        for value in scalar_ms:
            body += struct.pack("<BH", 2, value)
    if session_start is not None:
        body += _definition(3, 18, [(2, 4, 0x86)])
        body += struct.pack("<BI", 3, _fit_time(session_start))
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + body
    return data + struct.pack("<H", fit_crc(data))
