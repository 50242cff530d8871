// The runner, keys, waiting, tool checks: the parts that need no root.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ExecError,
  formatArgv,
  generateKeyPair,
  inNetns,
  isWireguardKey,
  missingPackages,
  publicKeyOf,
  run,
  runSync,
  waitFor,
  WaitTimeoutError,
} from '../src/index.js';

describe('exec', () => {
  it('runs argv without a shell, in the C locale', async () => {
    expect((await run(['printenv', 'LC_ALL'])).stdout).toBe('C\n');
    const result = await run(['echo', '$(not expanded); rm -rf /', '*']);
    expect(result.stdout).toBe('$(not expanded); rm -rf / *\n');
    expect(result.code).toBe(0);
  });

  it('feeds stdin and reports failures with argv and stderr', async () => {
    expect((await run(['cat'], { input: 'hello' })).stdout).toBe('hello');
    const error = await run(['ls', '/nonexistent-netlab-path']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecError);
    expect((error as ExecError).code).toBe(2);
    expect((error as ExecError).message).toMatch(
      /^ls \/nonexistent-netlab-path exited with 2: ls: cannot access/,
    );
    expect((await run(['false'], { allowFailure: true })).code).toBe(1);
    await expect(run(['/nonexistent/program'])).rejects.toThrow(/ENOENT/);
  });

  it('kills what runs past its timeout', async () => {
    const error = await run(['sleep', '5'], { timeoutMs: 100 }).catch((e: unknown) => e);
    expect((error as ExecError).timedOut).toBe(true);
    expect((error as ExecError).message).toMatch(/timed out/);
  });

  it('has a synchronous variant', () => {
    expect(runSync(['echo', 'x']).stdout).toBe('x\n');
    expect(() => runSync(['false'])).toThrow(ExecError);
  });

  it('checks argv and namespace names before they are used', () => {
    expect(() => run([])).toThrow(/empty argv/);
    expect(() => run(['echo', 'a\0b'])).toThrow(/NUL/);
    expect(inNetns('slab12-isp', ['ip', 'link'])).toEqual([
      'nsenter',
      '--net=/run/netns/slab12-isp',
      '--',
      'ip',
      'link',
    ]);
    expect(() => inNetns('../etc', ['true'])).toThrow(/namespace/);
    expect(() => inNetns('--all', ['true'])).toThrow(/namespace/);
    expect(formatArgv(['ip', 'a b', 'c'])).toBe('ip "a b" c');
  });
});

describe('keys', () => {
  it('makes WireGuard keys that wg(8) agrees with', () => {
    const pair = generateKeyPair();
    expect(isWireguardKey(pair.privateKey)).toBe(true);
    expect(isWireguardKey(pair.publicKey)).toBe(true);
    expect(publicKeyOf(pair.privateKey)).toBe(pair.publicKey);
    const wg = spawnSync('wg', ['pubkey'], { input: pair.privateKey + '\n', encoding: 'utf8' });
    if (wg.error === undefined) expect(wg.stdout.trim()).toBe(pair.publicKey);
  });
});

describe('waitFor', () => {
  it('returns the first truthy value and times out with a message', async () => {
    let n = 0;
    expect(await waitFor(() => (++n >= 3 ? n : undefined), { what: 'three', intervalMs: 1 })).toBe(3);
    await expect(waitFor(() => false, { what: 'never', timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      WaitTimeoutError,
    );
    await expect(
      waitFor(
        () => {
          throw new Error('still broken');
        },
        { what: 'a fix', timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow(/a fix: still broken/);
  });
});

describe('tools', () => {
  it('names the Debian packages to install', () => {
    expect(missingPackages(() => true)).toEqual([]);
    expect(missingPackages((tool) => tool !== 'wg' && tool !== 'nsenter' && tool !== 'unshare')).toEqual([
      'util-linux',
      'wireguard-tools',
    ]);
  });
});
