"""The bundle leaves SciPy out, so the app must run without it: every module of app/ and
sensors/ imports, `baseline analyze --json` gives the same report, and recovery speed fits, all in
a fresh interpreter where importing SciPy raises ImportError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.recovery.recovery_speed import ExponentialFit, fit_exponential

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = (
    ROOT / "tests" / "data" / "rr" / "artifacts_40min_polar_noisy_rri.txt",
    ROOT / "tests" / "data" / "rr" / "rest_5min_pyhrv_short.txt",
)

BLOCK_SCIPY = """
import importlib, json, pkgutil, sys

class NoScipy:
    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, NoScipy())
for name in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
    del sys.modules[name]
"""

IMPORT_EVERYTHING = """
import app, sensors
names = []
for package in (app, sensors):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if module.name.endswith(".__main__"):
            continue  # runs the program
        importlib.import_module(module.name)
        names.append(module.name)
assert not [m for m in sys.modules if m.startswith("scipy")]
print(len(names))
"""

ANALYZE = """
from app.cli import main
code = main(sys.argv[1:])
assert not [m for m in sys.modules if m.startswith("scipy")]
sys.exit(code)
"""

FIT = """
import numpy as np
from app.recovery.recovery_speed import fit_exponential
t = np.arange(0.0, 150.0)
y = 64.0 + 50.0 * np.exp(-t / 31.0) + np.sin(t / 1.7)
fit = fit_exponential(t, y)
print(json.dumps([fit.hr_0_bpm, fit.hr_end_bpm, fit.tau_s, fit.r_squared]))
"""


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", BLOCK_SCIPY + code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_blocker_blocks() -> None:
    result = _python("import scipy.ndimage\n")
    assert result.returncode != 0
    assert "scipy.ndimage is blocked" in result.stderr or "scipy is blocked" in result.stderr


def test_every_module_imports_without_scipy() -> None:
    result = _python(IMPORT_EVERYTHING)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.strip()) > 50


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda path: path.name)
def test_analyze_gives_the_same_report_without_scipy(recording: Path) -> None:
    blocked = _python(ANALYZE, "analyze", str(recording), "--json")
    assert blocked.returncode == 0, blocked.stderr[-3000:]
    normal = subprocess.run(
        [sys.executable, "-m", "app", "analyze", str(recording), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert normal.returncode == 0, normal.stderr[-3000:]
    assert json.loads(blocked.stdout) == json.loads(normal.stdout)


def test_recovery_fit_is_the_same_without_scipy() -> None:
    result = _python(FIT)
    assert result.returncode == 0, result.stderr[-3000:]
    t = np.arange(0.0, 150.0)
    fit = fit_exponential(t, 64.0 + 50.0 * np.exp(-t / 31.0) + np.sin(t / 1.7))
    assert isinstance(fit, ExponentialFit)
    assert json.loads(result.stdout) == [fit.hr_0_bpm, fit.hr_end_bpm, fit.tau_s, fit.r_squared]
