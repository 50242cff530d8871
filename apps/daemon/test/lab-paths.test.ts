// The tunnel over awkward paths, for real (sluiced in a lab client, wireguard-go relays): a provider
// file whose DNS line is IPv4 only still carries IPv6, and a path that drops every outer packet over
// 1200 bytes still carries large TCP downloads, over IPv4 and IPv6. Root only.
import { readFileSync } from 'node:fs';
import { pb } from '@sluice/api';
import { Lab } from '@sluice/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, reconnectUntilMtu, startLabHelper, waitForState, type LabHelper } from './lab-support.js';

if (!isRoot) console.warn('lab-paths: skipped, the lab needs root (network namespaces)');

const MiB = 1024 * 1024;

describe.skipIf(!isRoot)('tunnel over awkward paths in the lab', () => {
  let lab: Lab;
  let helper: LabHelper;

  beforeAll(async () => {
    lab = await Lab.up({ relays: 1 });
    helper = await startLabHelper(lab);
  }, 60_000);

  afterAll(async () => {
    const started = helper as LabHelper | undefined;
    if (started) expect(await started.stop()).toBe(0);
    await (lab as Lab | undefined)?.down();
  }, 60_000);

  const relay = () => {
    const first = lab.relays[0];
    if (!first) throw new Error('the lab has no relay');
    return first;
  };

  it('carries IPv6 from a provider file whose DNS line is IPv4 only (as Mullvad writes them)', async () => {
    const conf = readFileSync(relay().confPath, 'utf8').replace(/^DNS = .*$/m, 'DNS = 10.64.0.1');
    expect(conf).toMatch(/^AllowedIPs = .*::\/0/m);
    await helper.client.relays.importRelays({
      files: [
        { name: `${relay().hostname}.conf`, content: conf, format: pb.ImportFile_Format.FORMAT_WG_QUICK },
      ],
      replace: true,
    });
    await helper.client.tunnel.connect({});
    await waitForState(helper.client, 'connected');
    expect(await lab.whatIsMyIp(6)).toBe(relay().address.v6);
    expect(await lab.whatIsMyIp(4)).toBe(relay().address.v4);
    // DNS still goes only to the IPv4 resolver the file named.
    expect((await lab.resolveInClient('web.lab')).length).toBeGreaterThan(0);
  });

  it(
    'behind a 1200-byte path, 8 MiB downloads complete over IPv4 and IPv6 (MTU lowered, TCP clamped)',
    { timeout: 120_000 },
    async () => {
      await lab.setPathMtu(1200);
      try {
        // IPv6 keeps the link at 1280; what the path cannot carry is fixed by clamping TCP.
        await reconnectUntilMtu(helper.client, (mtu) => mtu === 1280, 40_000);
        const table = await lab.exec('client', ['nft', 'list', 'table', 'inet', 'sluice']);
        expect(table.stdout).toMatch(/maxseg size set \d+/);
        for (const family of [4, 6] as const) {
          const result = await lab.download(8 * MiB, family, 60_000);
          expect(result.bytes).toBe(8 * MiB);
        }
      } finally {
        await lab.setPathMtu(null);
      }
    },
  );
});
