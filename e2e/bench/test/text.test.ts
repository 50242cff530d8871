// The pure text parts: table layout, the wg-quick file without DNS, `wg show dump` parsing, options.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FOOTPRINT_JSON_PATH,
  DEFAULT_JSON_PATH,
  parseBenchOptions,
  UsageError,
} from '../src/options.js';
import { renderTable } from '../src/table.js';
import { parseWgDump } from '../src/tunnel-facts.js';
import { withoutDnsLines } from '../src/wg-quick.js';

describe('renderTable', () => {
  it('pads columns to the widest cell, the first left and the rest right', () => {
    const text = renderTable({
      headers: ['', 'Sluice', 'wg-quick'],
      rows: [
        ['Time to connected', '112.6', '28.3'],
        ['Upload', '976.7', '1412.6'],
      ],
    });
    expect(text.split('\n')).toEqual([
      '                   Sluice  wg-quick',
      '-----------------  ------  --------',
      'Time to connected   112.6      28.3',
      'Upload              976.7    1412.6',
    ]);
  });

  it('refuses rows of the wrong width', () => {
    expect(() => renderTable({ headers: ['a', 'b'], rows: [['1']] })).toThrow(RangeError);
  });
});

describe('withoutDnsLines', () => {
  it('drops DNS lines and keeps everything else as it was', () => {
    const conf =
      '[Interface]\nPrivateKey = k\nAddress = 10.64.0.2/32\nDNS = 10.64.0.1, fc00:bbbb::1\n\n[Peer]\nPublicKey = p\n';
    const { text, removed } = withoutDnsLines(conf);
    expect(text).toBe('[Interface]\nPrivateKey = k\nAddress = 10.64.0.2/32\n\n[Peer]\nPublicKey = p\n');
    expect(removed).toEqual(['DNS = 10.64.0.1, fc00:bbbb::1']);
  });
});

describe('parseWgDump', () => {
  it('reads the interface line and the peers', () => {
    const dump =
      'priv\tpub\t50005\t0x534c\n' +
      'peerkey\t(none)\t203.0.113.2:51820\t0.0.0.0/0,::/0\t1795310156\t1234\t5678\t25\n';
    expect(parseWgDump(dump)).toEqual({
      listenPort: 50005,
      fwmark: '0x534c',
      peers: [
        { endpoint: '203.0.113.2:51820', allowedIps: ['0.0.0.0/0', '::/0'], persistentKeepaliveSeconds: 25 },
      ],
    });
    const bare = parseWgDump('priv\tpub\t45836\toff\npeerkey\t(none)\t(none)\t(none)\t0\t0\t0\toff\n');
    expect(bare.fwmark).toBeNull();
    expect(bare.peers[0]).toEqual({ endpoint: null, allowedIps: [], persistentKeepaliveSeconds: null });
  });

  it('refuses what is not a dump', () => {
    expect(() => parseWgDump('Unable to access interface: No such device')).toThrow(/4 fields/);
  });
});

describe('parseBenchOptions', () => {
  it('has defaults: 10 runs, 1 warm-up, 5 s iperf3 tests, 3 tests each, 5 relay deaths, 600 s idle, the results file in e2e/bench/results', () => {
    expect(parseBenchOptions([])).toEqual({
      runs: 10,
      warmupRuns: 1,
      iperfSeconds: 5,
      iperfRuns: 3,
      deathRuns: 5,
      idleSeconds: 600,
      cliRuns: 20,
      connectedMinutes: 10,
      only: null,
      jsonPath: DEFAULT_JSON_PATH,
    });
    expect(DEFAULT_JSON_PATH.endsWith('/e2e/bench/results/latest.json')).toBe(true);
  });

  it('reads the flags; --json is relative to the working directory', () => {
    expect(parseBenchOptions(['--runs', '12', '--json', 'out/b.json'], '/tmp/x')).toMatchObject({
      runs: 12,
      jsonPath: '/tmp/x/out/b.json',
    });
    expect(parseBenchOptions(['--help'])).toBeNull();
  });

  it('reads --death-runs and --idle-seconds; 0 skips each phase', () => {
    expect(parseBenchOptions(['--death-runs', '2', '--idle-seconds', '20'])).toMatchObject({
      deathRuns: 2,
      idleSeconds: 20,
    });
    expect(parseBenchOptions(['--death-runs', '0', '--idle-seconds', '0'])).toMatchObject({
      deathRuns: 0,
      idleSeconds: 0,
    });
    expect(parseBenchOptions(['--idle-seconds=90'])).toMatchObject({ idleSeconds: 90 });
  });

  it('refuses bad --death-runs and --idle-seconds', () => {
    expect(() => parseBenchOptions(['--death-runs=-1'])).toThrow(
      /--death-runs must be an integer from 0 to 100/,
    );
    expect(() => parseBenchOptions(['--death-runs', '101'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--idle-seconds', '1.5'])).toThrow(
      /--idle-seconds must be an integer from 0 to 86400/,
    );
    expect(() => parseBenchOptions(['--idle-seconds', '86401'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--idle-seconds'])).toThrow(UsageError);
  });

  it('reads --cli-runs and --only footprint, which keeps its results apart from the full run', () => {
    expect(parseBenchOptions(['--cli-runs', '5'])).toMatchObject({ cliRuns: 5, only: null });
    expect(parseBenchOptions(['--only', 'footprint'])).toMatchObject({
      only: 'footprint',
      jsonPath: DEFAULT_FOOTPRINT_JSON_PATH,
    });
    expect(parseBenchOptions(['--only', 'footprint', '--json', 'f.json'], '/tmp/x')).toMatchObject({
      jsonPath: '/tmp/x/f.json',
    });
    expect(() => parseBenchOptions(['--only', 'iperf'])).toThrow(/--only takes footprint/);
    // The connected window: the 10 minutes in the full bench, 2 with --only footprint, or as asked.
    expect(parseBenchOptions(['--only', 'footprint'])).toMatchObject({ connectedMinutes: 2 });
    expect(parseBenchOptions(['--connected-minutes', '5'])).toMatchObject({ connectedMinutes: 5 });
    expect(() => parseBenchOptions(['--connected-minutes', '0'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--cli-runs', '0'])).toThrow(UsageError);
  });

  it('refuses bad values and unknown flags', () => {
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--runs', 'ten'])).toThrow(/--runs must be an integer/);
    expect(() => parseBenchOptions(['--fast'])).toThrow(UsageError);
  });
});
