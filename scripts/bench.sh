#!/usr/bin/env bash
# `npm run bench [-- --runs N ...]`: set up what is missing, build, and measure Sluice against wg-quick in
# the lab (time to connected, time to first HTTP byte, iperf3 throughput). Prints a table; JSON goes to
# e2e/bench/results/latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-lab.sh "npm run bench"
exec node e2e/bench/dist/main.js "$@"
