"""A file handed to the importers: its name, content hash, head, and its bytes or a stream.

Readers that need the whole content call `data` / `text()` (read once, at most 512 MiB);
readers of huge files (Apple Health `export.xml`) call `stream()` and never hold it all.
The SHA-256 is computed while streaming, so hashing a large file costs no memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from pathlib import Path
from typing import BinaryIO

from app.formats.errors import FormatError
from app.formats.text import decode_text

HEAD_BYTES = 65536
# Readers that hold a whole file refuse larger ones (a day of continuous beats is ~1 MB of text).
MAX_IN_MEMORY_BYTES = 512 * 1024**2
_CHUNK = 1024 * 1024


class Source:
    """The content of one file. `name` is the file name (readers may read a start time from it)."""

    def __init__(
        self,
        name: str,
        data: bytes | None = None,
        *,
        path: Path | None = None,
        compressed: bool = False,
    ) -> None:
        if (data is None) == (path is None):
            raise ValueError("give either data or path")
        self.name = name
        self._data = data
        self._path = path
        self._compressed = compressed
        self._text: str | None = None
        digest = hashlib.sha256()
        head = bytearray()
        with self.stream() as handle:
            while chunk := self._read_chunk(handle):
                digest.update(chunk)
                if len(head) < HEAD_BYTES:
                    head.extend(chunk[: HEAD_BYTES - len(head)])
        self.sha256 = digest.hexdigest()
        self.head = bytes(head)

    @staticmethod
    def _read_chunk(handle: BinaryIO) -> bytes:
        try:
            return handle.read(_CHUNK)
        except (OSError, EOFError, zlib.error) as exc:
            raise FormatError(f"broken gzip file ({exc})") from exc

    @classmethod
    def from_path(cls, path: Path) -> Source:
        """A file on disk (gzip detected from its content). Raises FormatError."""
        try:
            with path.open("rb") as handle:
                magic = handle.read(2)
        except IsADirectoryError as exc:
            raise FormatError("is a folder, not a file") from exc
        except FileNotFoundError as exc:
            raise FormatError("file not found") from exc
        except OSError as exc:
            raise FormatError(f"cannot read the file: {exc.strerror or exc}") from exc
        compressed = magic == b"\x1f\x8b"
        name = path.name
        if compressed and name.lower().endswith(".gz"):
            name = name[:-3]
        try:
            return cls(name, path=path, compressed=compressed)
        except OSError as exc:
            raise FormatError(f"cannot read the file: {exc.strerror or exc}") from exc

    def stream(self) -> BinaryIO:
        """The (decompressed) content as a binary stream; the caller closes it."""
        if self._data is not None:
            return io.BytesIO(self._data)
        assert self._path is not None
        if self._compressed:
            return gzip.open(self._path, "rb")  # type: ignore[return-value]
        return self._path.open("rb")

    @property
    def data(self) -> bytes:
        """The whole (decompressed) content. Raises FormatError when it is too large."""
        if self._data is None:
            with self.stream() as handle:
                chunks: list[bytes] = []
                size = 0
                while chunk := self._read_chunk(handle):
                    size += len(chunk)
                    if size > MAX_IN_MEMORY_BYTES:
                        raise FormatError(f"file too large for this format (over {size} bytes)")
                    chunks.append(chunk)
            self._data = b"".join(chunks)
        return self._data

    def text(self) -> str:
        """The whole file as text (decoded once). Raises FormatError for binary data."""
        if self._text is None:
            self._text = decode_text(self.data)
        return self._text

    def head_text(self) -> str | None:
        """The first 64 KiB as text, or None when that is binary."""
        try:
            return decode_text(self.head)
        except FormatError:
            return None

    @property
    def is_empty(self) -> bool:
        return not self.head
