// A fuzz suite of our own (seeded, fast): every RPC of the helper gets garbage frames, random but
// well-formed protobuf (random fields, wire types, huge strings, control characters, long repeats)
// and boundary values, one at a time and many at once. The helper must stay up, answer each within its
// deadline, never answer INTERNAL, and keep its settings file valid. Counts are printed.
import * as grpc from '@grpc/grpc-js';
import { pb } from '@sluice/api';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { startDaemon, type RunningDaemon } from '../src/daemon.js';
import { RecordingRunner } from '../src/net/exec.js';
import { SettingsStore } from '../src/settings/store.js';
import { FakeCgroupFs, mountinfoOf } from './fake-os/cgroup.js';
import { makeTempDir, MemoryDns, seeded } from './support.js';

const SEED = Number(process.env.SLUICE_FUZZ_SEED ?? 7);
const CASES_PER_RPC = Number(process.env.SLUICE_FUZZ_CASES ?? 100);
const DEADLINE_MS = 5_000;

/** Every method of every service: its path and whether it streams its answer. */
const SERVICES: grpc.ServiceDefinition[] = [
  pb.TunnelServiceService,
  pb.EventServiceService,
  pb.SettingsServiceService,
  pb.RelayServiceService,
  pb.IdentityServiceService,
  pb.SplitTunnelServiceService,
  pb.DiagnosticsServiceService,
];
const METHODS: { path: string; stream: boolean }[] = SERVICES.flatMap((service) =>
  Object.values(service).map((method) => ({ path: method.path, stream: method.responseStream })),
);

// ---- Generators ---------------------------------------------------------------------------------

type Random = () => number;
const int = (random: Random, max: number): number => Math.floor(random() * max);

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

const NASTY_STRINGS = [
  '',
  '0.0.0.0/0',
  '::/0',
  '127.0.0.1',
  '../../etc/passwd',
  '/usr/bin/firefox',
  'se',
  'got',
  'se-got-wg-001',
  '\u001b[2J\u001b[31mred',
  'line\nbreak',
  '\u0000nul',
  'oBvN4IHgTJCQMx0RnRzdJGzmXQQ9kWxH0d0j5DnWt1U=',
  '[Interface]\nPrivateKey = oBvN4IHgTJCQMx0RnRzdJGzmXQQ9kWxH0d0j5DnWt1U=\n',
  '{"countries":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}',
  'http://127.0.0.1:9/x',
  'file:///etc/shadow',
  '𝕊𝕝𝕦𝕚𝕔𝕖',
];

function randomString(random: Random): string {
  switch (int(random, 5)) {
    case 0:
      return NASTY_STRINGS[int(random, NASTY_STRINGS.length)] ?? '';
    case 1:
      // Huge: well past every limit the helper has for a string.
      return 'x'.repeat(10_000 + int(random, 200_000));
    case 2:
      return String.fromCharCode(...Array.from({ length: int(random, 40) }, () => int(random, 0x2000)));
    default:
      return Array.from({ length: int(random, 24) }, () => 'abcdefgh0123456789.:/-_'[int(random, 23)]).join(
        '',
      );
  }
}

/** A random message in protobuf wire format: random fields of random wire types, nested sometimes.
 * Built from Buffer chunks, so a megabyte costs a copy rather than a million array pushes. */
function randomMessage(random: Random, limit: number, depth = 0): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  const put = (chunk: Buffer): void => {
    chunks.push(chunk);
    size += chunk.length;
  };
  const lengthDelimited = (field: number, body: Buffer): void => {
    put(Buffer.from([...varint(BigInt((field << 3) | 2)), ...varint(BigInt(body.length))]));
    put(body);
  };
  const fields = int(random, 8);
  for (let f = 0; f < fields && size <= limit; f++) {
    const field = 1 + int(random, 12);
    const repeats = random() < 0.1 ? 1 + int(random, 2_000) : 1;
    for (let r = 0; r < repeats && size <= limit; r++) {
      const kind = int(random, 4);
      if (kind === 0) {
        const boundary = [0n, 1n, -1n, 0x7fffffffn, 0xffffffffn, 2n ** 63n, 65535n, 65536n, 1280n, 1420n];
        const value =
          random() < 0.5 ? (boundary[int(random, boundary.length)] ?? 0n) : BigInt(int(random, 1e9));
        put(Buffer.from([...varint(BigInt(field << 3)), ...varint(value)]));
      } else if (kind === 1 || depth > 2) {
        lengthDelimited(field, Buffer.from(randomString(random), 'utf8'));
      } else if (kind === 2) {
        lengthDelimited(field, randomMessage(random, limit - size, depth + 1));
      } else {
        put(
          Buffer.from([
            ...varint(BigInt((field << 3) | 5)),
            int(random, 256),
            int(random, 256),
            int(random, 256),
            int(random, 256),
          ]),
        );
      }
    }
  }
  return Buffer.concat(chunks, size);
}

/** One request's bytes: garbage, empty, or a random message (rarely megabytes, usually far less). */
function randomFrame(random: Random, largest = 3_000_000): Buffer {
  const choice = random();
  if (choice < 0.2) return Buffer.from(Array.from({ length: int(random, 300) }, () => int(random, 256)));
  if (choice < 0.25) return Buffer.alloc(0);
  return randomMessage(random, random() < 0.03 ? largest : 200_000);
}

// ---- The helper under fuzz ----------------------------------------------------------------------

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let daemon: RunningDaemon;
let client: grpc.Client;
let stateDir: string;

