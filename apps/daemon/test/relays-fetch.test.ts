// Downloading a relay list: the body is counted as it streams and the download stops at the limit, so
// an endless or lying server costs at most the limit (a 200 MB answer once took the helper to 646 MB).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchRelayList, RelayListUpdateError } from '../src/relays/manager.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server that streams `chunks` of 1 MiB without a Content-Length; reports how many it got out. */
function streaming(chunks: number): Promise<{ url: string; sent: () => number }> {
  let sent = 0;
  const megabyte = Buffer.alloc(1024 * 1024, 0x20);
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const next = (): void => {
      if (sent >= chunks || response.destroyed) return void response.end();
      sent++;
      if (response.write(megabyte)) setImmediate(next);
      else response.once('drain', next);
    };
    response.on('close', () => (sent = Math.min(sent, chunks)));
    next();
  });
  return new Promise((resolve) =>
    server?.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}/relays.json`,
        sent: () => sent,
      }),
    ),
  );
}

describe('fetchRelayList', () => {
  it('stops reading a body larger than 16 MiB and says so, without a Content-Length to trust', async () => {
    const { url, sent } = await streaming(200);
    const error = await fetchRelayList(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayListUpdateError);
    expect((error as Error).message).toMatch(/is larger than 16777216 bytes/);
    // Far from all 200 MiB went out: the download was cut off near the limit.
    expect(sent()).toBeLessThan(64);
  });

  it('reads a body within the limit whole', async () => {
    const { url } = await streaming(2);
    expect((await fetchRelayList(url)).length).toBe(2 * 1024 * 1024);
  });
});
