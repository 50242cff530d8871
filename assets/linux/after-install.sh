#!/bin/sh
# After the deb or rpm installs or upgrades Sluice (deb postinst "configure"; rpm %post 1 = install,
# 2 = upgrade): Electron's sandbox helper, the `sluice` group that may use the helper's socket, and the
# helper's systemd units, enabled and (re)started so an upgrade runs the new helper at once.
#
# electron-builder replaces text of the form dollar-brace-NAME in this file with its own macros and
# fails on unknown names, so shell variables here are always written $NAME, never with braces.
set -e

APP_DIR=/opt/Sluice
UNIT_SOURCE=$APP_DIR/resources/systemd
UNIT_DIR=/usr/lib/systemd/system
HELPER_UNIT=sluiced.service
BOOT_UNIT=sluice-early-boot-blocking.service

# Chromium's setuid sandbox helper, for kernels or policies (Ubuntu's AppArmor userns restriction) that
# deny unprivileged user namespaces. Chromium prefers namespaces when it can have them.
if [ -f "$APP_DIR/chrome-sandbox" ]; then
    chown root:root "$APP_DIR/chrome-sandbox"
    chmod 4755 "$APP_DIR/chrome-sandbox"
fi

# Ubuntu 24.04+: the AppArmor profile electron-builder ships, when this AppArmor understands it.
if command -v apparmor_parser >/dev/null 2>&1 && [ -f "$APP_DIR/resources/apparmor-profile" ] &&
    apparmor_status --enabled >/dev/null 2>&1; then
    if apparmor_parser --skip-kernel-load --debug "$APP_DIR/resources/apparmor-profile" >/dev/null 2>&1; then
        cp -f "$APP_DIR/resources/apparmor-profile" /etc/apparmor.d/sluice
        apparmor_parser --replace --write-cache --skip-read-cache /etc/apparmor.d/sluice || true
    fi
fi

# Members of `sluice` may talk to the helper: its socket is root:sluice, mode 0660.
if ! getent group sluice >/dev/null 2>&1; then
    groupadd --system sluice
fi
# Whoever installed through sudo or pkexec is added; the membership counts from their next login.
installer=""
if [ -n "$SUDO_USER" ] && [ "$SUDO_USER" != root ]; then
    installer=$SUDO_USER
elif [ -n "$PKEXEC_UID" ] && [ "$PKEXEC_UID" != 0 ]; then
    installer=$(getent passwd "$PKEXEC_UID" | cut -d: -f1)
fi
if [ -n "$installer" ] && id "$installer" >/dev/null 2>&1; then
    if usermod -a -G sluice "$installer"; then
        echo "Sluice: added $installer to the sluice group; log out and back in to use the app."
    fi
fi

# The command line on everyone's PATH: small wrappers that run the bundled CLI on the app's runtime.
install -m 0755 "$APP_DIR/resources/cli/bin/sluice" /usr/bin/sluice
install -m 0755 "$APP_DIR/resources/cli/bin/sluice-exclude" /usr/bin/sluice-exclude

# The helper's units, from the app's resources. /usr/lib/systemd/system is on every systemd's path.
mkdir -p "$UNIT_DIR"
install -m 0644 "$UNIT_SOURCE/$HELPER_UNIT" "$UNIT_DIR/$HELPER_UNIT"
install -m 0644 "$UNIT_SOURCE/$BOOT_UNIT" "$UNIT_DIR/$BOOT_UNIT"
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    # The boot unit is only enabled: it applies the boot-time block at the next boot, not now.
    systemctl enable "$BOOT_UNIT"
    systemctl enable "$HELPER_UNIT"
    # Starts the helper on a first install and swaps in the new one on an upgrade. The helper's
    # firewall table stays in place while it restarts, so a wanted tunnel does not leak meanwhile.
    systemctl restart "$HELPER_UNIT"
else
    # No running systemd (a chroot or an image build): enabling only writes the links.
    systemctl enable "$BOOT_UNIT" "$HELPER_UNIT" || true
fi

if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database /usr/share/applications || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
fi
exit 0
