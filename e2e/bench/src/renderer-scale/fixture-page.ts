// The built renderer served with a canned state instead of a helper: window.sluice answers getState
// with a connected helper and the given relay list, and every other request with nothing. Used to
// measure the renderer alone at a size no lab carries (5,000 relays).
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { defaultSettings } from '@sluice/api/domain';
import type { FixtureRelayList } from './scaled-relays.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** window.sluice over a canned state: what the preload would expose, without anything behind it. */
function bridgeScript(relayList: FixtureRelayList): string {
  const state = {
    helper: { kind: 'connected', version: 'fixture', control: { allowed: true } },
    tunnel: { state: 'disconnected', lockedDown: false },
    settings: defaultSettings(),
    relayList,
    splitTunnel: undefined,
    preferences: { launchOnLogin: false, notifications: true, trayStyle: 'colour' },
    latency: {},
    latencyMeasuring: false,
    trayAvailable: true,
    notices: [],
  };
  return `(() => {
  const state = ${JSON.stringify(state)};
  const empty = { listInstalledApps: [], getLogs: [] };
  window.sluice = {
    invoke: (channel) => Promise.resolve(channel === 'getState' ? state : (empty[channel] ?? null)),
    onState: () => () => undefined,
  };
})();`;
}

export interface FixturePage {
  url: string;
  close(): Promise<void>;
}

export async function serveFixturePage(
  rendererDir: string,
  relayList: FixtureRelayList,
): Promise<FixturePage> {
  const bridge = bridgeScript(relayList);
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname;
    if (path === '/sluice-bridge.js')
      return void res.writeHead(200, { 'content-type': TYPES['.js'] }).end(bridge);
    const file = normalize(join(rendererDir, path === '/' ? '/index.html' : path));
    if (!file.startsWith(rendererDir)) return void res.writeHead(403).end();
    let body: Buffer | string;
    try {
      body = await readFile(file);
    } catch {
      return void res.writeHead(404).end();
    }
    if (file.endsWith('index.html'))
      body = body
        .toString('utf8')
        .replace('<head>', '<head>\n    <script src="./sluice-bridge.js"></script>');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  };
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
