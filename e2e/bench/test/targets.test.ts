// The targets: met / not met / skipped, the count, and how the limits and ratios are printed.
import { describe, expect, it } from 'vitest';
import {
  checkTarget,
  countTargets,
  formatLimit,
  formatRatioAgainst,
  formatStatus,
  TARGETS,
  targetSummaryLine,
} from '../src/targets.js';
import { fixtureReport } from './report-fixture.js';

describe('checkTarget', () => {
  it('is met at or under the limit, not met over it', () => {
    expect(checkTarget('timeToConnected', { value: 1.2 }).status).toBe('met');
    expect(checkTarget('timeToConnected', { value: 1.201 }).status).toBe('not met');
    expect(checkTarget('timeToFirstByte', { value: 0.5 }).status).toBe('met');
    expect(checkTarget('relayDeath', { value: 5000 }).status).toBe('met');
    expect(checkTarget('relayDeath', { value: 5000.1 }).status).toBe('not met');
    expect(checkTarget('idleFalseReconnects', { value: 0 }).status).toBe('met');
    expect(checkTarget('idleFalseReconnects', { value: 1 }).status).toBe('not met');
  });

  it('is not met without a figure, or when the phase failed whatever its figure', () => {
    expect(checkTarget('relaySwitch', { value: null })).toMatchObject({
      status: 'not met',
      note: 'not measured',
    });
    expect(checkTarget('relaySwitch', { value: 0.5, failure: 'timed out' })).toMatchObject({
      status: 'not met',
      value: 0.5,
      note: 'timed out',
    });
    expect(checkTarget('relaySwitch', { value: 0.5, failure: null }).status).toBe('met');
  });

  it('is skipped when its phase did not run', () => {
    expect(
      checkTarget('idleFalseReconnects', { value: null, skipped: 'skipped (--idle-seconds 0)' }),
    ).toEqual({
      ...TARGETS.idleFalseReconnects,
      value: null,
      status: 'skipped',
      note: 'skipped (--idle-seconds 0)',
    });
  });
});

describe('counting and printing targets', () => {
  it('counts met targets among those checked, and says how many were skipped', () => {
    const results = [
      checkTarget('timeToConnected', { value: 1 }),
      checkTarget('disconnect', { value: 2 }),
      checkTarget('idleFalseReconnects', { value: null, skipped: 'skipped' }),
    ];
    expect(countTargets(results)).toEqual({ met: 1, of: 2, skipped: 1 });
    expect(targetSummaryLine({ met: 1, of: 2, skipped: 1 })).toBe('Targets met: 1 of 2 (1 skipped)');
    expect(targetSummaryLine({ met: 6, of: 6, skipped: 0 })).toBe('Targets met: 6 of 6');
  });

  it('prints limits and verdicts for the table', () => {
    expect(formatLimit(TARGETS.timeToConnected)).toBe('<= 1.20x');
    expect(formatLimit(TARGETS.relaySwitch)).toBe('<= 1.00x');
    expect(formatLimit(TARGETS.relayDeath)).toBe('<= 5000 ms');
    expect(formatLimit(TARGETS.idleFalseReconnects)).toBe('0');
    expect([formatStatus('met'), formatStatus('not met'), formatStatus('skipped')]).toEqual([
      'yes',
      'NO',
      'skipped',
    ]);
  });

  it('prints a third decimal when two would show the limit for a ratio on the other side of it', () => {
    expect(formatRatioAgainst(1.004, 1)).toBe('1.004x');
    expect(formatRatioAgainst(0.998, 1)).toBe('0.998x');
    expect(formatRatioAgainst(1, 1)).toBe('1.00x');
    expect(formatRatioAgainst(1.234, 1.2)).toBe('1.23x');
    expect(formatRatioAgainst(null, 1)).toBe('n/a');
  });
});

