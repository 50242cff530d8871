#!/usr/bin/env bash
# `npm test`: set up what is missing, build, and run every test: unit and lab tests (Vitest), then the
# e2e specs (Playwright in Debian's Chromium against the helper in the lab). Lab tests and e2e need
# root (network namespaces); without root they are skipped and say so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/node-deps.sh
if [ "$(id -u)" -eq 0 ]; then SLUICE_NEED_CHROMIUM=1 bash scripts/system-deps.sh; fi
npm run -s build
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
npx vitest run "$@" | tee "$out/vitest.log" || status=$?
if [ "$(id -u)" -eq 0 ] && [ $# -eq 0 ]; then
  SLUICE_SKIP_BUILD=1 bash scripts/e2e.sh | tee "$out/e2e.log" || status=$?
else
  echo "e2e: skipped (needs root, and runs only when npm test is given no filter)"
fi
# One closing line for both runners: "N passed, N failed, N skipped".
node scripts/summarise-tests.js "$out/vitest.log" "$out/e2e.log"
exit "$status"
