#!/bin/sh
# After the deb or rpm removes Sluice: stop and disable the helper's units, remove them, and lift the
# firewall block the helper deliberately leaves behind. Upgrades run this too, and must not touch the
# running helper: deb postrm gets "upgrade" (or an abort), rpm %postun gets 1 or more.
#
# electron-builder replaces text of the form dollar-brace-NAME in this file with its own macros and
# fails on unknown names, so shell variables here are always written $NAME, never with braces.
set -e

case "$1" in
    remove | purge | 0) ;;
    *) exit 0 ;;
esac

UNIT_DIR=/usr/lib/systemd/system
HELPER_UNIT=sluiced.service
BOOT_UNIT=sluice-early-boot-blocking.service

if [ -d /run/systemd/system ]; then
    systemctl stop "$HELPER_UNIT" "$BOOT_UNIT" || true
fi
systemctl disable "$HELPER_UNIT" "$BOOT_UNIT" >/dev/null 2>&1 || true
rm -f "$UNIT_DIR/$HELPER_UNIT" "$UNIT_DIR/$BOOT_UNIT"
rm -f /usr/bin/sluice /usr/bin/sluice-exclude
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    systemctl reset-failed "$HELPER_UNIT" "$BOOT_UNIT" >/dev/null 2>&1 || true
fi

# A helper stopped while the tunnel was wanted keeps its nftables table so nothing leaks; with the app
# gone nothing would ever lift that block.
if command -v nft >/dev/null 2>&1; then
    nft delete table inet sluice >/dev/null 2>&1 || true
fi

if [ -f /etc/apparmor.d/sluice ]; then
    if command -v apparmor_parser >/dev/null 2>&1; then
        apparmor_parser --remove /etc/apparmor.d/sluice >/dev/null 2>&1 || true
    fi
    rm -f /etc/apparmor.d/sluice
fi

# Purging (deb only) also removes the helper's settings, keys and logs. The group stays: files
# elsewhere may still belong to it.
if [ "$1" = purge ]; then
    rm -rf /var/lib/sluice
fi

if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database /usr/share/applications || true
fi
exit 0
