"""Plain RR text: one interval per line (or several separated by spaces, tabs, `;` or `,`).

Values are milliseconds, or seconds when the median is below 10 (no heart beats faster than
every 10 ms, and no RR interval lasts 10 s, so the two cannot be confused). Blank lines and lines
starting with `#` are skipped. Files may be gzip-compressed (detected from the content), start with
a UTF-8 byte-order mark, and use LF, CRLF or CR line endings.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.formats.errors import FormatError

#: A median below this is read as seconds and converted to milliseconds.
SECONDS_MEDIAN_LIMIT = 10.0

_GZIP_MAGIC = b"\x1f\x8b"
_SEPARATORS = re.compile(r"[;,\s]+")


def parse_plain_rr(text: str) -> npt.NDArray[np.float64]:
    """RR intervals in ms from plain text.

    Raises:
        FormatError: empty text, a token that is not a number, a value that is not finite,
            or a value that is zero or negative.
    """
    text = text.removeprefix("\ufeff")
    if "#" not in text:
        try:  # fast path; any problem is reported by the line-by-line path below
            fast = np.asarray([t for t in _SEPARATORS.split(text) if t], dtype=np.float64)
        except ValueError:
            fast = np.zeros(0)
        if fast.size and np.all(np.isfinite(fast)) and np.all(fast > 0):
            return _to_ms(fast)
    tokens: list[str] = []
    line_of_token: list[int] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = [part for part in _SEPARATORS.split(stripped) if part]
        tokens.extend(parts)
        line_of_token.extend([line_number] * len(parts))
    if not tokens:
        raise FormatError("no RR intervals found (the file is empty)")
    try:
        values = np.asarray(tokens, dtype=np.float64)
    except ValueError:
        raise _first_bad_token(tokens, line_of_token) from None
    bad_finite = np.flatnonzero(~np.isfinite(values))
    if bad_finite.size:
        index = int(bad_finite[0])
        raise FormatError(f"line {line_of_token[index]}: {tokens[index]!r} is not a finite number")
    bad_sign = np.flatnonzero(values <= 0)
    if bad_sign.size:
        index = int(bad_sign[0])
        raise FormatError(
            f"line {line_of_token[index]}: RR interval {tokens[index]} is not positive"
        )
    return _to_ms(values)


def _to_ms(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    if float(np.median(values)) < SECONDS_MEDIAN_LIMIT:
        return values * 1000.0
    return values


def read_plain_rr(path: Path) -> npt.NDArray[np.float64]:
    """RR intervals in ms from a plain text file, gzip-compressed or not.

    Raises:
        FormatError: the file cannot be read, is not text, or holds no usable RR intervals.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FormatError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise FormatError(f"{path}: damaged gzip file ({exc})") from None
    if b"\x00" in data:
        raise FormatError(f"{path}: not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{path}: not a UTF-8 text file") from None
    try:
        return parse_plain_rr(text)
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from None


def _first_bad_token(tokens: list[str], line_of_token: list[int]) -> FormatError:
    for token, line_number in zip(tokens, line_of_token, strict=True):
        try:
            float(token)
        except ValueError:
            shown = token if len(token) <= 30 else token[:27] + "..."
            return FormatError(f"line {line_number}: {shown!r} is not a number")
    return FormatError("the text holds something that is not a number")
