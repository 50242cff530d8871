#!/usr/bin/env bash
# Shared set-up of the lab commands (npm run lab, bench, e2e): root, system packages, npm packages,
# build. Usage: bash scripts/prepare-lab.sh "npm run lab" [--chromium]. SLUICE_SKIP_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: prepare-lab.sh "<command name>" [--chromium]}
if [ "$(id -u)" -ne 0 ]; then
  echo "$what needs root (it runs in network namespaces). Try: sudo $what" >&2
  exit 1
fi
if [ "${2:-}" = --chromium ]; then export SLUICE_NEED_CHROMIUM=1; fi
bash scripts/system-deps.sh
bash scripts/node-deps.sh
if [ "${SLUICE_SKIP_BUILD:-0}" != 1 ]; then npm run -s build; fi
