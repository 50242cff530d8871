#!/usr/bin/env bash
# `npm run lab [-- up|down|shell|status ...]`: set up what is missing, build, and drive the network lab.
# With no arguments: bring the lab up with the helper running in its client namespace, import the
# lab's relays, and print how to use it. The lab lives in network namespaces; the host is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-lab.sh "npm run lab"
export NETLAB_PROG="npm run lab --"
if [ $# -eq 0 ]; then
  exec node packages/netlab/dist/cli.js up --with-helper
fi
exec node packages/netlab/dist/cli.js "$@"
