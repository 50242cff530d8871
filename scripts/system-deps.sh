#!/usr/bin/env bash
# Ensure the Debian packages the lab and tests need are installed. As root it installs what is missing
# (apt-get update first); otherwise it prints the exact command and fails.
set -euo pipefail

# command -> Debian package
declare -A NEEDED=(
  [wireguard-go]=wireguard-go
  [wg]=wireguard-tools
  [nft]=nftables
  [ip]=iproute2
  [iperf3]=iperf3
  [tcpdump]=tcpdump
  [ping]=iputils-ping
  [nsenter]=util-linux
  [mount]=mount
  [sysctl]=procps
  [desktop-file-validate]=desktop-file-utils
)
if [ "${SLUICE_NEED_CHROMIUM:-0}" = 1 ]; then NEEDED[chromium]=chromium; fi

missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
