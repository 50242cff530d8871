// Small network probes run inside the lab (usually in the client, through the launcher):
//   probe.js http-get <url> [--family 4|6] [--timeout ms] [--discard]
//       prints the body (--discard: {"status", "bytes", "ms"} instead); exit 1 unless 2xx
//   probe.js resolve <name> [--family 4|6] [--server addr] [--timeout ms]   prints a JSON array
//   probe.js udp-send <address> <port> [--payload text]        one datagram
//   probe.js http-loop [--timeout ms]   a long-running client: prints {"pid"}, then for each URL read
//       from stdin one line {"url", "body"} or {"url", "error"} (each request a new connection)
//   probe.js http-watch <url> <out-file> [--every ms]   a long-running program with no pipes (as an app
//       started from a launcher): GETs the URL on a new connection every interval and writes the latest
//       {"pid", "body"} or {"pid", "error"} to out-file (replaced atomically); runs until killed
import { createSocket } from 'node:dgram';
import { renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promises as dns } from 'node:dns';
import { request } from 'node:http';
import { parseArgs } from 'node:util';

function family(value: string | undefined): 4 | 6 | undefined {
  if (value === undefined) return undefined;
  if (value === '4' || value === '6') return Number(value) as 4 | 6;
  throw new Error(`--family must be 4 or 6, got ${value}`);
}

/** One GET on a new connection; the body. */
function fetchText(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function httpLoop(timeoutMs: number): Promise<number> {
  process.stdout.write(`${JSON.stringify({ pid: process.pid })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const url = line.trim();
    if (!url) continue;
    const answer = await fetchText(url, timeoutMs).then(
      (body) => ({ url, body }),
      (error: unknown) => ({ url, error: error instanceof Error ? error.message : String(error) }),
    );
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
  return 0;
}

async function httpWatch(url: string, outFile: string, everyMs: number, timeoutMs: number): Promise<number> {
  for (;;) {
    const answer = await fetchText(url, timeoutMs).then(
      (body) => ({ pid: process.pid, body }),
      (error: unknown) => ({
        pid: process.pid,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    writeFileSync(`${outFile}.tmp`, JSON.stringify(answer));
    renameSync(`${outFile}.tmp`, outFile);
    // Pacing of a program, not synchronisation: the test polls the file.
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function httpGet(url: string, fam: 4 | 6 | undefined, timeoutMs: number, discard: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { family: fam, timeout: timeoutMs, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!discard) chunks.push(chunk);
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const ms = Math.round(performance.now() - started);
        process.stdout.write(discard ? JSON.stringify({ status, bytes, ms }) + '\n' : Buffer.concat(chunks));
        resolve(status >= 200 && status < 300 ? 0 : 1);
      });
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function resolveName(
  name: string,
  fam: 4 | 6 | undefined,
  server: string | undefined,
  timeoutMs: number,
) {
  if (server === undefined) {
    // The system's resolver: getaddrinfo reading /etc/resolv.conf (the lab's, inside the launcher).
    const all = await dns.lookup(name, { all: true, family: fam ?? 0 });
    return all.map((a) => a.address);
  }
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([server]);
  return fam === 6 ? resolver.resolve6(name) : resolver.resolve4(name);
}

function udpSend(address: string, port: number, payload: string): Promise<void> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.send(Buffer.from(payload), port, address, (error) => {
      socket.close();
      if (error) reject(error);
      else resolve();
    });
  });
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      family: { type: 'string' },
      timeout: { type: 'string', default: '5000' },
      server: { type: 'string' },
      payload: { type: 'string', default: 'sluice-netlab-probe' },
      discard: { type: 'boolean', default: false },
      every: { type: 'string', default: '500' },
    },
  });
  const [command, a, b] = positionals;
  const timeoutMs = Number(values.timeout);
  if (command === 'http-get' && a !== undefined)
    return httpGet(a, family(values.family), timeoutMs, values.discard);
  if (command === 'resolve' && a !== undefined) {
    const addresses = await resolveName(a, family(values.family), values.server, timeoutMs);
    process.stdout.write(JSON.stringify(addresses) + '\n');
    return 0;
  }
  if (command === 'http-loop') return httpLoop(timeoutMs);
  if (command === 'http-watch' && a !== undefined && b !== undefined)
    return httpWatch(a, b, Number(values.every), timeoutMs);
  if (command === 'udp-send' && a !== undefined && b !== undefined) {
    await udpSend(a, Number(b), values.payload);
    return 0;
  }
  process.stderr.write(
    'usage: probe.js http-get <url> | resolve <name> | udp-send <address> <port> | http-loop | http-watch <url> <out-file>\n',
  );
  return 2;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`probe: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
