#!/usr/bin/env bash
# Install Baseline from this unpacked tarball into ~/.local (or --prefix DIR), or remove it again.
#
#   ./install.sh                 install into ~/.local
#   ./install.sh --prefix DIR    install into DIR (DIR/bin, DIR/lib/baseline, DIR/share)
#   ./install.sh --uninstall     remove what an install put there (same --prefix)
#
# Installs: DIR/lib/baseline/ (the program), DIR/bin/baseline (a symlink), the desktop entry, the
# AppStream metainfo and the icon in the hicolor theme. Your recordings are not touched: they live in
# the platform data folder (~/.local/share/Baseline) and stay there after an uninstall.
set -euo pipefail

APP_ID=org.baselineapp.Baseline
prefix="${HOME}/.local"
action=install
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --uninstall) action=uninstall; shift ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "$0")" && pwd)"

# Every file the install creates, relative to the prefix (the program folder is removed as a whole).
installed_files() {
    echo "bin/baseline"
    echo "share/applications/${APP_ID}.desktop"
    echo "share/metainfo/${APP_ID}.metainfo.xml"
    echo "share/icons/hicolor/scalable/apps/${APP_ID}.svg"
    for size in 16 22 24 32 48 64 128 256 512; do
        echo "share/icons/hicolor/${size}x${size}/apps/${APP_ID}.png"
    done
}

refresh_desktop_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "${prefix}/share/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "${prefix}/share/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t "${prefix}/share/icons/hicolor" 2>/dev/null || true
    fi
}

if [ "$action" = uninstall ]; then
    while read -r file; do rm -f "${prefix}/${file}"; done < <(installed_files)
    rm -rf "${prefix}/lib/baseline"
    refresh_desktop_caches
    echo "Baseline removed from ${prefix} (your data in the platform data folder is kept)."
    exit 0
fi

if [ ! -x "${here}/baseline/baseline" ]; then
    echo "install.sh: run me from the unpacked tarball (baseline/baseline not found next to me)" >&2
    exit 2
fi
mkdir -p "${prefix}/bin" "${prefix}/lib"
rm -rf "${prefix}/lib/baseline"
cp -a "${here}/baseline" "${prefix}/lib/baseline"
cp "${here}/install.sh" "${prefix}/lib/baseline/install.sh"
ln -sfn "${prefix}/lib/baseline/baseline" "${prefix}/bin/baseline"

mkdir -p "${prefix}/share/applications" "${prefix}/share/metainfo"
# The desktop entry starts the installed program by its full path: ~/.local/bin is often not on
# the PATH a desktop session uses.
sed "s|^Exec=baseline|Exec=${prefix}/bin/baseline|" "${here}/share/applications/${APP_ID}.desktop" \
    > "${prefix}/share/applications/${APP_ID}.desktop"
cp "${here}/share/metainfo/${APP_ID}.metainfo.xml" "${prefix}/share/metainfo/"
(cd "${here}/share" && find icons -type f) | while read -r icon; do
    mkdir -p "${prefix}/share/$(dirname "$icon")"
    cp "${here}/share/${icon}" "${prefix}/share/${icon}"
done
refresh_desktop_caches

echo "Baseline installed into ${prefix}: run 'baseline' or pick Baseline in your applications menu."
echo "To remove it: ${prefix}/lib/baseline/install.sh --uninstall$([ "$prefix" = "${HOME}/.local" ] || echo " --prefix ${prefix}")"
case ":${PATH}:" in
    *":${prefix}/bin:"*) ;;
    *) echo "Note: ${prefix}/bin is not on your PATH; the menu entry works all the same." ;;
esac
