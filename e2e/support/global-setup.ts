// Once for the whole e2e run: a lab, the helper in its client with the lab's relays imported, and the
// test shell serving the built renderer. Specs find them through environment variables.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Lab, type LabHelper } from '@sluice/netlab';
import { startShell } from '../shell/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HELPER = join(ROOT, 'apps/daemon/dist/main.js');
const CLI = join(ROOT, 'apps/cli/dist/main.js');
const RENDERER = join(ROOT, 'apps/desktop/dist/renderer');

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
  const shell = await startShell({
    socketPath: socket,
    rendererDir: RENDERER,
    control: {
      'stop-helper': stopHelper,
      'start-helper': startHelper,
      'what-is-my-ip': () => lab.whatIsMyIp(4),
      relays: () => Promise.resolve(lab.relays.map((r) => ({ hostname: r.hostname, address: r.address.v4 }))),
    },
  });
  process.env.SLUICE_E2E_URL = shell.url;
  process.env.SLUICE_E2E_SOCKET = socket;
  process.env.SLUICE_E2E_CLI = CLI;
  process.env.SLUICE_E2E_SCREENSHOTS = join(ROOT, 'test-results/screenshots');
  mkdirSync(process.env.SLUICE_E2E_SCREENSHOTS, { recursive: true });

  return async () => {
    await shell.close();
    await stopHelper();
    await lab.down();
  };
}
