"""A file handed to the importers: its name, content hash, head, and its bytes or a stream.

Readers that need the whole content call `data` / `text()` (read once, at most
`MAX_IN_MEMORY_BYTES`); readers of huge files (Apple Health `export.xml`) call `stream()` and never
hold it all. The SHA-256 is computed while streaming, so hashing a large file costs no memory.

Every input is bounded, and these constants are the one place the limits live:
only regular files are read (a device such as `/dev/zero`, a pipe, a socket or a folder is refused
before reading, and opening never blocks); a file larger than `MAX_FILE_BYTES` (or a gzip file
larger than `MAX_COMPRESSED_BYTES`) is refused from its size alone; gzip content is counted while
it is decompressed and refused as soon as it passes `uncompressed_limit(...)`, so a gzip bomb costs
one chunk of memory and a fraction of a second.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import zlib
from pathlib import Path
from typing import BinaryIO

from app.formats.errors import FormatError
from app.formats.text import decode_text

HEAD_BYTES = 65536
MIB = 1024**2
GIB = 1024**3
#: Largest file read at all (an Apple Health `export.xml` of several years is a few GB; streamed).
MAX_FILE_BYTES = 8 * GIB
#: Largest gzip file read (compressed size on disk).
MAX_COMPRESSED_BYTES = 2 * GIB
#: Largest content a gzip file may expand to.
MAX_UNCOMPRESSED_BYTES = MAX_FILE_BYTES
#: A gzip file may expand to this many times its compressed size (text compresses 3-20 times;
#: a bomb of zeros about 1000 times) ...
MAX_EXPANSION_RATIO = 100
#: ... or to this size, whichever is more (small files expand freely up to here).
EXPANSION_ALLOWANCE_BYTES = 64 * MIB
#: Readers that hold a whole file refuse larger ones (a day of continuous beats is ~1 MB of text).
MAX_IN_MEMORY_BYTES = 64 * MIB
_CHUNK = MIB
_GZIP_MAGIC = b"\x1f\x8b"


def describe_size(n_bytes: int) -> str:
    """A size in plain words: `512 MB`, `8 GB`, `70 KB`."""
    for unit, size in (("GB", GIB), ("MB", MIB), ("KB", 1024)):
        if n_bytes >= size:
            return f"{n_bytes / size:.3g} {unit}"
    return f"{n_bytes} bytes"


def uncompressed_limit(compressed_bytes: int) -> int:
    """How far a gzip file of this size may expand before it is refused."""
    return min(
        MAX_UNCOMPRESSED_BYTES,
        max(EXPANSION_ALLOWANCE_BYTES, MAX_EXPANSION_RATIO * compressed_bytes),
    )


def open_regular_file(path: Path) -> BinaryIO:
    """Open `path` for reading if it is a regular file, else raise FormatError.

    The file is opened without blocking (a FIFO with no writer would wait forever) and checked
    with fstat on the open descriptor, so a path swapped after a check cannot slip through.
    """
    try:  # stat first: opening a socket fails obscurely, opening a device can have effects
        _check_regular(os.stat(path).st_mode)
    except FileNotFoundError as exc:
        raise FormatError("file not found") from exc
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc.strerror or exc}") from exc
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise FormatError("file not found") from exc
    except IsADirectoryError as exc:
        raise FormatError("is a folder, not a file") from exc
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        _check_regular(os.fstat(fd).st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise FormatError("is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise FormatError(
            "is not a regular file (a device, pipe or socket); save the data to a file first"
        )


class _BoundedReader(io.RawIOBase):
    """Reads from `inner` and raises FormatError once more than `limit` bytes came out."""

    def __init__(
        self, inner: BinaryIO, limit: int, what: str, *, underlying: BinaryIO | None = None
    ) -> None:
        super().__init__()
        self._inner = inner
        self._underlying = underlying  # closed with `inner` (GzipFile leaves its file open)
        self._limit = limit
        self._what = what
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        # Never ask for more than one chunk past the limit: memory stays bounded.
        want = min(len(buffer), _CHUNK, self._limit - self._count + 1)
        try:
            chunk = self._inner.read(want)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise FormatError(f"broken gzip file ({exc})") from exc
        self._count += len(chunk)
        if self._count > self._limit:
            raise FormatError(f"{self._what} is larger than {describe_size(self._limit)}")
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        try:
            self._inner.close()
            if self._underlying is not None:
                self._underlying.close()
        finally:
            super().close()


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
        """A regular file on disk (gzip detected from its content), within the size limits.

        Raises FormatError, before reading anything when the file is not a regular file or its
        size alone is over the limits.
        """
        with open_regular_file(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            try:
                magic = handle.read(2)
            except OSError as exc:
                raise FormatError(f"cannot read the file: {exc.strerror or exc}") from exc
        compressed = magic == _GZIP_MAGIC
        limit = MAX_COMPRESSED_BYTES if compressed else MAX_FILE_BYTES
        if size > limit:
            kind = "a gzip file" if compressed else "a file"
            raise FormatError(
                f"the file is {describe_size(size)}; {kind} of at most {describe_size(limit)}"
                " is read"
            )
        name = path.name
        if compressed and name.lower().endswith(".gz"):
            name = name[:-3]
        try:
            return cls(name, path=path, compressed=compressed)
        except OSError as exc:
            raise FormatError(f"cannot read the file: {exc.strerror or exc}") from exc

    def stream(self) -> BinaryIO:
        """The (decompressed) content as a binary stream; the caller closes it.

        Reading raises FormatError once the content passes the size limits.
        """
        if self._data is not None:
            return io.BytesIO(self._data)
        assert self._path is not None
        handle = open_regular_file(self._path)
        if not self._compressed:
            # A file that grows while it is read is still bounded.
            return io.BufferedReader(_BoundedReader(handle, MAX_FILE_BYTES, "the file"), _CHUNK)
        limit = uncompressed_limit(os.fstat(handle.fileno()).st_size)
        inflated: BinaryIO = gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[assignment]
        bounded = _BoundedReader(inflated, limit, "the uncompressed content", underlying=handle)
        return io.BufferedReader(bounded, _CHUNK)

    @property
    def data(self) -> bytes:
        """The whole (decompressed) content. Raises FormatError when it is too large."""
        if self._data is None:
            too_large = FormatError(
                f"file too large for this format (over {describe_size(MAX_IN_MEMORY_BYTES)})"
            )
            if not self._compressed and self._size_on_disk() > MAX_IN_MEMORY_BYTES:
                raise too_large
            with self.stream() as handle:
                chunks: list[bytes] = []
                size = 0
                while chunk := self._read_chunk(handle):
                    size += len(chunk)
                    if size > MAX_IN_MEMORY_BYTES:
                        raise too_large
                    chunks.append(chunk)
            self._data = b"".join(chunks)
        return self._data

    def _size_on_disk(self) -> int:
        if self._path is None:
            return 0
        try:
            return self._path.stat().st_size
        except OSError:
            return 0

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
