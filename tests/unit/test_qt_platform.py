"""Before Qt starts: a display plugin that cannot load is named in one line (exit 2), not Qt's
abort (exit 134)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.ui.startup import qt_platform
from app.ui.startup.qt_platform import (
    DEBIAN_PACKAGES,
    PULLED_IN,
    chosen_platform,
    load_error,
    missing_libraries,
    named_in_load_error,
    platform_problem,
    xcb_plugin_path,
)

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None,
    reason="the X11 plugin and ldd are Linux things",
)


def _plugin_needing(tmp_path: Path, real: str, missing: str) -> Path:
    """A copy of PySide6's X11 plugin whose dependency `real` is renamed to `missing` (same
    length), beside a link to PySide6's own Qt libraries (the plugin finds them relative to
    itself): for the loader, exactly a system without that library."""
    plugin = xcb_plugin_path()
    assert plugin is not None
    assert len(real) == len(missing)
    qt_dir = plugin.parents[2]
    copy = tmp_path / "Qt" / "plugins" / "platforms" / plugin.name
    copy.parent.mkdir(parents=True)
    (tmp_path / "Qt" / "lib").symlink_to(qt_dir / "lib")
    data = plugin.read_bytes()
    needle = real.encode() + b"\0"
    assert data.count(needle) == 1
    copy.write_bytes(data.replace(needle, missing.encode() + b"\0"))
    return copy


def test_the_platform_qt_tries_first() -> None:
    assert chosen_platform({}) == "xcb"
    assert chosen_platform({"QT_QPA_PLATFORM": "offscreen"}) == "offscreen"
    assert chosen_platform({"QT_QPA_PLATFORM": "xcb:display=:1;wayland"}) == "xcb"
    assert chosen_platform({"QT_QPA_PLATFORM": " wayland;xcb"}) == "wayland"
    wayland = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}
    assert chosen_platform(wayland) == "wayland"
    assert chosen_platform({"XDG_SESSION_TYPE": "wayland"}) == "xcb"  # no compositor to use


def test_ldd_lines_that_name_missing_libraries() -> None:
    output = (
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibxcb-cursor.so.0 => not found\n"
        "\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f7a)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb-cursor.so.0 => not found\n"
    )
    assert missing_libraries(output) == ("libxcb-cursor.so.0", "libxcb-icccm.so.4")
    assert missing_libraries("\tstatically linked\n") == ()


@linux_only
def test_a_missing_library_is_named_with_its_package(tmp_path: Path) -> None:
    plugin = _plugin_needing(tmp_path, "libxcb-cursor.so.0", "libxcb-cursoX.so.0")
    problem = platform_problem({"DISPLAY": ":0"}, system="linux", plugin=plugin)
    assert problem is not None
    assert problem.missing == ("libxcb-cursoX.so.0",)
    assert "libxcb-cursoX.so.0 is not installed" in problem.message
    assert "\n" not in problem.message


@linux_only
def test_the_installed_plugin_loads_here() -> None:
    """This machine has every library (CI installs the README's list): nothing to report."""
    assert platform_problem({"DISPLAY": ":0"}, system="linux") is None


@linux_only
def test_every_system_library_of_the_plugin_has_its_package_listed() -> None:
    """The plugin's system libraries (ldd, transitively) that a bare system may lack are all in
    the package table, and the README and CI name every one of those packages."""
    plugin = xcb_plugin_path()
    assert plugin is not None
    listing = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True)
    needed = {
        line.split("=>")[0].strip()
        for line in listing.stdout.splitlines()
        if "=>" in line and "/PySide6/" not in line
    }
    x_and_gl = {name for name in needed if name.startswith(("libxcb", "libX", "libxkb", "libGL"))}
    assert x_and_gl <= set(DEBIAN_PACKAGES), sorted(x_and_gl - set(DEBIAN_PACKAGES))
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for name in sorted(needed & set(DEBIAN_PACKAGES)):
        package = DEBIAN_PACKAGES[name]
        if package in PULLED_IN:
            continue
        assert f" {package} " in f" {readme} ".replace("`", " "), package
        assert f" {package} " in f" {ci} ".replace("(", " ").replace("\n", " "), package


def test_other_platforms_and_systems_are_not_checked(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.so"
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, system="linux") is None
    assert platform_problem({}, system="win32", plugin=missing) is None
    assert platform_problem({}, system="darwin", plugin=missing) is None


@linux_only
def test_no_display_is_said_in_plain_words() -> None:
    problem = platform_problem({}, system="linux")
    assert problem is not None
    assert "DISPLAY" in problem.message


@linux_only
def test_the_app_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command refuses to start the window: one line on stderr, exit 2, Qt never loaded."""
    plugin = _plugin_needing(tmp_path, "libxcb-icccm.so.4", "libxcb-icccX.so.4")
    monkeypatch.setattr(qt_platform, "xcb_plugin_path", lambda: plugin)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    assert cli.main(["--db", str(tmp_path / "x.db")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("baseline: Qt's display plugin (xcb) cannot load: libxcb-icccX.so.4")
    assert not (tmp_path / "x.db").exists()


def test_the_loader_message_names_the_library() -> None:
    message = "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
    assert named_in_load_error(message) == ("libxcb-cursor.so.0",)
    assert named_in_load_error("/x/libqxcb.so: undefined symbol: foo") == ()


@linux_only
def test_without_ldd_the_loader_still_names_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a system without `ldd`, the loader's own message names the first missing library."""
    plugin = _plugin_needing(tmp_path, "libxcb-randr.so.0", "libxcb-randX.so.0")
    installed = xcb_plugin_path()
    assert installed is not None
    assert load_error(installed) is None
    assert load_error(plugin) is not None
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    problem = platform_problem({"DISPLAY": ":0"}, system="linux", plugin=plugin)
    assert problem is not None
    assert problem.missing == ("libxcb-randX.so.0",)
