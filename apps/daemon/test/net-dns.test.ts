import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseDnsBackend } from '../src/net/dns/backend.js';
import { RecordingRunner } from '../src/net/exec.js';
import { ResolvconfDns } from '../src/net/dns/resolvconf.js';
import { resolvConfText, StaticFileDns } from '../src/net/dns/static-file.js';
import { SystemdResolvedDns } from '../src/net/dns/systemd-resolved.js';
import { makeTempDir, until } from './support.js';

const log = pino({ level: 'silent' });
const ORIGINAL = '# from DHCP\nnameserver 198.51.100.53\nsearch lan\n';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let resolvConf: string;
beforeEach(async () => {
  temp = await makeTempDir();
  resolvConf = join(temp.dir, 'resolv.conf');
  await writeFile(resolvConf, ORIGINAL);
});
afterEach(async () => {
  await temp.cleanup();
});

describe('choosing a backend', () => {
  it('follows what manages resolv.conf', () => {
    const none = { resolvConfTarget: null, hasResolvectl: false, hasResolvconf: false };
    expect(chooseDnsBackend('auto', none)).toBe('static');
    expect(
      chooseDnsBackend('auto', {
        ...none,
        hasResolvectl: true,
        resolvConfTarget: '../run/systemd/resolve/stub-resolv.conf',
      }),
    ).toBe('systemd-resolved');
    expect(
      chooseDnsBackend('auto', {
        ...none,
        hasResolvconf: true,
        resolvConfTarget: '/run/resolvconf/resolv.conf',
      }),
    ).toBe('resolvconf');
    // resolvectl installed but not managing the file: do not route DNS through it.
    expect(chooseDnsBackend('auto', { ...none, hasResolvectl: true })).toBe('static');
    expect(chooseDnsBackend('resolvconf', none)).toBe('resolvconf');
  });
});

describe('static resolv.conf backend', () => {
  it('writes the servers and restores the original byte for byte', async () => {
    const dns = new StaticFileDns(resolvConf, temp.dir, log);
    await dns.apply('wg-sluice', ['10.64.0.1', 'fc00:bbbb::1']);
    expect(await readFile(resolvConf, 'utf8')).toBe(resolvConfText(['10.64.0.1', 'fc00:bbbb::1']));
    expect(await readFile(resolvConf, 'utf8')).toContain('nameserver 10.64.0.1\nnameserver fc00:bbbb::1\n');
    await dns.revert();
    expect(await readFile(resolvConf, 'utf8')).toBe(ORIGINAL);
    expect(await readdir(temp.dir)).toEqual(['resolv.conf']);
  });

  it('re-applying while up keeps the user original as the backup', async () => {
    const dns = new StaticFileDns(resolvConf, temp.dir, log);
    await dns.apply('wg-sluice', ['10.64.0.1']);
    await dns.apply('wg-sluice', ['10.64.0.2']);
    await dns.revert();
    expect(await readFile(resolvConf, 'utf8')).toBe(ORIGINAL);
  });

  it('writes itself back when something edits the file in place', async () => {
    const dns = new StaticFileDns(resolvConf, temp.dir, log);
    let reasserted = 0;
    dns.onReasserted = () => reasserted++;
    await dns.apply('wg-sluice', ['10.64.0.1']);
    await writeFile(resolvConf, 'nameserver 203.0.113.99\n');
    await until(() => reasserted >= 1, 'the re-assertion');
    expect(await readFile(resolvConf, 'utf8')).toBe(resolvConfText(['10.64.0.1']));
    await dns.revert();
    expect(await readFile(resolvConf, 'utf8')).toBe(ORIGINAL);
  });

  it('writes itself back when something replaces the file by rename (as DHCP clients do)', async () => {
    const dns = new StaticFileDns(resolvConf, temp.dir, log);
    let reasserted = 0;
    dns.onReasserted = () => reasserted++;
    await dns.apply('wg-sluice', ['10.64.0.1']);
    await writeFile(join(temp.dir, 'dhcp.new'), 'nameserver 203.0.113.99\n');
    await rename(join(temp.dir, 'dhcp.new'), resolvConf);
    await until(() => reasserted >= 1, 'the re-assertion');
    expect(await readFile(resolvConf, 'utf8')).toBe(resolvConfText(['10.64.0.1']));
    // And it keeps watching the new file.
    await writeFile(resolvConf, 'nameserver 203.0.113.98\n');
    await until(() => reasserted >= 2, 'the second re-assertion');
    expect(await readFile(resolvConf, 'utf8')).toBe(resolvConfText(['10.64.0.1']));
    await dns.revert();
  });

  it('a new helper restores the file a helper killed while up left', async () => {
    const module = resolve(import.meta.dirname, '../dist/net/dns/static-file.js');
    const script = `
      import { pino } from 'pino';
      import { StaticFileDns } from ${JSON.stringify(module)};
      setInterval(() => {}, 60_000);
      const [file, dir] = process.argv.slice(1);
      await new StaticFileDns(file, dir, pino({ level: 'silent' })).apply('wg-sluice', ['10.64.0.1']);
      process.stdout.write('applied\\n');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, resolvConf, temp.dir], {
      cwd: import.meta.dirname,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await exited;
    expect(await readFile(resolvConf, 'utf8')).toBe(resolvConfText(['10.64.0.1']));
    await new StaticFileDns(resolvConf, temp.dir, log).recover();
    expect(await readFile(resolvConf, 'utf8')).toBe(ORIGINAL);
    expect(await readdir(temp.dir)).toEqual(['resolv.conf']);
  });

  it('writes at most three nameservers (glibc reads no more)', () => {
    expect(resolvConfText(['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']).match(/nameserver/g)).toHaveLength(3);
  });
});

describe('resolvconf and systemd-resolved backends', () => {
  it('resolvconf registers and removes the tunnel record', async () => {
    const runner = new RecordingRunner();
    const dns = new ResolvconfDns(runner, 'wg-sluice');
    await dns.apply('wg-sluice', ['10.64.0.1']);
    await dns.revert();
    expect(runner.calls).toEqual([
      { argv: ['resolvconf', '-a', 'tun.wg-sluice', '-m', '0', '-x'], input: resolvConfText(['10.64.0.1']) },
      { argv: ['resolvconf', '-d', 'tun.wg-sluice', '-f'] },
    ]);
  });

  it('systemd-resolved gets the servers and the ~. routing domain on the tunnel link', async () => {
    const runner = new RecordingRunner();
    const dns = new SystemdResolvedDns(runner);
    await dns.apply('wg-sluice', ['10.64.0.1', 'fc00:bbbb::1']);
    await dns.revert();
    expect(runner.transcript()).toEqual([
      'resolvectl dns wg-sluice 10.64.0.1 fc00:bbbb::1',
      'resolvectl domain wg-sluice ~.',
      'resolvectl default-route wg-sluice true',
      'resolvectl revert wg-sluice',
    ]);
  });
});
