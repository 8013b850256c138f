"""Before Qt starts: can its display plugin load here? Without this, a missing system library
ends the app in Qt's abort (exit status 134) with a message that names no package.

On Linux, when Qt is going to use its X11 plugin (`QT_QPA_PLATFORM` unset outside a Wayland
session, or set to `xcb`), the plugin is loaded once with the dynamic loader; when that fails,
`ldd` on it lists every shared library it needs and cannot find. With no display to connect to,
that is said too. Everything here runs before PySide6 is imported and imports no Qt: its own
libraries may be the missing ones.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The xcb plugin's libraries (and theirs) that a bare Debian or Ubuntu system may lack, with the
#: package that holds each. The README's list and `.ci/run` name the same packages, except those
#: that apt installs with them anyway (`PULLED_IN`).
DEBIAN_PACKAGES: Mapping[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
}
PULLED_IN = frozenset({"libglvnd0", "libglx0", "libopengl0", "libxau6", "libxdmcp6"})
LDD_TIMEOUT_S = 10.0
XCB_PLUGIN = Path("Qt") / "plugins" / "platforms" / "libqxcb.so"


@dataclass(frozen=True)
class PlatformProblem:
    """Why Qt's display plugin would not load, in one line for the person."""

    message: str
    missing: tuple[str, ...] = ()


def chosen_platform(environ: Mapping[str, str]) -> str:
    """The plugin Qt tries first: `QT_QPA_PLATFORM`'s first entry, else Qt's default here."""
    spec = environ.get("QT_QPA_PLATFORM", "").strip()
    if spec:
        return spec.split(";")[0].split(":")[0].strip()
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return "wayland" if wayland else "xcb"


def xcb_plugin_path() -> Path | None:
    """PySide6's X11 platform plugin, found without importing PySide6."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / XCB_PLUGIN
        if candidate.is_file():
            return candidate
    return None


def missing_libraries(ldd_output: str) -> tuple[str, ...]:
    """The libraries `ldd` reports as `NAME => not found`, in its order, each once."""
    missing: list[str] = []
    for line in ldd_output.splitlines():
        name, arrow, where = line.strip().partition("=>")
        if arrow and where.strip() == "not found" and name.strip() not in missing:
            missing.append(name.strip())
    return tuple(missing)


def ldd_missing(library: Path) -> tuple[str, ...] | None:
    """What `library` needs and the loader cannot find (None when `ldd` cannot tell)."""
    import subprocess  # only when Qt's plugin cannot load: not at every start

    try:
        result = subprocess.run(
            ["ldd", str(library)],
            capture_output=True,
            text=True,
            timeout=LDD_TIMEOUT_S,
            env={**os.environ, "LC_ALL": "C"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return missing_libraries(result.stdout)


def load_error(library: Path) -> str | None:
    """Why the dynamic loader cannot load `library` now, or None when it can.

    Loading it here costs little: Qt loads the same libraries moments later (the loader keeps
    one copy), and this is the loader's own answer, quicker than running `ldd` at every start.
    """
    try:
        ctypes.CDLL(str(library))
    except OSError as exc:
        return str(exc)
    return None


def named_in_load_error(error: str) -> tuple[str, ...]:
    """The library a loader message names ("libX.so.0: cannot open shared object file")."""
    name = error.split(":", 1)[0].strip()
    return (name,) if ".so" in name and "/" not in name else ()


def describe_missing(missing: Sequence[str]) -> str:
    """One line naming the missing libraries and the packages that bring them."""
    packages = sorted({DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES})
    libraries = ", ".join(missing)
    verb = "is" if len(missing) == 1 else "are"
    line = f"Qt's display plugin (xcb) cannot load: {libraries} {verb} not installed."
    if packages:
        line += f" On Debian or Ubuntu: sudo apt install {' '.join(packages)}."
    return line + " The README lists every library Qt needs."


def platform_problem(
    environ: Mapping[str, str],
    *,
    system: str = sys.platform,
    plugin: Path | None = None,
) -> PlatformProblem | None:
    """What would stop Qt's display plugin from loading, or None when nothing is known to."""
    if not system.startswith("linux") or chosen_platform(environ) != "xcb":
        return None
    path = plugin if plugin is not None else xcb_plugin_path()
    error = load_error(path) if path is not None else None
    if path is not None and error is not None:
        missing = ldd_missing(path) or named_in_load_error(error)
        if missing:
            return PlatformProblem(describe_missing(missing), missing)
        return PlatformProblem(
            f"Qt's display plugin (xcb) cannot load: {error}. The README lists every library "
            "Qt needs."
        )
    if not environ.get("DISPLAY"):
        return PlatformProblem(
            "There is no display to open the window on (DISPLAY is not set). Start Baseline "
            "from your desktop, or use its commands (baseline --help) without a window."
        )
    return None
