// The printed report: the latency table with its target and met columns, the new relay rows, the idle
// line, sluiced's footprint, the load at both ends, and the closing count of targets met.
import { describe, expect, it } from 'vitest';
import { idleLine, renderFootprintReport, renderReport } from '../src/render.js';
import { footprintTargets } from '../src/report.js';
import { countTargets } from '../src/targets.js';
import { fixtureReport } from './report-fixture.js';

const JSON_PATH = '/tmp/bench.json';

function linesOf(text: string): string[] {
  return text.split('\n');
}

/** The latency table: from its header to the line before the idle line. */
function latencyTable(text: string): string[] {
  const lines = linesOf(text);
  const start = lines.findIndex((l) => l.includes('Sluice/wg-quick') && l.includes('target'));
  return lines.slice(start, start + 7);
}

describe('renderReport', () => {
  it('prints the latency table with a target and a met column on every row that has a target', () => {
    expect(latencyTable(renderReport(fixtureReport(), JSON_PATH))).toEqual([
      '                                                                Sluice             wg-quick  Sluice/wg-quick      target  met',
      '----------------------------------------------  ----------------------  -------------------  ---------------  ----------  ---',
      'Time to connected                                  120.0 (110.0-130.0)  100.0 (100.0-100.0)            1.20x    <= 1.20x  yes',
      'Time to first HTTP byte                              95.0 (90.0-100.0)  100.0 (100.0-100.0)            0.95x    <= 1.00x  yes',
      'Disconnect to disconnected                            50.0 (40.0-60.0)     60.0 (60.0-60.0)            0.83x    <= 1.00x  yes',
      'Relay switch (se-got-wg-001 <-> de-fra-wg-001)     160.0 (150.0-170.0)  200.0 (200.0-200.0)            0.80x    <= 1.00x  yes',
      'Relay death -> connected via another relay      4300.0 (4200.0-4400.0)                    -                -  <= 5000 ms  yes',
    ]);
  });

  it('marks what is not met NO and says why', () => {
    const text = renderReport(
      fixtureReport((r) => {
        r.timeToConnected.ratio = 1.35;
        r.relaySwitch.error = 'timed out waiting for connected via se-got-wg-001';
        r.relayDeath.ms = { n: 3, median: 6100, min: 5000, max: 7000, samples: [5000, 6100, 7000] };
      }),
      JSON_PATH,
    );
    const table = latencyTable(text);
    expect(table[2]).toMatch(/^Time to connected .* 1\.35x +<= 1\.20x +NO$/);
    expect(table[5]).toMatch(/^Relay switch .* 0\.80x +<= 1\.00x +NO$/);
    expect(table[6]).toMatch(/^Relay death .* 6100\.0 \(5000\.0-7000\.0\) .* <= 5000 ms +NO$/);
    expect(text).toContain(
      "- Relay switch, connected to connected, vs `wg-quick down` + `wg-quick up`: Sluice's switches failed " +
        'after 3 timed runs: timed out waiting for connected via se-got-wg-001',
    );
    expect(linesOf(text).at(-2)).toBe('Targets met: 14 of 17');
  });

  it('prints the idle line with its target, and the counted events under it', () => {
    expect(idleLine(fixtureReport())).toBe('False reconnects while idle 600 s: 0 (target 0) met');
    const report = fixtureReport((r) => {
      if (r.idle.result) {
        r.idle.result.falseReconnects = 2;
        r.idle.result.events = [
          {
            atSeconds: 301.2,
            what: 'notice KIND_UNEXPECTED_DISCONNECT (the relay has not answered for 4.6 s)',
          },
          { atSeconds: 301.2, what: 'disconnecting' },
        ];
      }
    });
    expect(idleLine(report)).toBe('False reconnects while idle 600 s: 2 (target 0) NOT met');
    const lines = linesOf(renderReport(report, JSON_PATH));
    const at = lines.indexOf('False reconnects while idle 600 s: 2 (target 0) NOT met');
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '  at 301.2 s: notice KIND_UNEXPECTED_DISCONNECT (the relay has not answered for 4.6 s)',
      '  at 301.2 s: disconnecting',
    ]);
  });

  it('says when the idle window and the relay deaths were skipped, and counts only what was checked', () => {
    const report = fixtureReport((r) => {
      r.relayDeath = { skipped: true, runsPlanned: 0, ms: null, runs: [], error: null };
      r.idle = { skipped: true, seconds: 0, result: null, error: null };
    });
    const text = renderReport(report, JSON_PATH);
    expect(idleLine(report)).toBe('False reconnects while idle: skipped (--idle-seconds 0)');
    expect(latencyTable(text)[6]).toMatch(
      /^Relay death -> connected via another relay +skipped +- +- +<= 5000 ms +skipped$/,
    );
    expect(text).toContain('relay deaths: skipped (--death-runs 0)');
    expect(text).toContain('- sluiced during the idle window: skipped (--idle-seconds 0)');
    expect(linesOf(text).at(-2)).toBe('Targets met: 15 of 15 (2 skipped)');
  });

  it('prints sluiced’s RSS and CPU during the idle window as "also measured", without a target', () => {
    const text = renderReport(fixtureReport(), JSON_PATH);
    expect(text).toContain(
      '- sluiced (pid 4242) during the idle window of 600.1 s: RSS 50.0 MiB at the start, 51.0 MiB at the end ' +
        '(+1.0 MiB); CPU 1.50 s, 0.25 % of one core',
    );
    const noUsage = renderReport(
      fixtureReport((r) => {
        if (r.idle.result) {
          r.idle.result.helper = null;
          r.idle.result.helperUsageError = 'expected one sluiced process, found none';
        }
      }),
      JSON_PATH,
    );
    expect(noUsage).toContain(
      '- sluiced during the idle window: n/a (expected one sluiced process, found none)',
    );
  });

  it('prints the load average at the start and the end, and ends with the count of targets met', () => {
    const lines = linesOf(renderReport(fixtureReport(), JSON_PATH));
    expect(lines[1]).toMatch(/load at start 0\.5 0\.4 0\.3, at end 1\.25 0\.8 0\.4$/);
    expect(lines.slice(-3)).toEqual([`Took 840 s. JSON: ${JSON_PATH}`, 'Targets met: 17 of 17', '']);
  });

  it('is pure: the same report gives the same text', () => {
    const report = fixtureReport();
    expect(renderReport(report, JSON_PATH)).toBe(renderReport(structuredClone(report), JSON_PATH));
  });
});

