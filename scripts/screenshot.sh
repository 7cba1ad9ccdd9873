#!/usr/bin/env bash
# Runs ZIS Studio under Xvfb with a bundle and saves a screenshot.
#   scripts/screenshot.sh [BUNDLE] [OUT.png] [WIDTHxHEIGHT]
# Exits non-zero when the window never appears or the picture is blank.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-sample_bundles/urgent_ticket_to_slack.json}
out=${2:-docs/screenshots/main_window.png}
size=${3:-1280x800}
bin=${ZIS_STUDIO_BIN:-target/debug/zis-studio}
[ -x "$bin" ] || cargo build --quiet
mkdir -p "$(dirname "$out")"

export XDG_RUNTIME_DIR; XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"
# SCREENSHOT_DATA: a data folder to use (kept) instead of a fresh one.
data=${SCREENSHOT_DATA:-$(mktemp -d)}
keep_data=${SCREENSHOT_DATA:+1}
n=90
while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
display=":$n"
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp -noreset >/dev/null 2>&1 &
xvfb=$!
app=""
# Keys like F9 change the bundle's sidecar (breakpoints): it is put back afterwards, so a
# screenshot never leaves a sample changed.
sidecar="$bundle.zis-studio.json"
saved_sidecar=""
if [ -f "$sidecar" ]; then saved_sidecar=$(mktemp); cp "$sidecar" "$saved_sidecar"; fi
restore_sidecar() {
  if [ -n "$saved_sidecar" ]; then cp "$saved_sidecar" "$sidecar"; rm -f "$saved_sidecar"
  else rm -f "$sidecar"; fi
}
cleanup() { [ -n "$app" ] && kill "$app" 2>/dev/null; kill "$xvfb" 2>/dev/null; wait 2>/dev/null; restore_sidecar; [ -n "$keep_data" ] || rm -rf "$data"; }
trap cleanup EXIT
ready=""
for _ in $(seq 100); do
  if DISPLAY=$display xdpyinfo >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] || { echo "screenshot: Xvfb did not start on $display" >&2; exit 1; }

found=""
for attempt in 1 2 3; do
  DISPLAY=$display "$bin" --data "$data" "$bundle" >/tmp/zis-studio-screenshot.log 2>&1 &
  app=$!
  for _ in $(seq 120); do
    if DISPLAY=$display xdotool search --name "ZIS Studio" >/dev/null 2>&1; then found=1; break; fi
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
  done
  [ -n "$found" ] && break
  echo "screenshot: attempt $attempt: the window did not appear; log:" >&2
  cat /tmp/zis-studio-screenshot.log >&2
  kill "$app" 2>/dev/null || true
  app=""
  sleep 1
done
if [ -z "$found" ]; then
  echo "screenshot: the window never appeared" >&2
  exit 1
fi
sleep "${SCREENSHOT_WAIT:-4}"
# SCREENSHOT_KEYS="F5" presses keys in the window first (F5 runs the flow), then waits
# SCREENSHOT_AFTER seconds.
if [ -n "${SCREENSHOT_KEYS:-}" ]; then
  win=$(DISPLAY=$display xdotool search --name "ZIS Studio" | head -1)
  DISPLAY=$display xdotool windowfocus --sync "$win" key --delay 700 $SCREENSHOT_KEYS || true
  sleep "${SCREENSHOT_AFTER:-3}"
fi
# SCREENSHOT_CLICKS="x,y x,y": left clicks at window coordinates, 1.5 s apart.
for xy in ${SCREENSHOT_CLICKS:-}; do
  DISPLAY=$display xdotool mousemove "${xy%,*}" "${xy#*,}" click 1
  sleep 1.5
done
# SCREENSHOT_TYPE="text": after the clicks, selects all in the focused field and types this.
if [ -n "${SCREENSHOT_TYPE:-}" ]; then
  win=$(DISPLAY=$display xdotool search --name "ZIS Studio" | head -1)
  DISPLAY=$display xdotool windowfocus --sync "$win" || true
  DISPLAY=$display xdotool key ctrl+a
  DISPLAY=$display xdotool type --delay 60 "$SCREENSHOT_TYPE"
  sleep 1.5
fi
# SCREENSHOT_THEN="key:F5 click:x,y up:x,y down:x,y,n …": more keys, clicks and mouse-wheel
# turns (n notches at x,y, default 5), in order, 1.5 s apart.
for step in ${SCREENSHOT_THEN:-}; do
  case "$step" in
    key:*)
      win=$(DISPLAY=$display xdotool search --name "ZIS Studio" | head -1)
      DISPLAY=$display xdotool windowfocus --sync "$win" key "${step#key:}" || true ;;
    click:*)
      xy=${step#click:}
      DISPLAY=$display xdotool mousemove "${xy%,*}" "${xy#*,}" click 1 ;;
    up:*|down:*)
      IFS=, read -r x y notches <<< "${step#*:}"; button=4; [ "${step%%:*}" = down ] && button=5
      DISPLAY=$display xdotool mousemove "$x" "$y" click --repeat "${notches:-5}" "$button" ;;
  esac
  sleep 1.5
done
DISPLAY=$display import -window root "$out"
colours=$(convert "$out" -format %k info:)
echo "screenshot: $out ($colours colours)"
[ "$colours" -gt 16 ] || { echo "screenshot: the picture is blank" >&2; exit 1; }
