// The helper's own files: one writer per file and the newest value wins, temp names that never
// collide, no link ever followed, and a state directory others could write to refused.
import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityStore } from '../src/identity/store.js';
import { RotatingFile } from '../src/log.js';
import { StaticFileDns } from '../src/net/dns/static-file.js';
import { TargetStateStore } from '../src/tunnel/target-state.js';
import { ensurePrivateDir, loadFile, writeFileAtomic } from '../src/util/atomic-file.js';
import { makeTempDir } from './support.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
beforeEach(async () => {
  temp = await makeTempDir();
  dir = join(temp.dir, 'state');
  await mkdir(dir, { mode: 0o700 });
});
afterEach(() => temp.cleanup());

describe('writes', () => {
  it('100 writes of one file at once: none fails, the last asked for is on disk', async () => {
    const path = join(dir, 'settings.json');
    const writes = Array.from({ length: 100 }, (_, i) => writeFileAtomic(path, `value ${i}\n`));
    await Promise.all(writes);
    expect(await readFile(path, 'utf8')).toBe('value 99\n');
  });

  it("Connect and Disconnect 50 times at once, ending with Disconnect: the user's last word is kept", async () => {
    for (let round = 0; round < 5; round++) {
      const store = new TargetStateStore(dir);
      const saves: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) saves.push(store.save(true), store.save(false));
      await Promise.all(saves);
      expect(await new TargetStateStore(dir).load()).toBe(false);
    }
  });
});

describe('links are never followed', () => {
  it('a state file that is a link is kept aside, like a corrupt file; its target is untouched', async () => {
    const secret = join(temp.dir, 'secret');
    await writeFile(secret, 'not yours\n', { mode: 0o644 });
    await symlink(secret, join(dir, 'identity.json'));
    const loaded = await new IdentityStore(dir).load();
    expect(loaded.recovered?.reason).toMatch(/identity\.json is a symbolic link/);
    expect(await readlink(loaded.recovered?.movedTo ?? '')).toBe(secret);
    // The target kept its mode: no chmod went through the link.
    expect((await stat(secret)).mode & 0o777).toBe(0o644);
    expect((await lstat(join(dir, 'identity.json'))).isFile()).toBe(true);
  });

  it('reads through loadFile refuse a link and a non-regular file', async () => {
    await symlink('/etc/hostname', join(dir, 'x.json'));
    expect(await loadFile(join(dir, 'x.json'), (t) => t)).toMatchObject({ kind: 'recovered' });
  });

  it('the log file is never appended to through a link', async () => {
    const logs = join(dir, 'logs');
    await mkdir(logs, { mode: 0o700 });
    const victim = join(temp.dir, 'victim');
    await writeFile(victim, 'untouched\n');
    await symlink(victim, join(logs, 'sluiced.log'));
    expect(() => new RotatingFile({ dir: logs })).toThrow(/is a symbolic link; remove it/);
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
  });

  it('a resolv.conf backup that is a link is not restored from (no secret copied into resolv.conf)', async () => {
    const resolvConf = join(temp.dir, 'resolv.conf');
    await writeFile(resolvConf, 'nameserver 192.0.2.53\n');
    const secret = join(temp.dir, 'key');
    await writeFile(secret, 'PRIVATE KEY\n', { mode: 0o600 });
    await symlink(secret, join(dir, 'resolv.conf.backup'));
    await new StaticFileDns(resolvConf, dir, pino({ level: 'silent' })).recover();
    expect(await readFile(resolvConf, 'utf8')).toBe('nameserver 192.0.2.53\n');
  });
});

describe('the state directory', () => {
  it('is made 0700 when missing, and refused when others may write to it or it is a link', async () => {
    const fresh = join(temp.dir, 'fresh');
    await ensurePrivateDir(fresh);
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
    await chmod(fresh, 0o777);
    await expect(ensurePrivateDir(fresh)).rejects.toThrow(/is writable by everyone \(mode 777\)/);
    await chmod(fresh, 0o770);
    await expect(ensurePrivateDir(fresh)).rejects.toThrow(/writable by its group/);
    const link = join(temp.dir, 'link');
    await symlink(dir, link);
    await expect(ensurePrivateDir(link)).rejects.toThrow(/is a symbolic link/);
  });
});
