// The systemd units shipped in assets/: parsed, and checked for what the boot-time kill switch needs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HELPER_ENV, HELPER_NODE_FLAGS } from '@sluice/netlab';
import { describe, expect, it } from 'vitest';

type Unit = Record<string, Record<string, string[]>>;

/** systemd's INI dialect: sections, repeated keys collect, comments with # or ;. */
export function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = unit[header[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 1) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    (section[key] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

const assets = resolve(import.meta.dirname, '../../../assets/systemd');
const read = (name: string): Unit => parseUnit(readFileSync(resolve(assets, name), 'utf8'));
const words = (values: string[] | undefined): string[] => (values ?? []).flatMap((v) => v.split(/\s+/));

describe('systemd units', () => {
  it('the early-boot unit blocks before any network is configured', () => {
    const unit = read('sluice-early-boot-blocking.service');
    expect(unit.Unit?.DefaultDependencies).toEqual(['no']);
    expect(words(unit.Unit?.Before)).toContain('network-pre.target');
    expect(words(unit.Unit?.Wants)).toContain('network-pre.target');
    expect(unit.Service?.Type).toEqual(['oneshot']);
    expect(unit.Service?.ExecStart?.[0]).toMatch(/ --init-firewall$/);
    expect(unit.Install?.WantedBy).toEqual(['sysinit.target']);
  });

  it('the helper runs on the app runtime after the early-boot block, restarts, and stops gently', () => {
    const unit = read('sluiced.service');
    const boot = read('sluice-early-boot-blocking.service');
    expect(words(unit.Unit?.After)).toContain('sluice-early-boot-blocking.service');
    expect(unit.Service?.Environment).toContain('ELECTRON_RUN_AS_NODE=1');
    // Both start the same helper file, one with --init-firewall.
    expect(boot.Service?.ExecStart?.[0]).toBe(`${unit.Service?.ExecStart?.[0] ?? ''} --init-firewall`);
    expect(unit.Service?.Restart).toEqual(['always']);
    expect(unit.Service?.KillMode).toEqual(['mixed']);
    expect(unit.Service?.RuntimeDirectory).toEqual(['sluice']);
    expect(unit.Service?.StateDirectory).toEqual(['sluice']);
  });

  it('the helper gets the Node flags and malloc settings the lab and the bench run it with', () => {
    const unit = read('sluiced.service');
    for (const [name, value] of Object.entries(HELPER_ENV))
      expect(unit.Service?.Environment).toContain(`${name}=${value}`);
    const [, ...words] = (unit.Service?.ExecStart?.[0] ?? '').split(/\s+/);
    expect(words.slice(0, HELPER_NODE_FLAGS.length)).toEqual([...HELPER_NODE_FLAGS]);
  });

  it('parses what it is given and refuses what is not a unit', () => {
    expect(parseUnit('[A]\nX=1\nX=2\n# c\n')).toEqual({ A: { X: ['1', '2'] } });
    expect(() => parseUnit('X=1')).toThrow(/not a unit line/);
  });
});
