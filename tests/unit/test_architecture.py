"""The layers hold: checked by the import-linter contracts in pyproject.toml over the whole
import graph of `app` and `sensors`, and shown to fail on a planted violation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
CORE_PACKAGES = (
    "app.hrv",
    "app.recovery",
    "app.breathing",
    "app.store",
    "app.formats",
    "app.session",
    "app.commands",
    "sensors",
)
LAYERS = "Layers: the entry point, the desktop, commands, sessions, then the data and the kernels"
CONTRACT_NAMES = (
    "The core is Qt-free",
    "The desktop layer reaches the database only through app.store",
    LAYERS,
    "formats: the import pipeline sits on the readers, which share only the foundations",
    "formats: export and backup use no reader and no import step",
    "formats: readers and the import pipeline never write exports or backups",
)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_every_contract_is_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    out = _one_line(result.stdout)
    for name in CONTRACT_NAMES:
        assert f"{name} KEPT" in out, name
    assert "BROKEN" not in out


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("app/store/records.py", "import PySide6.QtCore", "The core is Qt-free"),
        ("app/session/live.py", "import pyqtgraph", "The core is Qt-free"),
        (
            "app/ui/dialogs/export.py",
            "import sqlite3",
            "The desktop layer reaches the database only through app.store",
        ),
        (
            "app/store/settings.py",
            "import app.commands.record",
            LAYERS,
        ),
        ("app/crash_report.py", "import app.store", LAYERS),
        (
            "app/formats/kubios.py",
            "import app.formats.importer",
            "formats: the import pipeline sits on the readers, which share only the foundations",
        ),
        (
            "app/formats/kubios.py",
            "import app.formats.polar_hrm",
            "formats: the import pipeline sits on the readers, which share only the foundations",
        ),
        (
            "app/formats/export.py",
            "import app.formats.baseline_json",
            "formats: export and backup use no reader and no import step",
        ),
        (
            "app/formats/registry.py",
            "import app.formats.atomic",
            "formats: readers and the import pipeline never write exports or backups",
        ),
    ],
)
def test_a_planted_violation_breaks_its_contract(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    """The same contracts, run over a copy of the code with one forbidden import added."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("app", "sensors"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{planted}\n", encoding="utf-8")

    result = _lint_imports(tmp_path)

    out = _one_line(result.stdout)
    assert result.returncode != 0, out
    assert f"{contract} BROKEN" in out, out
    assert "Contracts: 5 kept, 1 broken." in out, out


def test_importing_every_core_module_loads_no_qt() -> None:
    """Every module of the core (not only the packages) imports without Qt."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {CORE_PACKAGES!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "importlib.import_module('app.cli')\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))]\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('app', 'sensors')))))\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    loaded = set(result.stdout.split())
    on_disk = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for name in CORE_PACKAGES
        for path in (ROOT / name.replace(".", "/")).rglob("*.py")
    }
    assert on_disk <= loaded, sorted(on_disk - loaded)
