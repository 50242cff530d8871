#!/usr/bin/env bash
# `npm run e2e`: the real renderer in Debian's Chromium against the real helper in the lab (root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-lab.sh "npm run e2e" --chromium
exec npx playwright test -c e2e/playwright.config.ts "$@"
