#!/usr/bin/env bash
# `npm test`: set up what is missing, build, and run every test. Lab tests need root (network
# namespaces); without root they are skipped and say so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/node-deps.sh
if [ "$(id -u)" -eq 0 ]; then bash scripts/system-deps.sh; fi
npm run -s build
npx vitest run "$@"
