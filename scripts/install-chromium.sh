#!/usr/bin/env bash
# Installs the browser the local console's tests drive: Debian's Chromium (playwright-core never downloads one).
# `bash scripts/install-chromium.sh` — needs root or sudo; does nothing when /usr/bin/chromium is there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "Chromium is installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "No apt-get: install Chromium with your system's package manager, then set CHROMIUM_PATH to its executable." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing Debian's chromium (apt-get install chromium)…"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
/usr/bin/chromium --version
