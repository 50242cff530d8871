#!/usr/bin/env bash
# `npm run lab [-- up|down|shell|status ...]`: set up what is missing, build, and drive the network lab.
# With no arguments: bring the lab up with the helper running in its client namespace, import the
# lab's relays, and print how to use it. The lab lives in network namespaces; the host is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "npm run lab needs root (it creates network namespaces). Try: sudo npm run lab" >&2
  exit 1
fi
bash scripts/system-deps.sh
bash scripts/node-deps.sh
npm run -s build
export NETLAB_PROG="npm run lab --"
if [ $# -eq 0 ]; then
  exec node packages/netlab/dist/cli.js up --with-helper
fi
exec node packages/netlab/dist/cli.js "$@"
