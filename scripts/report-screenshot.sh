#!/usr/bin/env bash
# Renders an evaluation report (report.html from `hardgen eval`) in headless Chromium and saves
# a screenshot, so a person can check the page as a browser shows it.
# Usage: scripts/report-screenshot.sh REPORT.html OUT.png
# Installs Debian's chromium when it is missing (needs apt and root).
set -euo pipefail
html="${1:?usage: $0 REPORT.html OUT.png}"
png="${2:?usage: $0 REPORT.html OUT.png}"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# The background-networking flags keep Chromium from calling out (the network is closed).
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1100,2200 \
  --screenshot="$(realpath -m "$png")" "file://$(realpath "$html")" 2>/dev/null
test -s "$png" && echo "screenshot: $png"
