// A Debian GNOME desktop as the app picker sees it, in memory: apt packages, a flatpak Firefox, a snap
// Chromium, user overrides, and the usual broken and hidden entries. Contents follow real entries.
import type { AppEnvironment } from '../../../src/main/apps/xdg.js';
import { MemoryFileSystem } from './memory-fs.js';

export const HOME = '/home/ada';

export const gnomeEnvironment: AppEnvironment = {
  HOME,
  PATH: '/usr/local/bin:/usr/bin:/bin:/snap/bin',
  LANG: 'de_DE.UTF-8',
  XDG_CURRENT_DESKTOP: 'ubuntu:GNOME',
};

/** A PNG as far as anyone sniffing it can tell: the signature and an IHDR chunk header. */
export function pngBytes(tag: string): Uint8Array {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const header = [0, 0, 0, 13, ...new TextEncoder().encode('IHDR')];
  return Uint8Array.from([...signature, ...header, ...new TextEncoder().encode(tag)]);
}

export function svgText(title: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><title>${title}</title></svg>\n`;
}

export const FLATPAK_FIREFOX_EXEC =
  '/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox --file-forwarding org.mozilla.firefox @@u %u @@';

const firefoxFlatpak = `[Desktop Entry]
Version=1.0
Name=Firefox
GenericName=Web Browser
GenericName[de]=Webbrowser
GenericName[pt_BR]=Navegador web
Comment=Browse the Web
Comment[de]=Im Internet surfen
Exec=${FLATPAK_FIREFOX_EXEC}
Icon=org.mozilla.firefox
Terminal=false
Type=Application
MimeType=text/html;text/xml;application/xhtml+xml;x-scheme-handler/http;x-scheme-handler/https;
StartupNotify=true
Categories=Network;WebBrowser;
Keywords=web;browser;internet;
Actions=new-window;new-private-window;
StartupWMClass=firefox
X-Flatpak=org.mozilla.firefox

[Desktop Action new-window]
Name=Open a New Window
Name[de]=Neues Fenster
Exec=/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox org.mozilla.firefox --new-window %u

[Desktop Action new-private-window]
Name=Open a New Private Window
Exec=/usr/bin/flatpak run --branch=stable --arch=x86_64 --command=firefox org.mozilla.firefox --private-window %u
`;

const chromiumSnap = `[Desktop Entry]
X-SnapInstanceName=chromium
Version=1.0
Name=Chromium Web Browser
Name[de]=Chromium-Webbrowser
GenericName=Web Browser
GenericName[de]=Webbrowser
Comment=Access the Internet
Comment[de]=Zugriff auf das Internet
Exec=env BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/chromium_chromium.desktop /snap/bin/chromium %U
Terminal=false
Type=Application
Icon=/snap/chromium/2497/chromium.png
Categories=Network;WebBrowser;
MimeType=text/html;text/xml;application/xhtml+xml;
StartupNotify=true
StartupWMClass=chromium
`;

const nautilus = `[Desktop Entry]
Name=Files
Name[de]=Dateien
Name[pt]=Ficheiros
Name[pt_BR]=Arquivos
Comment=Access and organize files
Comment[de]=Dateien öffnen und ordnen
Keywords=folder;manager;explore;disk;filesystem;nautilus;
Exec=nautilus --new-window %U
Icon=org.gnome.Nautilus
Terminal=false
Type=Application
DBusActivatable=true
StartupNotify=true
Categories=GNOME;GTK;Utility;Core;FileManager;
MimeType=inode/directory;application/x-7z-compressed;
X-GNOME-UsesNotifications=true
Actions=new-window;

[Desktop Action new-window]
Name=New Window
Exec=nautilus --new-window
`;

const firefoxEsr = `[Desktop Entry]
Name=Firefox ESR
Name[de]=Firefox ESR
Comment=Browse the World Wide Web
Comment[de]=Im Internet surfen
GenericName=Web Browser
GenericName[de]=Webbrowser
X-GNOME-FullName=Firefox ESR Web Browser
Exec=/usr/lib/firefox-esr/firefox-esr %u
Terminal=false
X-MultipleArgs=false
Type=Application
Icon=firefox-esr
Categories=Network;WebBrowser;
MimeType=text/html;text/xml;
StartupWMClass=Firefox-esr
StartupNotify=true
`;

const gnomeTerminal = `[Desktop Entry]
Name=Terminal
Name[de]=Terminal
Comment=Use the command line
Comment[de]=Die Befehlszeile verwenden
Keywords=shell;prompt;command;commandline;cmd;
TryExec=gnome-terminal
Exec=gnome-terminal --window
Icon=org.gnome.Terminal
Type=Application
Categories=GNOME;GTK;System;TerminalEmulator;
StartupNotify=true
X-GNOME-SingleWindow=false
Actions=new-window;preferences;

[Desktop Action new-window]
Name=New Window
Exec=gnome-terminal --window

[Desktop Action preferences]
Name=Preferences
Exec=gnome-terminal --preferences
`;

const gedit = `[Desktop Entry]
Name=gedit
GenericName=Text Editor
GenericName[de]=Texteditor
Comment=Edit text files
Comment[de]=Textdateien bearbeiten
Exec=gedit %U
TryExec=gedit
Terminal=false
Type=Application
StartupNotify=true
MimeType=text/plain;
Icon=org.gnome.gedit
Categories=GNOME;GTK;Utility;TextEditor;
`;

const settings = `[Desktop Entry]
Name=Settings
Name[de]=Einstellungen
Comment=Gnome Control Center
Icon=org.gnome.Settings
Exec=gnome-control-center
Terminal=false
Type=Application
StartupNotify=true
Categories=GNOME;GTK;Settings;
OnlyShowIn=GNOME;Unity;
`;

const kate = `[Desktop Entry]
Type=Application
Name=Kate
GenericName=Advanced Text Editor
GenericName[de]=Erweiterter Texteditor
Exec=kate -b %U
Icon=kate
Terminal=false
Categories=Qt;KDE;Utility;TextEditor;
`;

// The Exec quoting example of the spec's rules: a path with a space, an argument with escaped quotes.
const myApp = String.raw`[Desktop Entry]
Type=Application
Name=My App
Exec="/opt/My App/bin/app" --flag "a \\"quoted\\" arg" %F
Icon=my-app
`;

const codeSystem = `[Desktop Entry]
Name=Visual Studio Code
Comment=Code Editing. Redefined.
GenericName=Text Editor
Exec=/usr/share/code/code %F
Icon=vscode
Type=Application
StartupNotify=false
StartupWMClass=Code
Categories=TextEditor;Development;IDE;
`;

// The user's copy, made to start Code on Wayland; it shares the ID and must win.
const codeUser = `[Desktop Entry]
Name=Visual Studio Code (Wayland)
Comment=Code Editing. Redefined.
GenericName=Text Editor
Exec=/usr/share/code/code --ozone-platform=wayland %F
Icon=vscode
Type=Application
StartupWMClass=Code
Categories=TextEditor;Development;IDE;
`;

const totemSystem = `[Desktop Entry]
Name=Videos
Name[de]=Videos
Exec=totem %U
Icon=org.gnome.Totem
Terminal=false
Type=Application
Categories=GTK;GNOME;AudioVideo;Player;Video;
`;

// What "remove from menu" leaves in the user's data home: it deletes the system entry for this user.
const totemUserHidden = `[Desktop Entry]
Name=Videos
Exec=totem %U
Type=Application
Hidden=true
`;

const gimpMissing = `[Desktop Entry]
Type=Application
Version=1.0
Name=GNU Image Manipulation Program
GenericName=Image Editor
Exec=gimp-2.10 %U
TryExec=gimp-2.10
Icon=gimp
Terminal=false
Categories=Graphics;2DGraphics;RasterGraphics;GTK;
`;

const inkscapeNotExecutable = `[Desktop Entry]
Name=Inkscape
Exec=inkscape %F
TryExec=/usr/bin/inkscape
Icon=org.inkscape.Inkscape
Type=Application
`;

const evincePreviewer = `[Desktop Entry]
Name=Print Preview
Exec=evince-previewer
Icon=org.gnome.Evince
Type=Application
NoDisplay=true
`;

const htop = `[Desktop Entry]
Type=Application
Version=1.0
Name=Htop
GenericName=Process Viewer
Icon=htop
Exec=htop
Terminal=true
Categories=ConsoleOnly;System;Monitor;
`;

const kdeSystemSettings = `[Desktop Entry]
Exec=systemsettings
Icon=preferences-system
Type=Application
Name=System Settings
Name[de]=Systemeinstellungen
OnlyShowIn=KDE;
`;

const bluemanNotOnGnome = `[Desktop Entry]
Name=Bluetooth Manager
Exec=blueman-manager
Icon=blueman
Type=Application
NotShowIn=GNOME;
`;

const debianReferenceLink = `[Desktop Entry]
Type=Link
Name=Debian Reference
URL=file:///usr/share/doc/debian-reference-common/html/index.html
`;

// Garbage: PNG-ish bytes with invalid UTF-8 and NULs where a desktop file should be.
const garbage = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x00, 0x01]);

const HICOLOR_INDEX = `[Icon Theme]
Name=Hicolor
Comment=Fallback icon theme
Hidden=true
Directories=16x16/apps,48x48/apps,48x48@2/apps,64x64/apps,128x128/apps,scalable/apps

[16x16/apps]
Size=16
Context=Applications
Type=Threshold

[48x48/apps]
Size=48
Context=Applications
Type=Threshold

[48x48@2/apps]
Size=48
Scale=2
Context=Applications
Type=Threshold

[64x64/apps]
Size=64
Context=Applications
Type=Threshold

[128x128/apps]
Size=128
Context=Applications
Type=Threshold

[scalable/apps]
MinSize=1
Size=128
MaxSize=256
Context=Applications
Type=Scalable
`;

const YARU_INDEX = `[Icon Theme]
Name=Yaru
Inherits=Humanity,hicolor
Directories=48x48/apps,scalable/apps

[48x48/apps]
Size=48
Context=Applications
Type=Fixed

[scalable/apps]
Size=256
MinSize=8
MaxSize=512
Context=Applications
Type=Scalable
`;

const YARU_DARK_INDEX = `[Icon Theme]
Name=Yaru-dark
Inherits=Yaru
Directories=48x48/apps

[48x48/apps]
Size=48
Context=Applications
Type=Fixed
`;

/** The whole system; each test reads what it needs from it. */
export function gnomeSystem(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  // Programs on PATH (and off it).
  for (const program of ['/usr/bin/flatpak', '/usr/bin/env', '/usr/bin/nautilus', '/usr/bin/gedit']) {
    fs.program(program);
  }
  fs.program('/usr/bin/gnome-terminal');
  fs.program('/usr/bin/gnome-control-center');
  fs.program('/usr/lib/firefox-esr/firefox-esr');
  fs.program('/opt/My App/bin/app');
  fs.program('/usr/share/code/code');
  fs.program('/usr/bin/snap');
  fs.symlink('/snap/bin/chromium', '/usr/bin/snap');
  fs.file('/usr/bin/inkscape', 'not installed properly', { executable: false });

  // Flatpak: the export is a symlink into the app's deployment, as flatpak makes it.
  const firefoxDeploy = '/var/lib/flatpak/app/org.mozilla.firefox/x86_64/stable/active/export/share';
  fs.file(`${firefoxDeploy}/applications/org.mozilla.firefox.desktop`, firefoxFlatpak);
  fs.symlink(
    '/var/lib/flatpak/exports/share/applications/org.mozilla.firefox.desktop',
    `${firefoxDeploy}/applications/org.mozilla.firefox.desktop`,
  );
  fs.file(
    '/var/lib/flatpak/exports/share/icons/hicolor/64x64/apps/org.mozilla.firefox.png',
    pngBytes('firefox-64'),
  );
  fs.file(
    '/var/lib/flatpak/exports/share/icons/hicolor/128x128/apps/org.mozilla.firefox.png',
    pngBytes('firefox-128'),
  );

  // Snap.
  fs.file('/var/lib/snapd/desktop/applications/chromium_chromium.desktop', chromiumSnap);
  fs.file('/snap/chromium/2497/chromium.png', pngBytes('chromium'));

  // apt packages.
  const apps = '/usr/share/applications';
  fs.file(`${apps}/org.gnome.Nautilus.desktop`, nautilus);
  fs.file(`${apps}/firefox-esr.desktop`, firefoxEsr);
  fs.file(`${apps}/org.gnome.Terminal.desktop`, gnomeTerminal);
  fs.file(`${apps}/org.gnome.gedit.desktop`, gedit);
  fs.file(`${apps}/org.gnome.Settings.desktop`, settings);
  fs.file(`${apps}/kde4/kate.desktop`, kate);
  fs.file(`${apps}/code.desktop`, codeSystem);
  fs.file(`${apps}/org.gnome.Totem.desktop`, totemSystem);
  fs.file(`${apps}/gimp.desktop`, gimpMissing);
  fs.file(`${apps}/org.inkscape.Inkscape.desktop`, inkscapeNotExecutable);
  fs.file(`${apps}/org.gnome.Evince-previewer.desktop`, evincePreviewer);
  fs.file(`${apps}/htop.desktop`, htop);
  fs.file(`${apps}/systemsettings.desktop`, kdeSystemSettings);
  fs.file(`${apps}/blueman-manager.desktop`, bluemanNotOnGnome);
  fs.file(`${apps}/debian-reference-link.desktop`, debianReferenceLink);
  fs.file(`${apps}/broken.desktop`, 'Name=No group here\nExec=broken\n');
  fs.file(`${apps}/garbage.desktop`, garbage);
  fs.file(`${apps}/actions-only.desktop`, '[Desktop Action new-window]\nName=New Window\nExec=foo\n');
  fs.file(`${apps}/mimeinfo.cache`, '[MIME Cache]\ntext/plain=org.gnome.gedit.desktop;\n');
  fs.file('/usr/local/share/applications/my-app.desktop', myApp);

  // The user's data home.
  fs.file(`${HOME}/.local/share/applications/code.desktop`, codeUser);
  fs.file(`${HOME}/.local/share/applications/org.gnome.Totem.desktop`, totemUserHidden);

  // Icons: hicolor with its index, a theme that inherits another, and pixmaps.
  fs.file('/usr/share/icons/hicolor/index.theme', HICOLOR_INDEX);
  fs.file('/usr/share/icons/hicolor/16x16/apps/firefox-esr.png', pngBytes('firefox-esr-16'));
  fs.file('/usr/share/icons/hicolor/48x48/apps/firefox-esr.png', pngBytes('firefox-esr-48'));
  fs.file('/usr/share/icons/hicolor/48x48@2/apps/firefox-esr.png', pngBytes('firefox-esr-96'));
  fs.file('/usr/share/icons/hicolor/128x128/apps/firefox-esr.png', pngBytes('firefox-esr-128'));
  fs.file('/usr/share/icons/hicolor/48x48/apps/org.gnome.Nautilus.png', pngBytes('nautilus-48'));
  fs.file('/usr/share/icons/hicolor/scalable/apps/org.gnome.Nautilus.svg', svgText('nautilus'));
  fs.file('/usr/share/icons/hicolor/48x48/apps/org.gnome.Terminal.png', pngBytes('terminal-48'));
  fs.file('/usr/share/icons/Yaru/index.theme', YARU_INDEX);
  fs.file('/usr/share/icons/Yaru/scalable/apps/org.gnome.Terminal.svg', svgText('yaru terminal'));
  fs.file('/usr/share/icons/Yaru-dark/index.theme', YARU_DARK_INDEX);
  fs.mkdir('/usr/share/icons/Yaru-dark/48x48/apps');
  fs.file('/usr/share/pixmaps/my-app.png', pngBytes('my-app'));
  // gedit's icon is a PNG in name only: it must not reach the renderer as image/png.
  fs.file('/usr/share/icons/hicolor/48x48/apps/org.gnome.gedit.png', svgText('not a png'));
  return fs;
}