describe('the CLI start-up figures', () => {
  const section = (text: string): string[] => {
    const lines = linesOf(text);
    const start = lines.findIndex((l) => l.startsWith('CLI start-up, ms'));
    return lines.slice(start, start + 5);
  };

  it('prints both against node -e 0 with their exit codes and targets', () => {
    expect(section(renderReport(fixtureReport(), JSON_PATH))).toEqual([
      'CLI start-up, ms: median (min-max) of 3 rounds in the lab client, each round `node -e 0` and both commands in turn (after one untimed round); load then 0.5 0.4 0.3',
      '                                             sluice         node -e 0  sluice/node  exit    target  met',
      '--------------------------------  -----------------  ----------------  -----------  ----  --------  ---',
      'sluice status (helper running)    95.0 (90.0-100.0)  64.0 (60.0-70.0)        1.48x     0  <= 1.60x  yes',
      'sluice status --json (no helper)   72.0 (70.0-75.0)  64.0 (60.0-70.0)        1.13x     3  <= 1.60x  yes',
    ]);
  });

  it('is not met over 1.6x, or with a wrong exit code whatever the time', () => {
    const text = renderReport(
      fixtureReport((r) => {
        if (r.footprint.status) r.footprint.status.ratio = 2.1;
        if (r.footprint.statusNoHelper) r.footprint.statusNoHelper.exitCodes = [3, 1, 3];
      }),
      JSON_PATH,
    );
    expect(section(text)[3]).toMatch(/ 2\.10x +0 +<= 1\.60x +NO$/);
    expect(section(text)[4]).toMatch(/ 1\.13x +1, 3 +<= 1\.60x +NO$/);
    expect(text).toContain('exit code 1 in 1 of 3 runs, expected 3');
  });

  it('prints a footprint-only report with its own count', () => {
    const full = fixtureReport();
    const targets = footprintTargets(full.footprint);
    const text = renderFootprintReport(
      {
        schema: 'sluice-bench-footprint/2',
        options: { cliRuns: 3, connectedMinutes: 2 },
        startedAt: full.startedAt,
        finishedAt: full.finishedAt,
        durationSeconds: 42,
        environment: full.environment,
        footprint: full.footprint,
        targets,
        targetsMet: countTargets(targets),
        checks: full.checks,
      },
      JSON_PATH,
    );
    expect(text).toContain('sluice status (helper running)');
    expect(linesOf(text).at(-2)).toBe('Targets met: 11 of 11');
  });
});

