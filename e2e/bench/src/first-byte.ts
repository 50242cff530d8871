// The bench's side of the first-byte probe: start it in the client, wait until it gets answers on the
// direct path, then collect the moment the first answer came through the tunnel.
import { type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Lab } from '@sluice/netlab';
import { FIRST_BYTE_PROBE_SCRIPT } from './client-scripts.js';
import type { ProbeDone, ProbeMessage } from './client/protocol.js';
import { AsyncQueue } from './queue.js';

/** Milliseconds between attempts: the resolution of the measurement, and the probe's load on the lab. */
export const PROBE_INTERVAL_MS = 10;
export const PROBE_ATTEMPT_TIMEOUT_MS = 1_000;

export class FirstByteProbe {
  private readonly messages = new AsyncQueue<ProbeMessage>();
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    if (!child.stdout || !child.stderr) throw new Error('the probe has no output pipes');
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.messages.push(JSON.parse(line) as ProbeMessage);
      } catch {
        this.stderr += `${line}\n`;
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    child.once('exit', (code, signal) =>
      // Let the last stdout lines be read first.
      setImmediate(() =>
        this.messages.end(
          new Error(`the probe exited (${signal ?? String(code)}) early: ${this.stderr.trim().slice(-1000)}`),
        ),
      ),
    );
  }

  /** Start the probe in the client; resolves once web answered it on the direct path. */
  static async start(lab: Lab, tunnelSource: string): Promise<FirstByteProbe> {
    const child = lab.spawnInClient(
      [
        process.execPath,
        FIRST_BYTE_PROBE_SCRIPT,
        '--url',
        `${lab.web.url4}/ip`,
        '--expect',
        tunnelSource,
        '--interval',
        String(PROBE_INTERVAL_MS),
        '--attempt-timeout',
        String(PROBE_ATTEMPT_TIMEOUT_MS),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const probe = new FirstByteProbe(child);
    try {
      const first = await probe.messages.shift(15_000, 'the probe to get a first answer');
      if (first.event !== 'ready')
        throw new Error(`the probe said ${JSON.stringify(first)} before it was ready`);
      if (first.firstIp === tunnelSource)
        throw new Error(`web already sees ${tunnelSource} before the tunnel is up: is a tunnel left over?`);
    } catch (error) {
      probe.stop();
      throw error;
    }
    return probe;
  }

  /** The first answer through the tunnel. */
  async result(timeoutMs = 30_000): Promise<ProbeDone> {
    const message = await this.messages.shift(timeoutMs, 'the first answer through the tunnel');
    if (message.event !== 'done') throw new Error(`the probe: ${JSON.stringify(message)}`);
    return message;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}
