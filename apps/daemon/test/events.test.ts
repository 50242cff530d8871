// EventsListen over a real socket: snapshot first, fan-out to many subscribers, nobody left behind.
import { spawn } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { pb, type HelperClient } from '@sluice/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodedOnce } from '../src/rpc/events.js';
import { makeTempDir, startTestDaemon, until, type TestDaemon } from './support.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let helper: TestDaemon;

beforeAll(async () => {
  temp = await makeTempDir();
  helper = await startTestDaemon(temp.dir);
});

afterAll(async () => {
  await helper.stop();
  await temp.cleanup();
});

interface Recorder {
  events: pb.EventsListenResponse[];
  ended: boolean;
  cancel(): void;
}

function record(client: HelperClient): Recorder {
  const recorder: Recorder = { events: [], ended: false, cancel: () => undefined };
  const sub = client.listenEvents(
    (event) => recorder.events.push(event),
    () => {
      recorder.ended = true;
    },
  );
  recorder.cancel = () => sub.cancel();
  return recorder;
}

describe('EventsListen', () => {
  it('starts with a full snapshot', async () => {
    const r = record(helper.client);
    await until(() => r.events.length === 1, 'the snapshot');
    r.cancel();
    const first = r.events[0]?.event;
    expect(first?.$case).toBe('snapshot');
    if (first?.$case !== 'snapshot') return;
    expect(first.value.tunnelState?.state?.$case).toBe('disconnected');
    expect(first.value.settings).toBeDefined();
    expect(first.value.relayList).toBeDefined();
    expect(first.value.splitTunnel).toBeDefined();
  });

  it('50 concurrent subscribers all receive a settings change, and none stays registered after cancelling', async () => {
    const recorders = Array.from({ length: 50 }, () => record(helper.client));
    await until(() => recorders.every((r) => r.events.length >= 1), 'every snapshot');
    expect(helper.daemon.context.hub.size).toBe(50);

    await helper.client.settings.setMtu({ mtu: 1300 });
    const gotChange = (r: Recorder) =>
      r.events.some((e) => e.event?.$case === 'settings' && e.event.value.tunnel?.mtu === 1300);
    await until(() => recorders.every(gotChange), 'the settings event at every subscriber');
    for (const r of recorders) {
      expect(r.events[0]?.event?.$case).toBe('snapshot');
      expect(r.events.filter((e) => e.event?.$case === 'settings')).toHaveLength(1);
    }

    for (const r of recorders) r.cancel();
    await until(() => helper.daemon.context.hub.size === 0, 'every subscriber to be forgotten');
  });

  it('forgets a subscriber whose process dies without cancelling', async () => {
    const script = `
      import { HelperClient } from '@sluice/api';
      setInterval(() => {}, 60_000);
      new HelperClient({ socketPath: process.argv[1] }).listenEvents(() => process.stdout.write('event\\n'), () => {});
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, helper.socketPath], {
      cwd: import.meta.dirname,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      expect(helper.daemon.context.hub.size).toBe(1);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    await until(() => helper.daemon.context.hub.size === 0, 'the subscriber to be forgotten');
  });

  it('drops a subscriber that does not read, and keeps serving one that does', async () => {
    const reader = record(helper.client);
    // A raw client whose stream is paused after the first message: it never reads again.
    const raw = new pb.EventServiceClient(`unix://${helper.socketPath}`, grpc.credentials.createInsecure());
    const stalled = raw.eventsListen({ includeStats: false });
    let status: grpc.StatusObject | undefined;
    stalled.once('data', () => stalled.pause());
    stalled.on('status', (s: grpc.StatusObject) => (status = s));
    stalled.on('error', () => undefined);
    try {
      await until(() => helper.daemon.context.hub.size === 2, 'both subscribers');
      // Big events (the relay list of one file with 400 peers, ~40 KB a time) until the stalled
      // subscriber's queue passes the limit.
      const peer = (n: number) =>
        `[Peer]\nPublicKey = ${Buffer.alloc(32, n % 250).toString('base64')}\nEndpoint = 198.51.${Math.floor(n / 250)}.${(n % 250) + 1}:51820\n`;
      const files = [
        {
          name: 'se-got-wg-001.conf',
          content: Array.from({ length: 400 }, (_, i) => peer(i + 1)).join('\n'),
          format: pb.ImportFile_Format.FORMAT_WG_QUICK,
        },
      ];
      for (let i = 0; i < 200 && helper.daemon.context.hub.size === 2; i++)
        await helper.client.relays.importRelays({ files, replace: true });
      await until(() => helper.daemon.context.hub.size === 1, 'the stalled subscriber to be dropped');
      const before = reader.events.length;
      await helper.client.settings.setAllowLan({ allow: true });
      await until(() => reader.events.length > before, 'the reader to get the next event');
      expect(reader.ended).toBe(false);
    } finally {
      stalled.cancel();
      raw.close();
      reader.cancel();
      await helper.client.settings.setAllowLan({ allow: false });
    }
    expect(
      status === undefined ||
        status.code === grpc.status.RESOURCE_EXHAUSTED ||
        status.code === grpc.status.CANCELLED,
    ).toBe(true);
  });

  it('split-tunnel changes are published as their own event', async () => {
    const r = record(helper.client);
    await until(() => r.events.length === 1, 'the snapshot');
    await helper.client.splitTunnel.addSplitTunnelApp({ path: '/usr/bin/curl' });
    await until(() => r.events.some((e) => e.event?.$case === 'splitTunnel'), 'the split-tunnel event');
    r.cancel();
    const event = r.events.find((e) => e.event?.$case === 'splitTunnel')?.event;
    expect(event?.$case === 'splitTunnel' && event.value.apps).toEqual(['/usr/bin/curl']);
  });

  it('a refused change publishes nothing', async () => {
    const r = record(helper.client);
    await until(() => r.events.length === 1, 'the snapshot');
    await expect(helper.client.settings.setMtu({ mtu: 1 })).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    // A valid change after it is the next event: nothing was published in between.
    await helper.client.settings.setAllowLan({ allow: true });
    await until(() => r.events.length >= 2, 'the next event');
    r.cancel();
    const second = r.events[1]?.event;
    expect(second?.$case === 'settings' && second.value.allowLan).toBe(true);
  });

  it('streams end when the helper stops, and clients see it', async () => {
    const r = record(helper.client);
    await until(() => r.events.length === 1, 'the snapshot');
    await helper.stop();
    await until(() => r.ended, 'the stream to end');
    helper = await startTestDaemon(temp.dir);
  });
});

describe('encodedOnce', () => {
  it('encodes each event object once, however many streams write it', () => {
    const encode = vi.fn((value: { n: number }) => Buffer.from([value.n]));
    const serialize = encodedOnce(encode);
    const event = { n: 7 };
    for (let i = 0; i < 50; i++) expect(serialize(event)).toEqual(Buffer.from([7]));
    expect(encode).toHaveBeenCalledTimes(1);
    expect(serialize({ n: 8 })).toEqual(Buffer.from([8]));
    expect(encode).toHaveBeenCalledTimes(2);
  });
});
