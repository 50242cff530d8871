#!/usr/bin/env bash
# Install the npm workspace when node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
# Electron's package downloads its binary at install. Where that host cannot even be resolved (these
# build machines), install without it: the app still builds and type-checks against electron's types,
# and the Electron launch spec says it is skipped.
if [ -z "${ELECTRON_SKIP_BINARY_DOWNLOAD:-}" ] && ! getent hosts github.com >/dev/null 2>&1; then
  echo "github.com does not resolve: installing electron without its binary"
  export ELECTRON_SKIP_BINARY_DOWNLOAD=1
fi
# Playwright drives Debian's Chromium (/usr/bin/chromium); it never needs its own browsers.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
