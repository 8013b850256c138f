#!/usr/bin/env bash
# Re-take the screenshots in this folder: the app under Xvfb at 1280x800, driven with xdotool.
# Needs: xvfb xdotool imagemagick (Debian), and the project's .venv. Usage: resources/screenshots/take.sh
# Writes breathe.png (pacer mid-inhale, light), breathe-dark.png, history.png, settings-dark.png.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=resources/screenshots
WORK=$(mktemp -d)
DISPLAY_NUM=${DISPLAY_NUM:-91}
Xvfb ":${DISPLAY_NUM}" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null; rm -rf "$WORK"' EXIT
export DISPLAY=":${DISPLAY_NUM}"
sleep 1

shoot() {  # THEME
    local theme=$1 db="$WORK/$1.db"
    .venv/bin/python - "$theme" "$db" <<'PY'
import sys
from datetime import datetime, timedelta
from app.breathing import BreathingPattern
from app.store import open_store
from app.store.settings import AppSettings, save_settings
store = open_store(sys.argv[2])
save_settings(store, AppSettings(theme=sys.argv[1], rate_bpm=5.5, exhale_ratio=1.5, session_minutes=15))
now = datetime.now().astimezone().replace(second=0, microsecond=0)
for days, rate, ratio, dur_s, before, after, note in [
    (6, 6.0, 1.0, 600, 7, 4, "Busy day; calmer after."), (5, 5.5, 2.0, 900, 6, 3, None),
    (3, 5.5, 2.0, 1200, 8, 4, "Slept badly, went gently."), (2, 6.0, 1.5, 300, None, None, None),
    (1, 5.0, 1.0, 600, 5, 2, "Morning practice"),
]:
    start = now - timedelta(days=days, hours=days % 3)
    pattern = BreathingPattern(rate_bpm=rate, exhale_ratio=ratio)
    sid = store.start_session("breathing", start, rate_bpm=rate, pattern_json=pattern.to_json())
    store.finish_session(sid, ended_at=start + timedelta(seconds=dur_s), duration_s=dur_s)
    if before:
        store.set_reflection(sid, stress_before=before, stress_after=after, note=note)
store.close()
PY
    XDG_CACHE_HOME="$WORK/cache" XDG_CONFIG_HOME="$WORK/config" .venv/bin/baseline --db "$db" \
        >"$WORK/app.log" 2>&1 &
    local app=$! win
    win=$(timeout 30 xdotool search --sync --onlyvisible --name "^Baseline$" | head -1)
    sleep 1.5
    xdotool windowsize "$win" 1280 800 windowmove "$win" 0 0
    local welcome
    welcome=$(xdotool search --onlyvisible --name "^Welcome to Baseline$" | head -1 || true)
    if [ -n "$welcome" ]; then xdotool windowfocus "$welcome" key Escape; sleep 0.4; fi
    xdotool windowfocus "$win" key ctrl+1; sleep 0.4
    xdotool key space; sleep 2.0  # 5.5/min at 1:1.5: the inhale lasts 4.4 s
    import -window root "$WORK/breathe_$theme.png"
    sleep 4; xdotool key Escape; sleep 0.8
    local dialog
    dialog=$(xdotool search --onlyvisible --name "How do you feel" | head -1)
    xdotool windowfocus "$dialog" key ctrl+a type "7"
    xdotool key Tab ctrl+a type "4"
    xdotool key Tab type "Shoulders softer."
    xdotool key Tab Return; sleep 0.5
    xdotool windowfocus "$win" key ctrl+2; sleep 0.8  # History
    import -window root "$WORK/history_$theme.png"
    xdotool key ctrl+3; sleep 0.8  # Settings
    import -window root "$WORK/settings_$theme.png"
    xdotool key ctrl+q; sleep 1
    kill "$app" 2>/dev/null || true
}

shoot light
shoot dark
png() { convert "$1" -strip -define png:compression-level=9 "$2"; }
png "$WORK/breathe_light.png" "$OUT/breathe.png"
png "$WORK/breathe_dark.png" "$OUT/breathe-dark.png"
png "$WORK/history_light.png" "$OUT/history.png"
png "$WORK/settings_dark.png" "$OUT/settings-dark.png"
echo "wrote $OUT/breathe.png breathe-dark.png history.png settings-dark.png"