describe('reportTargets (via withTargets)', () => {
  it('checks every target of the issue, in the printed order', () => {
    const report = fixtureReport();
    expect(report.targets.map((t) => [t.id, t.value, t.status])).toEqual([
      ['timeToConnected', 1.2, 'met'],
      ['timeToFirstByte', 0.95, 'met'],
      ['disconnect', 0.833, 'met'],
      ['relaySwitch', 0.8, 'met'],
      ['relayDeath', 4300, 'met'],
      ['idleFalseReconnects', 0, 'met'],
      ['cliStatus', 1.484, 'met'],
      ['cliStatusNoHelper', 1.125, 'met'],
      ['helperRssIdle', 46.5, 'met'],
      ['helperRssConnected', 51, 'met'],
      ['helperRssGrowth', 0.01, 'met'],
      ['helperCpuIdle', 0.1333, 'met'],
      ['eventFanOut', 10, 'met'],
      ['rendererSearch', 3, 'met'],
      ['rendererSearchP95', 20, 'met'],
      ['rendererOpen', 32, 'met'],
      ['rendererBundle', 1.02, 'met'],
    ]);
    expect(report.targetsMet).toEqual({ met: 17, of: 17, skipped: 0 });
  });

  it('fails the relay switch when Sluice’s switches failed, with how far they got', () => {
    const report = fixtureReport((r) => {
      r.relaySwitch.error = 'timed out after 30000 ms waiting for connected via se-got-wg-001';
    });
    expect(report.targets.find((t) => t.id === 'relaySwitch')).toMatchObject({
      status: 'not met',
      note: "Sluice's switches failed after 3 timed runs: timed out after 30000 ms waiting for connected via se-got-wg-001",
    });
  });

  it('fails the relay death when a run failed or fewer runs completed than planned', () => {
    const failed = fixtureReport((r) => {
      r.relayDeath.runs = r.relayDeath.runs.slice(0, 2);
      r.relayDeath.error =
        'waiting for connected via a relay other than se-got-wg-001, the tunnel became error (x)';
    });
    expect(failed.targets.find((t) => t.id === 'relayDeath')).toMatchObject({
      status: 'not met',
      value: 4300,
      note: 'failed after 2 of 3 runs: waiting for connected via a relay other than se-got-wg-001, the tunnel became error (x)',
    });
    const short = fixtureReport((r) => {
      r.relayDeath.runs = r.relayDeath.runs.slice(0, 1);
    });
    expect(short.targets.find((t) => t.id === 'relayDeath')?.note).toBe('only 1 of 3 runs completed');
  });

  it('is not met over the limits', () => {
    const report = fixtureReport((r) => {
      r.relayDeath.ms = { n: 3, median: 6100, min: 5000, max: 7000, samples: [5000, 6100, 7000] };
      if (r.idle.result) r.idle.result.falseReconnects = 2;
      r.timeToConnected.ratio = 1.25;
    });
    expect(report.targets.filter((t) => t.status === 'not met').map((t) => t.id)).toEqual([
      'timeToConnected',
      'relayDeath',
      'idleFalseReconnects',
    ]);
    expect(report.targetsMet).toEqual({ met: 14, of: 17, skipped: 0 });
  });

  it('fails the idle check when the tunnel did not work after the window, or the window failed', () => {
    const dead = fixtureReport((r) => {
      if (r.idle.result) r.idle.result.tunnelWorkedAfter = false;
    });
    expect(dead.targets.find((t) => t.id === 'idleFalseReconnects')).toMatchObject({
      status: 'not met',
      value: 0,
      note: 'the tunnel did not carry a request right after the window',
    });
    const broken = fixtureReport((r) => {
      r.idle.result = null;
      r.idle.error = 'the event stream ended during the idle window';
    });
    expect(broken.targets.find((t) => t.id === 'idleFalseReconnects')).toMatchObject({
      status: 'not met',
      value: null,
      note: 'the event stream ended during the idle window',
    });
  });

  it('skips the relay death and idle targets when their options are 0', () => {
    const report = fixtureReport((r) => {
      r.relayDeath = { skipped: true, runsPlanned: 0, ms: null, runs: [], error: null };
      r.idle = { skipped: true, seconds: 0, result: null, error: null };
    });
    expect(report.targets.filter((t) => t.status === 'skipped').map((t) => t.id)).toEqual([
      'relayDeath',
      'idleFalseReconnects',
    ]);
    expect(report.targetsMet).toEqual({ met: 15, of: 15, skipped: 2 });
  });
});
