#!/usr/bin/env bash
# `npm run bench [-- --runs N ...]`: set up what is missing, build, and measure Sluice against wg-quick in
# the lab (time to connected, time to first HTTP byte, iperf3 throughput). Prints a table; JSON goes to
# e2e/bench/results/latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "npm run bench needs root (it runs in network namespaces). Try: sudo npm run bench" >&2
  exit 1
fi
bash scripts/system-deps.sh
bash scripts/node-deps.sh
npm run -s build
exec node e2e/bench/dist/main.js "$@"
