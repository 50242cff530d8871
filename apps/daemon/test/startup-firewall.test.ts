// The order of firewall policies at start-up, against a simulated nftables: a helper that comes back
// while the tunnel is wanted must never open the firewall on its way to connecting.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingRunner } from '../src/net/exec.js';
import { Firewall } from '../src/net/firewall.js';
import { FakeNft } from './fake-os/nft.js';
import { makeTempDir, startTestDaemon, until, type TestDaemon } from './support.js';

/** The fake nft of test/fake-os behind a runner; `applied` lists the policy in force after each change. */
function simulatedNft(): { runner: RecordingRunner; applied: string[]; nft: FakeNft } {
  const nft = new FakeNft();
  const applied: string[] = [];
  nft.onChange = () => applied.push(nft.kind);
  const runner = new RecordingRunner((argv, input) =>
    argv[0] === 'nft' ? nft.run(argv.slice(1), input) : {},
  );
  return { runner, applied, nft };
}

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let helper: TestDaemon | undefined;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await helper?.stop();
  helper = undefined;
  await temp.cleanup();
});

describe('firewall at start-up', () => {
  it('with the tunnel wanted (saved target state), blocks first and never opens on the way', async () => {
    await mkdir(join(temp.dir, 'state'), { recursive: true });
    await writeFile(join(temp.dir, 'state', 'target-state.json'), '{"secured":true}\n');
    const { runner, applied } = simulatedNft();
    helper = await startTestDaemon(temp.dir, { runner, firewall: new Firewall(runner) });
    // No relays: the attempt ends in a blocking error, which is where the sequence settles.
    await until(
      async () => (await helper?.client.tunnel.getTunnelState({}))?.state?.state?.$case === 'error',
      'the error state',
    );
    expect(applied[0]).toBe('blocked');
    expect(applied).not.toContain('none');
    expect((await helper.client.tunnel.getTunnelState({})).state?.lockedDown).toBe(true);
  });

  it('with nothing wanted, opens up (no table)', async () => {
    const { runner, applied } = simulatedNft();
    helper = await startTestDaemon(temp.dir, { runner, firewall: new Firewall(runner) });
    expect(applied).toEqual(['none']);
    expect((await helper.client.tunnel.getTunnelState({})).state?.lockedDown).toBe(false);
  });

  it('under lockdown, blocks while disconnected and keeps blocking after stop', async () => {
    await mkdir(join(temp.dir, 'state'), { recursive: true });
    await writeFile(
      join(temp.dir, 'state', 'settings.json'),
      '{"version":1,"settings":{"lockdownMode":true}}\n',
    );
    const { runner, applied } = simulatedNft();
    helper = await startTestDaemon(temp.dir, { runner, firewall: new Firewall(runner) });
    // Blocked before anything else; the engine's idle policy is the same one, so nothing runs again.
    expect(applied).toEqual(['blocked']);
    const { state } = await helper.client.tunnel.getTunnelState({});
    expect(state).toMatchObject({ lockedDown: true, state: { $case: 'disconnected' } });
    await helper.stop();
    helper = undefined;
    expect(applied.at(-1)).toBe('blocked');
  });
});

describe('a firewall that fails', () => {
  it('is an error state that does not claim to block', async () => {
    await mkdir(join(temp.dir, 'state'), { recursive: true });
    await writeFile(join(temp.dir, 'state', 'settings.json'), '{"version":1,"settings":{"allowLan":true}}\n');
    const { runner } = simulatedNft();
    const firewall = new Firewall(runner);
    helper = await startTestDaemon(temp.dir, { runner, firewall });
    // From now on nft refuses every change (e.g. the module went away).
    const run = runner.run.bind(runner);
    runner.run = (argv, options) =>
      argv[0] === 'nft' && argv.includes('-f')
        ? Promise.reject(new Error('nft: Operation not permitted'))
        : run(argv, options);
    await helper.client.settings.setLockdownMode({ enabled: true });
    await until(
      async () => (await helper?.client.tunnel.getTunnelState({}))?.state?.state?.$case === 'error',
      'the error state',
    );
    const { state } = await helper.client.tunnel.getTunnelState({});
    expect(state).toMatchObject({
      lockedDown: false,
      state: { $case: 'error', value: { cause: 4, blocking: false } },
    });
    expect(state?.state?.$case === 'error' && state.state.value.message).toContain('Operation not permitted');
  });
});
