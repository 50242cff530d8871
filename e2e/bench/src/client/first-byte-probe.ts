// Runs inside the lab client: starts GET <url> every --interval ms, each on a new connection and without
// waiting for earlier ones, until an answer names --expect as the source address; prints when that answer's
// first byte arrived. Protocol: JSON lines on stdout, {"event":"ready"} after the first answer of any kind,
// then {"event":"done"} or {"event":"failed"}.
//   node first-byte-probe.js --url http://198.51.100.130:80/ip --expect 203.0.113.2 [--interval 10]
//     [--attempt-timeout 1000] [--deadline 60000]
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import type { ProbeDone, ProbeFailed, ProbeMessage } from './protocol.js';

interface Answer {
  ip: string;
  firstByteAt: number;
}

function getIp(url: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (response) => {
      const firstByteAt = Date.now();
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ip?: unknown };
          if (typeof body.ip !== 'string') throw new Error('no "ip" in the answer');
          resolve({ ip: body.ip, firstByteAt });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function say(message: ProbeMessage): void {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function main(): void {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      expect: { type: 'string' },
      interval: { type: 'string', default: '10' },
      'attempt-timeout': { type: 'string', default: '1000' },
      deadline: { type: 'string', default: '60000' },
    },
  });
  const { url, expect } = values;
  if (url === undefined || expect === undefined) {
    say({ event: 'failed', message: '--url and --expect are required' });
    process.exit(2);
  }
  const intervalMs = Number(values.interval);
  const attemptTimeoutMs = Number(values['attempt-timeout']);
  let attempts = 0;
  let otherAnswers = 0;
  let ready = false;
  let finished = false;
  const finish = (message: ProbeDone | ProbeFailed, code: number): void => {
    if (finished) return;
    finished = true;
    clearInterval(timer);
    clearTimeout(deadline);
    say(message);
    // Attempts still in flight (a half-built path) would keep the process alive until their timeout.
    process.exit(code);
  };
  const attempt = (): void => {
    attempts++;
    const attemptStartedAt = Date.now();
    getIp(url, attemptTimeoutMs).then(
      (answer) => {
        if (finished) return;
        if (!ready) {
          ready = true;
          say({ event: 'ready', firstIp: answer.ip });
        }
        if (answer.ip === expect) {
          finish(
            {
              event: 'done',
              ip: answer.ip,
              firstByteAt: answer.firstByteAt,
              attemptStartedAt,
              attempts,
              otherAnswers,
            },
            0,
          );
        } else {
          otherAnswers++;
        }
      },
      () => undefined, // refused, reset or timed out while the path changes: the next attempt is on its way
    );
  };
  const timer = setInterval(attempt, intervalMs);
  const deadline = setTimeout(
    () => finish({ event: 'failed', message: `no answer from ${expect} within ${values.deadline} ms` }, 1),
    Number(values.deadline),
  );
  process.on('SIGTERM', () => finish({ event: 'failed', message: 'stopped' }, 1));
  attempt();
}

main();
