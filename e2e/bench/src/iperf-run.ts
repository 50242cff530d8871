// iperf3 from the lab client to web's iperf3 server, on whatever path the client's routing gives it now.
import { setTimeout as delay } from 'node:timers/promises';
import { type Lab } from '@sluice/netlab';
import { IperfOutputError, parseIperf3Json, type IperfResult } from './iperf.js';

/** One TCP test over IPv4; `download` is iperf3's -R (web sends). Retries once when the server is busy. */
export async function runIperf(
  lab: Lab,
  direction: 'upload' | 'download',
  seconds: number,
): Promise<IperfResult> {
  const argv = [
    'iperf3',
    '--client',
    lab.web.address.v4,
    '--port',
    String(lab.web.iperfPort),
    '--time',
    String(seconds),
    '--connect-timeout',
    '3000',
    '--json',
    ...(direction === 'download' ? ['--reverse'] : []),
  ];
  for (let attempt = 1; ; attempt++) {
    const out = await lab.runInClient(argv, { timeoutMs: (seconds + 30) * 1000, allowFailure: true });
    try {
      return parseIperf3Json(out.stdout);
    } catch (error) {
      const busy = error instanceof IperfOutputError && /busy/i.test(error.message);
      if (!busy || attempt >= 3) throw error;
      await delay(1_000); // the server still finishes the previous test
    }
  }
}
