// Parsing `iperf3 -J` (3.12, recorded in the lab): rates, direction, the addresses that prove the path, and
// iperf3's own error messages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IperfOutputError, parseIperf3Json, toMbits } from '../src/iperf.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parseIperf3Json', () => {
  it('reads an upload: the receiver’s rate, retransmits and the connection’s addresses', () => {
    const result = parseIperf3Json(fixture('iperf3-upload.json'));
    expect(result.direction).toBe('upload');
    expect(result.localHost).toBe('198.51.100.2');
    expect(result.remoteHost).toBe('198.51.100.130');
    expect(result.receivedBitsPerSecond).toBeGreaterThan(0);
    expect(result.receivedBitsPerSecond).toBeLessThanOrEqual(result.sentBitsPerSecond * 1.01);
    expect(result.bytesReceived).toBeGreaterThan(0);
    expect(typeof result.retransmits).toBe('number');
    expect(result.cpuHostPercent).not.toBeNull();
  });

  it('reads a download (-R) as such', () => {
    const result = parseIperf3Json(fixture('iperf3-download.json'));
    expect(result.direction).toBe('download');
    expect(result.seconds).toBeGreaterThan(0.9);
  });

  it('turns iperf3’s error field into an error with its message', () => {
    expect(() => parseIperf3Json(fixture('iperf3-error.json'))).toThrow(
      new IperfOutputError('iperf3: unable to connect to server: Connection timed out'),
    );
  });

  it('names what is missing or malformed', () => {
    expect(() => parseIperf3Json('iperf3: error - the server is busy running a test')).toThrow(
      /did not print JSON/,
    );
    expect(() => parseIperf3Json('[]')).toThrow(/not an object/);
    const upload = JSON.parse(fixture('iperf3-upload.json')) as { end: Record<string, unknown> };
    delete upload.end.sum_received;
    expect(() => parseIperf3Json(JSON.stringify(upload))).toThrow(/end\.sum_received/);
  });

  it('converts to Mbit/s in powers of ten', () => {
    expect(toMbits(976_724_597)).toBeCloseTo(976.72, 2);
  });
});