beforeAll(async () => {
  temp = await makeTempDir();
  stateDir = join(temp.dir, 'state');
  await mkdir(stateDir, { mode: 0o700 });
  const socketPath = join(temp.dir, 'run', 'daemon.sock');
  // Nothing reaches the system: commands are recorded, no device is ever made, DNS only remembers,
  // and the leak test's default address refuses at once.
  const config = resolveConfig(
    { socket: socketPath, stateDir },
    { SLUICE_WHAT_IS_MY_IP_URL: 'http://127.0.0.1:9/ip', SLUICE_DNS_BACKEND: 'static' },
  );
  daemon = await startDaemon(config, {
    log: pino({ level: 'silent' }),
    runner: new RecordingRunner(),
    dns: new MemoryDns(),
    firewall: null,
    groupFile: join(temp.dir, 'no-group-file'),
    openDevice: () => Promise.reject(new Error('no WireGuard devices in the fuzz suite')),
    watchDefaultRoute: () => ({ stop: () => undefined }),
    cgroupFs: new FakeCgroupFs(),
    mountinfo: () => Promise.resolve(mountinfoOf('v2')),
  });
  client = new grpc.Client(`unix://${socketPath}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 8 * 1024 * 1024,
  });
});

afterAll(async () => {
  client.close();
  await daemon.stop();
  await temp.cleanup();
});

interface Outcome {
  code: grpc.status;
  details: string;
}

const bytes = (value: Buffer): Buffer => value;

function call(path: string, stream: boolean, frame: Buffer): Promise<Outcome> {
  const deadline = Date.now() + DEADLINE_MS;
  return new Promise((resolve) => {
    if (!stream) {
      client.makeUnaryRequest(path, bytes, bytes, frame, { deadline }, (error) =>
        resolve({ code: error?.code ?? grpc.status.OK, details: error?.details ?? '' }),
      );
      return;
    }
    const call = client.makeServerStreamRequest(path, bytes, bytes, frame, { deadline });
    call.on('data', () => call.cancel());
    call.on('error', () => undefined);
    call.on('status', (status: grpc.StatusObject) => resolve({ code: status.code, details: status.details }));
  });
}

/** What a fuzzed call may answer; INTERNAL, UNKNOWN, a missed deadline or a dead helper may not. */
const ACCEPTABLE = new Set([
  grpc.status.OK,
  grpc.status.CANCELLED,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.UNIMPLEMENTED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.RESOURCE_EXHAUSTED,
]);

describe('fuzzing every RPC', () => {
  it(
    'garbage, random and boundary requests, one at a time and 100 at once: no INTERNAL, no crash, settings valid',
    { timeout: 600_000 },
    async () => {
      const random = seeded(SEED);
      const tally = {
        rpcs: METHODS.length,
        cases: 0,
        internal: 0,
        crashes: 0,
        byCode: new Map<string, number>(),
      };
      const bad: string[] = [];
      const check = (path: string, outcome: Outcome): void => {
        tally.cases++;
        const name = grpc.status[outcome.code];
        tally.byCode.set(name, (tally.byCode.get(name) ?? 0) + 1);
        if (outcome.code === grpc.status.INTERNAL || outcome.code === grpc.status.UNKNOWN) tally.internal++;
        if (outcome.code === grpc.status.UNAVAILABLE) tally.crashes++;
        if (!ACCEPTABLE.has(outcome.code) && bad.length < 10)
          bad.push(`${path}: ${name} ${outcome.details.slice(0, 200)}`);
      };
      const slowest = new Map<string, number>();
      for (const { path, stream } of METHODS) {
        for (let i = 0; i < CASES_PER_RPC; i++) {
          const started = performance.now();
          check(path, await call(path, stream, randomFrame(random)));
          slowest.set(path, Math.max(slowest.get(path) ?? 0, performance.now() - started));
        }
      }
      console.info(
        `fuzz: slowest answers: ${[...slowest]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([p, ms]) => `${p.split('/').pop() ?? p} ${ms.toFixed(0)} ms`)
          .join(', ')}`,
      );
      // The races the hardening was for: many changes of the same files at once.
      const burst = Array.from({ length: 100 }, () => {
        const method = METHODS[int(random, METHODS.length)] ?? { path: '', stream: false };
        return call(method.path, method.stream, randomFrame(random, 200_000)).then((o) =>
          check(method.path, o),
        );
      });
      const writes = Array.from({ length: 100 }, (_, i) =>
        call(
          i % 2 ? '/sluice.v1.IdentityService/RotateKey' : '/sluice.v1.IdentityService/SetAddresses',
          false,
          i % 2
            ? Buffer.alloc(0)
            : Buffer.from(pb.SetAddressesRequest.encode({ addresses: ['10.64.0.2/32'] }).finish()),
        ).then((o) => check('RotateKey/SetAddresses', o)),
      );
      await Promise.all([...burst, ...writes]);

      console.info(
        `fuzz: ${tally.rpcs} RPCs, ${tally.cases} cases (seed ${SEED}), INTERNAL = ${tally.internal}, crashes = ${tally.crashes}; ` +
          [...tally.byCode].map(([code, n]) => `${code} ${n}`).join(', '),
      );
      expect(bad).toEqual([]);
      expect(tally.internal).toBe(0);
      expect(tally.crashes).toBe(0);
      // Still up, and what is on disk is still valid settings.
      expect((await call('/sluice.v1.DiagnosticsService/GetVersion', false, Buffer.alloc(0))).code).toBe(
        grpc.status.OK,
      );
      const loaded = await new SettingsStore(stateDir).load();
      expect(loaded.recovered).toBeUndefined();
    },
  );
});
