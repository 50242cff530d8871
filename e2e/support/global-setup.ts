// Once for the whole e2e run: a lab, the helper in its client with the lab's relays imported, and the
// test shell serving the built renderer. Specs find them through environment variables.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HelperClient } from '@sluice/api';
import { Lab } from '@sluice/netlab';
import { startShell } from '../shell/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HELPER = join(ROOT, 'apps/daemon/dist/main.js');
const CLI = join(ROOT, 'apps/cli/dist/main.js');
const RENDERER = join(ROOT, 'apps/desktop/dist/renderer');

async function waitForHelper(socket: string): Promise<void> {
  const client = new HelperClient({ socketPath: socket, deadlineMs: 2_000 });
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await client.diagnostics.getVersion({}).then(
        () => true,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error('the helper did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) throw new Error('e2e needs root: it runs the helper in the network lab');
  if (!existsSync(join(RENDERER, 'index.html')))
    throw new Error(`build the renderer first (${RENDERER} is missing): npm run build`);
  const lab = await Lab.up({ relays: 3 });
  const socket = join(lab.dir, 'e2e-helper.sock');
  const stateDir = join(lab.dir, 'e2e-helper');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  let helper: ChildProcess | undefined;

  const startHelper = async (): Promise<void> => {
    const log = openSync(join(lab.dir, 'e2e-helper.log'), 'a', 0o600);
    try {
      helper = lab.spawnInClient(
        [
          process.execPath,
          HELPER,
          '--socket',
          socket,
          '--state-dir',
          stateDir,
          '--interface',
          `${lab.name}-e2e`,
        ],
        {
          env: { SLUICE_DNS_BACKEND: 'static' },
          stdio: ['ignore', log, log],
        },
      );
    } finally {
      closeSync(log);
    }
    await waitForHelper(socket);
  };
  const stopHelper = async (): Promise<void> => {
    const child = helper;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };

  await startHelper();
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
