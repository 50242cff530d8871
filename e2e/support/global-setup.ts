// Once for the whole e2e run: a lab, the helper in its client with the lab's relays imported, and the
// test shell serving the built renderer. Specs find them through environment variables.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Lab, serverScript, type LabHelper } from '@sluice/netlab';
import { createAppLauncher } from '../../apps/desktop/src/main/apps/launcher.js';
import { startShell } from '../shell/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HELPER = join(ROOT, 'apps/daemon/dist/main.js');
const CLI = join(ROOT, 'apps/cli/dist/main.js');
const RENDERER = join(ROOT, 'apps/desktop/dist/renderer');
const EXCLUDE = join(ROOT, 'apps/cli/dist/exclude.js');
const APP_ICON = join(ROOT, 'assets/icons/app/48x48.png');
/** Long enough to keep wireguard-go busy for several stats intervals. */
const DOWNLOAD_BYTES = 200 * 1000 * 1000;

/**
 * A desktop's launchers, in a private XDG tree of the lab: a web watcher the picker can launch excluded
 * (a copy of Node, so an app rule on it never matches the helper), a browser that hands off to a running
 * copy, and a few ordinary apps so the list looks like a desktop's.
 */
function writeLabApps(
  dir: string,
  webUrl: string,
): { env: Record<string, string>; watcher: string; watchOut: string } {
  const applications = join(dir, 'xdg-data/applications');
  const systemDirs = join(dir, 'xdg-system');
  mkdirSync(applications, { recursive: true });
  mkdirSync(systemDirs, { recursive: true });
  const watcher = join(dir, 'lab-watcher');
  copyFileSync(process.execPath, watcher);
  chmodSync(watcher, 0o755);
  const watchOut = join(dir, 'watcher-seen.json');
  const entry = (fields: Record<string, string>): string =>
    `[Desktop Entry]\nType=Application\n${Object.entries(fields)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n')}\n`;
  const apps: Record<string, Record<string, string>> = {
    'lab-watcher.desktop': {
      Name: 'Lab web watcher',
      Comment: 'Asks the lab web server which address it sees',
      Exec: `${watcher} ${serverScript('probe')} http-watch ${webUrl}/ip ${watchOut}`,
      Icon: APP_ICON,
    },
    'firefox-esr.desktop': {
      Name: 'Firefox ESR',
      Comment: 'Browse the World Wide Web',
      Exec: 'firefox-esr %u',
    },
    'org.gnome.TextEditor.desktop': { Name: 'Text Editor', Comment: 'Edit text files', Exec: '/bin/true %U' },
    'org.gnome.Calculator.desktop': {
      Name: 'Calculator',
      Comment: 'Perform calculations',
      Exec: '/bin/true',
    },
    'thunderbird.desktop': { Name: 'Thunderbird Mail', Comment: 'Read and write mail', Exec: '/bin/true %u' },
  };
  for (const [name, fields] of Object.entries(apps)) writeFileSync(join(applications, name), entry(fields));
  return {
    env: {
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'xdg-data'),
      XDG_DATA_DIRS: systemDirs,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
    },
    watcher,
    watchOut,
  };
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) throw new Error('e2e needs root: it runs the helper in the network lab');
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error(`build the renderer first (${RENDERER} is missing): npm run build`);
  const lab = await Lab.up({ relays: 3 });
  let helper: LabHelper | undefined;
  let stateDir: string | undefined;
  const startHelper = async (): Promise<void> => {
    helper = await lab.startHelper({ id: 'e2e', main: HELPER, ...(stateDir ? { stateDir } : {}) });
    stateDir = helper.stateDir;
  };
  const stopHelper = async (): Promise<void> => {
    await helper?.stop();
    helper = undefined;
  };

  await startHelper();
  const socket = helper?.socket ?? '';
  execFileSync('node', [
    CLI,
    '--socket',
    socket,
    'import',
    '--replace',
    ...lab.relays.map((r) => r.confPath),
  ]);
  const labApps = writeLabApps(lab.dir, lab.web.url4);
  let download: Promise<{ bytes: number; ms: number }> | undefined;
  const shell = await startShell({
    socketPath: socket,
    rendererDir: RENDERER,
    apps: createAppLauncher({
      env: labApps.env,
      socketPath: socket,
      // sluice-exclude runs where the client's programs run: its network namespace and cgroup view.
      excludeCommand: lab.clientCommand([process.execPath, EXCLUDE]),
    }),
    control: {
      'stop-helper': stopHelper,
      'start-helper': startHelper,
      'what-is-my-ip': () => lab.whatIsMyIp(4),
      relays: () =>
        Promise.resolve(
          lab.relays.map((r) => ({ hostname: r.hostname, address: r.address.v4, confPath: r.confPath })),
        ),
      'client-address': () => Promise.resolve(lab.clientAddress.v4),
      // A long download through whatever the client's routing is, started and not awaited, so a spec
      // can watch the traffic graph meanwhile; download-done waits for it.
      'start-download': () => {
        download = lab.download(DOWNLOAD_BYTES, 4, 120_000);
        return Promise.resolve(null);
      },
      'download-done': async () => (download ? await download : null),
    },
  });
  process.env.SLUICE_E2E_URL = shell.url;
  process.env.SLUICE_E2E_SOCKET = socket;
  process.env.SLUICE_E2E_CLI = CLI;
  process.env.SLUICE_E2E_WATCHER = labApps.watcher;
  process.env.SLUICE_E2E_WATCH_OUT = labApps.watchOut;
  process.env.SLUICE_E2E_LAB_DIR = lab.dir;
  process.env.SLUICE_E2E_SCREENSHOTS = join(ROOT, 'test-results/screenshots');
  mkdirSync(process.env.SLUICE_E2E_SCREENSHOTS, { recursive: true });

  return async () => {
    await shell.close();
    await stopHelper();
    await lab.down();
  };
}