describe("sluiced's footprint", () => {
  const section = (text: string): string[] => {
    const lines = linesOf(text);
    const start = lines.findIndex((l) => l.startsWith('sluiced footprint:'));
    return lines.slice(start, start + 10);
  };

  it('prints each figure with its target, the window used, and what the RSS is made of', () => {
    const lines = section(renderReport(fixtureReport(), JSON_PATH));
    expect(lines[0]).toBe(
      'sluiced footprint: 577 relays loaded (the 577-relay fixture and the lab relay); connected via ' +
        'se-got-wg-001 for 10 min with a stats listener (--connected-minutes 10)',
    );
    expect(lines[3]).toMatch(/^RSS idle after start +46\.5 MiB +<= 47\.6 MiB +yes$/);
    expect(lines[4]).toMatch(/^RSS connected, after 10 min +51\.0 MiB +<= 52\.4 MiB +yes$/);
    expect(lines[5]).toMatch(
      /^RSS growth, minutes 5\.0-10 \(least-squares slope\) +0\.010 MiB\/min +<= 0\.1 MiB\/min +yes$/,
    );
    expect(lines[6]).toMatch(/^CPU connected, idle, no listener, 60 s +0\.133 % +<= 0\.2 % +yes$/);
    expect(lines[7]).toMatch(
      /^Setting change -> last of 50 subscribers, ms +10\.0 \(9\.0-12\.0\) +<= 20 ms +yes$/,
    );
    expect(lines[8]).toBe('- Measured: apps/desktop/dist/helper/sluiced.cjs, as the packages ship it');
    expect(lines[9]).toContain('10.5 MiB anonymous (heaps), 36.0 MiB mapped from files');
    expect(lines[9]).toContain('PSS 30.2 MiB');
    expect(lines[9]).toContain('at the end 13.0 MiB anonymous, PSS 33.5 MiB');
  });

  it('is not met over a limit, and not met at all when the phase failed', () => {
    const over = renderReport(
      fixtureReport((r) => {
        if (r.footprint.helper) r.footprint.helper.idle.rssMib = 63.5;
      }),
      JSON_PATH,
    );
    expect(section(over)[3]).toMatch(/63\.5 MiB +<= 47\.6 MiB +NO$/);
    const failed = fixtureReport((r) => {
      r.footprint.helper = null;
      r.footprint.helperError = 'sluiced exited with 1';
    });
    expect(section(renderReport(failed, JSON_PATH))[0]).toBe(
      'sluiced footprint: not measured (sluiced exited with 1); its 5 targets are not met',
    );
    expect(failed.targets.filter((t) => t.status === 'not met').map((t) => t.id)).toEqual([
      'helperRssIdle',
      'helperRssConnected',
      'helperRssGrowth',
      'helperCpuIdle',
      'eventFanOut',
    ]);
  });
});

describe('the renderer at scale', () => {
  const section = (text: string): string[] => {
    const lines = linesOf(text);
    const start = lines.findIndex((l) => l.startsWith('Renderer at scale:'));
    return lines.slice(start, start + 8);
  };

  it('prints each figure with its target', () => {
    const lines = section(renderReport(fixtureReport(), JSON_PATH));
    expect(lines[0]).toBe(
      'Renderer at scale: Select location with 5000 relays (the Mullvad fixture scaled), in Chromium, no helper',
    );
    expect(lines.join('\n')).toMatch(
      /Search, per keystroke, median of 3 \(to the list laid out\), ms +3\.0 ms +<= 16 ms +yes/,
    );
    expect(lines.join('\n')).toMatch(/Search, per keystroke, p95, ms +20\.0 ms +<= 33 ms +yes/);
    expect(lines.join('\n')).toMatch(
      /Renderer JavaScript, gzip: 149\.4 KiB vs 146\.5 KiB +1\.02x +<= 1\.10x +yes/,
    );
  });

  it('is not met at all when the phase failed, saying why', () => {
    const failed = fixtureReport((r) => {
      r.footprint.renderer = null;
      r.footprint.rendererError = 'chromium not found';
    });
    expect(section(renderReport(failed, JSON_PATH))[0]).toBe(
      'Renderer at scale: not measured (chromium not found); its 4 targets are not met',
    );
    expect(failed.targets.filter((t) => t.status === 'not met').map((t) => t.id)).toEqual([
      'rendererSearch',
      'rendererSearchP95',
      'rendererOpen',
      'rendererBundle',
    ]);
  });
});
