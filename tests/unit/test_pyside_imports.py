"""PySide6's check of each new module (does it use `__feature__`?) gives the same answers from a
plain read of the file, and no longer keeps every module's lines in `linecache`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_IMPORT_TWO_MODULES = """
import linecache, sys
import PySide6.QtCore
if sys.argv[2] == "patched":
    from app.ui.startup.pyside_imports import read_sources_uncached
    assert read_sources_uncached()
sys.path.insert(0, sys.argv[1])
import uses_qt, plain
checked = sys.modules["PySide6.support.feature"].pyside_feature_dict
kept = any(name.endswith(("uses_qt.py", "plain.py")) for name in linecache.cache)
print(checked["uses_qt"], checked["plain"], kept)
"""


def _import_two_modules(folder: Path, mode: str) -> list[str]:
    (folder / "uses_qt.py").write_text("from PySide6.QtCore import QObject\n" * 50)
    (folder / "plain.py").write_text("VALUE = 1\n" * 50)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_IMPORT_TWO_MODULES), str(folder), mode],
        cwd=ROOT,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_check_answers_as_pyside_does_and_keeps_no_lines(tmp_path: Path) -> None:
    (tmp_path / "own").mkdir()
    (tmp_path / "patched").mkdir()
    assert _import_two_modules(tmp_path / "own", "own") == ["0", "-1", "True"]  # PySide's own
    assert _import_two_modules(tmp_path / "patched", "patched") == ["0", "-1", "False"]
