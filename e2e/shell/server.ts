// The e2e test shell: serves the built renderer with the WebSocket bridge injected, and answers the
// bridge with the desktop app's own backend (the code Electron main runs) talking to a real helper.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer } from 'ws';
import {
  DesktopBackend,
  memoryPreferences,
  type AppLauncher,
  type FileDialogs,
} from '../../apps/desktop/src/main/backend.js';
import { BRIDGE_SCRIPT } from './bridge.js';

export interface ShellOptions {
  socketPath: string;
  rendererDir: string;
  /** Test-only actions, reachable as POST /__control/<name> with an optional JSON body. */
  control?: Record<string, (body: unknown) => Promise<unknown>>;
  /** Installed apps and excluded launches (the lab's XDG tree and sluice-exclude in the client). */
  apps?: AppLauncher;
}

/**
 * The file dialogs of the test shell: a test names the files the next dialog "chooses" (POST
 * /__control/dialog-choose with {"paths": [...]}) before clicking the button that opens it.
 */
class ScriptedDialogs implements FileDialogs {
  private next: string[] | undefined;

  choose(paths: string[]): void {
    this.next = paths;
  }

  private take(): string[] {
    const paths = this.next;
    this.next = undefined;
    if (!paths) throw new Error('the test shell has no files queued for this dialog');
    return paths;
  }

  chooseProgram(): Promise<string | undefined> {
    return Promise.resolve(this.take()[0]);
  }

  chooseImportFiles(): Promise<string[]> {
    return Promise.resolve(this.take());
  }
}

function isPathList(body: unknown): body is { paths: string[] } {
  return (
    typeof body === 'object' &&
    body !== null &&
    'paths' in body &&
    Array.isArray(body.paths) &&
    body.paths.every((path) => typeof path === 'string')
  );
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export interface RunningShell {
  url: string;
  backend: DesktopBackend;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** The renderer's index.html with the bridge first and the CSP opened for the bridge's socket only. */
export function shellIndex(html: string, host: string): string {
  return html
    .replace(/connect-src 'none'/, `connect-src ws://${host}`)
    .replace('<head>', '<head>\n    <script src="./sluice-bridge.js"></script>');
}

export async function startShell(options: ShellOptions): Promise<RunningShell> {
  let launchOnLogin = false;
  let clipboardText = '';
  const dialogs = new ScriptedDialogs();
  const shellControl: Record<string, (body: unknown) => Promise<unknown>> = {
    ...options.control,
    'dialog-choose': (body) => {
      if (!isPathList(body)) return Promise.reject(new Error('dialog-choose wants {"paths": [...]}'));
      dialogs.choose(body.paths);
      return Promise.resolve(null);
    },
    clipboard: () => Promise.resolve(clipboardText),
  };
  const backend = new DesktopBackend({
    socketPath: options.socketPath,
    trayAvailable: true,
    preferences: memoryPreferences(),
    dialogs,
    clipboard: {
      writeText: (text) => {
        clipboardText = text;
      },
    },
    about: { appVersion: 'e2e-shell', appPlatform: process.platform },
    ...(options.apps ? { apps: options.apps } : {}),
    launchOnLogin: {
      get: () => launchOnLogin,
      set: (enabled) => {
        launchOnLogin = enabled;
        return Promise.resolve();
      },
    },
  });
  backend.start();

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://shell');
    if (url.pathname.startsWith('/__control/') && req.method === 'POST') {
      const name = url.pathname.slice('/__control/'.length);
      const action = Object.hasOwn(shellControl, name) ? shellControl[name] : undefined;
      if (!action) return void res.writeHead(404).end();
      const result = await action(await readBody(req));
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(result ?? null));
    }
    if (url.pathname === '/sluice-bridge.js') {
      return void res.writeHead(200, { 'content-type': TYPES['.js'] }).end(BRIDGE_SCRIPT);
    }
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const file = normalize(join(options.rendererDir, path));
    if (!file.startsWith(options.rendererDir)) return void res.writeHead(403).end();
    let body: Buffer | string;
    try {
      body = await readFile(file);
    } catch {
      return void res.writeHead(404).end();
    }
    if (path === '/index.html') body = shellIndex(body.toString('utf8'), req.headers.host ?? '');
    res
      .writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(body);
  };
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });

  const sockets = new WebSocketServer({ server, path: '/bridge' });
  sockets.on('connection', (socket) => {
    const stop = backend.onPatch((patch) => socket.send(JSON.stringify({ type: 'state', patch })));
    socket.on('close', stop);
    socket.on('message', (data: Buffer) => {
      const { id, channel, request } = JSON.parse(data.toString('utf8')) as {
        id: number;
        channel: unknown;
        request: unknown;
      };
      backend.handle(channel, request).then(
        (result) => socket.send(JSON.stringify({ id, result })),
        (error: unknown) =>
          socket.send(JSON.stringify({ id, error: error instanceof Error ? error.message : String(error) })),
      );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    backend,
    close: async () => {
      backend.stop();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
