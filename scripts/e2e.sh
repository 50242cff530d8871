#!/usr/bin/env bash
# `npm run e2e`: the real renderer in Debian's Chromium against the real helper in the lab (root).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "npm run e2e needs root (it runs the helper in network namespaces). Try: sudo npm run e2e" >&2
  exit 1
fi
SLUICE_NEED_CHROMIUM=1 bash scripts/system-deps.sh
bash scripts/node-deps.sh
if [ "${SLUICE_SKIP_BUILD:-0}" != 1 ]; then npm run -s build; fi
exec npx playwright test -c e2e/playwright.config.ts "$@"
