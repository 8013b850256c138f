"""Text helpers shared by the readers: decoding, line endings, numbers, delimited rows, dates."""

from __future__ import annotations

import codecs
import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from app.formats.errors import FormatError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _decode(data: bytes, encoding: str, *, partial: bool) -> str:
    """`data` in `encoding`; with `partial`, a character cut off at the end is left out."""
    decoder = codecs.getincrementaldecoder(encoding)()
    return decoder.decode(data, final=not partial)


def decode_text(data: bytes, *, partial: bool = False) -> str:
    """Bytes to text with `\\n` line endings; BOMs, UTF-16, CRLF and CR-only handled.

    A UTF-8 or UTF-16 byte-order mark is removed (a stray U+FEFF left at the start too).
    `partial`: `data` is the head of a longer file, so its last character may be cut off.
    Raises FormatError for binary data (NUL bytes, control characters).
    """
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = _decode(data[len(bom) :], encoding, partial=partial)
            except UnicodeDecodeError as exc:
                raise FormatError(f"not valid {encoding} text") from exc
            break
    if text is None:
        try:
            text = _decode(data, "utf-8", partial=partial)
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if looks_binary(text):
        raise FormatError("binary data, not a text file")
    return text


def looks_binary(text: str) -> bool:
    """True when the text holds NULs or many control characters (a binary file)."""
    sample = text[:65536]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\t\f\v")
    return controls > max(2, len(sample) // 100)


def lines_of(text: str) -> list[str]:
    """Lines without trailing whitespace; a missing final newline is fine."""
    return [line.rstrip() for line in text.split("\n")]


def filled_lines(text: str) -> list[str]:
    """The lines that hold something; raises FormatError when there are none."""
    lines = [line for line in lines_of(text) if line.strip()]
    if not lines:
        raise FormatError("the file holds no text")
    return lines


def parse_number(token: str) -> float:
    """A decimal number; a decimal comma (`812,5`) is accepted. Raises FormatError."""
    value = token.strip().strip('"').strip()
    if "," in value and "." not in value and value.count(",") == 1:
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError as exc:
        raise FormatError(f"{token.strip()!r} is not a number") from exc
    if not math.isfinite(number):
        raise FormatError(f"{token.strip()!r} is not a finite number")
    return number


def optional_number(token: str) -> float | None:
    """Like `parse_number`, but empty cells and `-` / `NA` / `null` give None."""
    value = token.strip().strip('"').strip()
    if value in ("", "-", "--", "NA", "N/A", "nan", "NaN", "null", "None"):
        return None
    return parse_number(value)


def split_row(line: str, delimiter: str) -> list[str]:
    """Cells of one delimited line (quotes stripped; no embedded delimiters expected)."""
    return [cell.strip().strip('"').strip() for cell in line.split(delimiter)]


def guess_delimiter(header: str) -> str:
    """`;`, tab or `,`, whichever the header line holds most of."""
    counts = {d: header.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def column_index(header: list[str], *names: str) -> int | None:
    """Index of the first column whose normalised name is one of `names` (duplicates: first)."""
    wanted = {normalise_name(n) for n in names}
    for i, cell in enumerate(header):
        if normalise_name(cell) in wanted:
            return i
    return None


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})")
_WORD_DATE_MD = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_WORD_DATE_DM = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{2,4})")
_TIME = re.compile(
    r"(?<![\d.])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp])?\.?\s*[Mm]?\.?(?![A-Za-z])"
)
_OFFSET = re.compile(r"(?:\s|\d)([+-])(\d{2}):?(\d{2})\s*$|(Z|UTC|GMT)\s*$")


def _year(value: str) -> int:
    year = int(value)
    return year + 2000 if year < 100 else year


def numeric_date_fields(text: str) -> tuple[int, int] | None:
    """The first two fields of a numeric date like `13.09.2018` or `3/10/20` (not ISO dates)."""
    if _ISO_DATE.search(text):
        return None
    match = _NUMERIC_DATE.search(text)
    return (int(match[1]), int(match[2])) if match else None


def find_date(text: str, *, day_first: bool = True) -> date | None:
    """The first date written in `text`: ISO, numeric (day first unless told), or English words."""
    match = _ISO_DATE.search(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = _WORD_DATE_MD.search(text)
        if match and match[1].lower() in _MONTHS:
            return date(_year(match[3]), _MONTHS[match[1].lower()], int(match[2]))
        match = _WORD_DATE_DM.search(text)
        if match and match[2].lower() in _MONTHS:
            return date(_year(match[3]), _MONTHS[match[2].lower()], int(match[1]))
        match = _NUMERIC_DATE.search(text)
        if match:
            first, second, year = int(match[1]), int(match[2]), _year(match[3])
            if first > 12:
                day_first = True
            elif second > 12:
                day_first = False
            day, month = (first, second) if day_first else (second, first)
            return date(year, month, day)
    except ValueError:
        return None
    return None


def find_time(text: str) -> time | None:
    """The first clock time in `text`, 24-hour or 12-hour with AM/PM (`7:05 PM`, `7:05 p.m.`)."""
    for match in _TIME.finditer(text):
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3]) if match[3] else 0
        micro = int((match[4] or "0").ljust(6, "0")[:6])
        marker = (match[5] or "").lower()
        if marker == "p" and hour < 12:
            hour += 12
        elif marker == "a" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second, micro)
    return None


def find_offset(text: str) -> timezone | None:
    """A trailing UTC offset (`+0100`, `-08:00`, `Z`, `UTC`), or None."""
    match = _OFFSET.search(text.strip())
    if not match:
        return None
    if match[4]:
        return UTC
    minutes = int(match[2]) * 60 + int(match[3])
    if minutes > 18 * 60:
        return None
    return timezone(timedelta(minutes=-minutes if match[1] == "-" else minutes))


def parse_loose_datetime(text: str, *, day_first: bool = True) -> datetime | None:
    """A date and time in one of the many ways apps write them; local time when no offset given."""
    found_date = find_date(text, day_first=day_first)
    if found_date is None:
        return None
    rest = _ISO_DATE.sub(" ", text, count=1)
    found_time = find_time(rest) or time(0, 0)
    moment = datetime.combine(found_date, found_time)
    offset = find_offset(text)
    if offset is not None:
        return moment.replace(tzinfo=offset)
    try:
        return moment.astimezone()
    except (ValueError, OverflowError, OSError):
        return None
