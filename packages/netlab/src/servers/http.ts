// The lab's "web": GET /ip answers {"ip": "<source address seen>"}, GET /bytes/<n> streams n bytes for
// throughput, POST /upload counts what it receives. Run inside the web namespace: node http.js <config.json>.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { type HttpServerConfig } from './types.js';

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

/** The address a request came from, without the IPv4-mapped prefix. */
export function sourceAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function streamBytes(response: ServerResponse, total: number): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  pump();
}

function handler(config: HttpServerConfig) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://web.lab');
    const bytes = /^\/bytes\/(\d{1,12})$/.exec(url.pathname);
    if (request.method === 'GET' && url.pathname === '/ip') {
      sendJson(response, 200, { ip: sourceAddress(request) });
    } else if (request.method === 'GET' && bytes) {
      const n = Number(bytes[1]);
      if (n > config.maxBytes) sendJson(response, 400, { error: `at most ${config.maxBytes} bytes` });
      else streamBytes(response, n);
    } else if (request.method === 'POST' && url.pathname === '/upload') {
      let received = 0;
      request.on('data', (chunk: Buffer) => (received += chunk.length));
      request.on('end', () => sendJson(response, 200, { bytes: received }));
    } else if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('sluice netlab web: /ip, /bytes/<n>, POST /upload\n');
    } else {
      sendJson(response, 404, { error: 'not found' });
    }
  };
}

function main(): void {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: http.js <config.json>');
  const config = JSON.parse(readFileSync(path, 'utf8')) as HttpServerConfig;
  let pending = config.listen.length;
  const servers = config.listen.map(({ host, port }) => {
    const server = createServer(handler(config));
    server.on('error', (error) => {
      process.stderr.write(`http ${host}:${port}: ${error.message}\n`);
      process.exit(1);
    });
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
      pending -= 1;
      if (pending === 0) process.stdout.write('READY http\n');
    });
    return server;
  });
  const stop = (): void => {
    for (const server of servers) server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
