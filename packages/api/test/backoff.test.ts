import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from '../src/backoff.js';

describe('reconnect backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffCeiling(n))).toEqual([200, 400, 800, 1600, 10_000]);
  });

  it('jitters within [ceiling/2, ceiling]', () => {
    expect(backoffDelay(2, () => 0)).toBe(400);
    expect(backoffDelay(2, () => 1)).toBe(800);
    expect(backoffDelay(50, () => 0.5)).toBe(7500);
  });
});
