// sluiced's footprint figures: RSS fields from /proc/<pid>/status, the growth slope of RSS samples.
import { describe, expect, it } from 'vitest';
import { parseMemory, rssSlopeMibPerMinute, type RssSample } from '../src/helper-footprint.js';

describe('parseMemory', () => {
  it('reads VmRSS, RssAnon and RssFile in kB, and Pss from smaps_rollup', () => {
    const status = 'Name:\tnode\nVmRSS:\t   58412 kB\nRssAnon:\t   19000 kB\nRssFile:\t   39412 kB\n';
    const rollup = '55f7-7fff ---p 00000000 00:00 0  [rollup]\nRss:   58412 kB\nPss:   31020 kB\n';
    expect(parseMemory(status, rollup)).toEqual({
      rssKb: 58412,
      rssAnonKb: 19000,
      rssFileKb: 39412,
      pssKb: 31020,
    });
    expect(parseMemory(status)).toMatchObject({ rssKb: 58412, pssKb: null });
    expect(parseMemory('Name:\tkthreadd\n')).toBeNull();
  });
});

describe('rssSlopeMibPerMinute', () => {
  const samples = (kbAt: (seconds: number) => number): RssSample[] =>
    Array.from({ length: 121 }, (_, i) => ({ atSeconds: i * 5, rssKb: kbAt(i * 5) }));

  it('is the least-squares growth from the given second on, in MiB per minute', () => {
    expect(
      rssSlopeMibPerMinute(
        samples(() => 50_000),
        300,
      ),
    ).toBe(0);
    // 1 MiB a minute from the start.
    expect(
      rssSlopeMibPerMinute(
        samples((s) => 50_000 + (s / 60) * 1024),
        300,
      ),
    ).toBeCloseTo(1, 6);
    // Growing in the first half only: flat in the second.
    expect(
      rssSlopeMibPerMinute(
        samples((s) => 50_000 + Math.min(s, 300) * 10),
        300,
      ),
    ).toBe(0);
  });

  it('is near zero for the saw-tooth of garbage collection', () => {
    const sawTooth = samples((s) => 50_000 + (s % 60) * 20);
    expect(Math.abs(rssSlopeMibPerMinute(sawTooth, 300) ?? 1)).toBeLessThan(0.1);
  });

  it('is null with fewer than three samples to fit', () => {
    expect(rssSlopeMibPerMinute([{ atSeconds: 0, rssKb: 1 }], 0)).toBeNull();
    expect(
      rssSlopeMibPerMinute(
        samples(() => 1),
        10_000,
      ),
    ).toBeNull();
  });
});
