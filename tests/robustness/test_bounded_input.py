"""Inputs are bounded: only regular files are read, sizes are limited, a gzip bomb is refused fast.

The process-level behaviour (no hang, bounded memory) is checked on the real program in a child
process with a timeout; the limits themselves in-process with tracemalloc.
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest

from app.formats import source as source_module
from app.formats.errors import FormatError
from app.formats.importer import ImportFileError, read_file
from app.formats.source import (
    EXPANSION_ALLOWANCE_BYTES,
    MAX_COMPRESSED_BYTES,
    MAX_FILE_BYTES,
    MAX_IN_MEMORY_BYTES,
    Source,
    uncompressed_limit,
)
from tests.conftest import DATA_DIR
from tests.robustness.helpers import command_lines, peak_rss_mib, run_baseline, write_gzip_bomb

RR_FILE = DATA_DIR / "rr" / "rest_5min_pyhrv_short.txt"
BOMB_BYTES = 2 * 1024**3


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    path = tmp_path / "beats.txt.gz"
    write_gzip_bomb(path, BOMB_BYTES)
    assert path.stat().st_size < 4 * 1024**2  # the test stays small
    return path


def _one_refusal(result: subprocess.CompletedProcess[str], command: str, words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = command_lines(result.stderr)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"baseline {command}: ")
    assert words in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["analyze", "import"])
def test_dev_zero_is_refused_before_reading(tmp_path: Path, command: str) -> None:
    started = time.monotonic()
    result = run_baseline([command, "/dev/zero"], tmp_path, measure=True)
    _one_refusal(result, command, "not a regular file")
    assert time.monotonic() - started < 60
    assert peak_rss_mib(result.stderr) < 200


@pytest.mark.parametrize("command", ["analyze", "import"])
def test_a_fifo_without_writer_does_not_hang(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "beats.txt"
    os.mkfifo(fifo)
    result = run_baseline([command, str(fifo)], tmp_path)  # times out (fails) if it blocks
    _one_refusal(result, command, "not a regular file")


def test_a_socket_and_a_folder_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        with pytest.raises(FormatError, match="not a regular file"):
            Source.from_path(path)
        result = run_baseline(["analyze", str(path)], tmp_path)
        _one_refusal(result, "analyze", "not a regular file")
    with pytest.raises(FormatError, match="is a folder"):
        Source.from_path(tmp_path)
    result = run_baseline(["import", str(tmp_path)], tmp_path)
    _one_refusal(result, "import", "is a folder")


@pytest.mark.parametrize("command", ["analyze", "import"])
def test_gzip_bomb_is_refused_in_bounded_memory_and_time(
    tmp_path: Path, bomb: Path, command: str
) -> None:
    started = time.monotonic()
    result = run_baseline([command, str(bomb)], tmp_path, measure=True)
    elapsed_s = time.monotonic() - started
    _one_refusal(result, command, "uncompressed content is larger than")
    assert peak_rss_mib(result.stderr) < 200  # 2 GB of content, never held
    assert elapsed_s < 60
    assert not (tmp_path / "default.db").exists() or command == "import"


def test_gzip_bomb_in_process_memory_is_one_chunk(bomb: Path) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="larger than"):
            Source.from_path(bomb)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_bytes < 16 * 1024**2


def test_uncompressed_limit_follows_the_compressed_size() -> None:
    assert uncompressed_limit(1000) == EXPANSION_ALLOWANCE_BYTES
    assert uncompressed_limit(10 * 1024**2) == 100 * 10 * 1024**2
    assert uncompressed_limit(MAX_COMPRESSED_BYTES) == MAX_FILE_BYTES


def test_a_real_gzip_recording_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "rest.txt.gz"
    path.write_bytes(gzip.compress(RR_FILE.read_bytes()))
    assert read_file(path).imported.format == read_file(RR_FILE).imported.format
    result = run_baseline(["analyze", "--json", str(path)], tmp_path)
    assert result.returncode == 0, result.stderr


def test_huge_sparse_files_are_refused_from_their_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="at most 8 GB"):
        read_file(huge)
    assert time.monotonic() - started < 1.0  # nothing was read
    result = run_baseline(["analyze", str(huge)], tmp_path)
    _one_refusal(result, "analyze", "at most 8 GB")
    big_gzip = tmp_path / "big.gz"
    with big_gzip.open("wb") as handle:
        handle.write(b"\x1f\x8b")
        handle.truncate(MAX_COMPRESSED_BYTES + 1)
    with pytest.raises(ImportFileError, match="a gzip file of at most"):
        read_file(big_gzip)


def test_whole_file_readers_refuse_past_the_in_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.write(b"800\n")
        handle.truncate(MAX_IN_MEMORY_BYTES + 1)
    source = Source.from_path(path)  # streamed for the hash: fine
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="too large"):
            _ = source.data
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_bytes < 4 * 1024**2  # refused from the size, before reading


def test_a_file_growing_past_the_limit_while_read_is_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "beats.txt"
    path.write_bytes(b"800\n" * 1000)
    source = Source.from_path(path)
    monkeypatch.setattr(source_module, "MAX_FILE_BYTES", 2000)  # the file "grew" past it
    with source.stream() as handle, pytest.raises(FormatError, match="larger than"):
        handle.read()
