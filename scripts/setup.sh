#!/usr/bin/env bash
# Installs the Debian packages ZIS Studio needs to build, run and test, on a fresh Debian
# machine (run as root, or with sudo available). Safe to run again: it skips what is there.
set -euo pipefail

packages=(
  # build: a C compiler for bundled SQLite and aws-lc (Rust itself comes from rustup)
  gcc pkg-config ca-certificates
  # run the window (X11 and Wayland, OpenGL and Vulkan through Mesa; D-Bus for file dialogs)
  libx11-6 libx11-xcb1 libxcb1 libxcursor1 libxi6 libxrender1 libxkbcommon0 libxkbcommon-x11-0
  libegl1 libgl1 libegl-mesa0 libglx-mesa0 libgl1-mesa-dri libdbus-1-3
  libwayland-client0 libwayland-egl1 libvulkan1 mesa-vulkan-drivers
  # headless runs and screenshots (scripts/screenshot.sh, CI's smoke run)
  xvfb x11-utils xdotool imagemagick
  # the README's curl walkthrough of the local ZIS server (tested by tests/walkthrough.rs)
  curl jq
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages already installed"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
