// The leak self-test's exit-address check: while everything should be blocked, only a network-level
// refusal passes; any answer at all (JSON or not, any status) means a request got out.
import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../src/net/exec.js';
import { runLeakTest, type HttpAnswer, type LeakTestInputs } from '../src/net/leak-test.js';

const URL = 'http://198.51.100.130/ip';

function inputs(fetchAnswer: () => Promise<HttpAnswer>, connected: boolean): LeakTestInputs {
  return {
    firewall: undefined,
    // No firewall here: only the exit-address check is under test.
    intendedPolicy: { kind: 'blocked', allowLan: false, bypassRanges: [] },
    intendedDns: undefined,
    resolvConfPath: undefined,
    relayAddress: connected ? '203.0.113.2' : undefined,
    runner: new RecordingRunner(() => ({ stdout: '[]' })),
    whatIsMyIpUrl: URL,
    fetchAnswer,
  };
}

const exitCheck = async (fetch: () => Promise<HttpAnswer>, connected = false) =>
  (await runLeakTest(inputs(fetch, connected))).checks.find((c) => c.name === 'exit-address');

describe('the exit-address check', () => {
  it('blocked: a refused connection passes', async () => {
    const refused = Object.assign(new Error('fetch failed'), { cause: new Error('connect ECONNREFUSED') });
    const check = await exitCheck(() => Promise.reject(refused));
    expect(check?.passed).toBe(true);
    expect(check?.detail).toMatch(/unreachable, as it should be \(connect ECONNREFUSED\)/);
  });

  it('blocked: any answer fails, JSON or not, whatever its status', async () => {
    for (const answer of [
      { status: 200, body: '<html>captive portal</html>' },
      { status: 403, body: 'forbidden' },
      { status: 200, body: '{"ip":"198.51.100.2"}' },
    ]) {
      const check = await exitCheck(() => Promise.resolve(answer));
      expect(check?.passed, answer.body).toBe(false);
      expect(check?.detail).toMatch(/answered \(HTTP \d+\) although all traffic should be blocked/);
    }
  });

  it('connected: an answer without {"ip"} cannot tell, so it fails and says why', async () => {
    const unclear = await exitCheck(() => Promise.resolve({ status: 200, body: 'hello' }), true);
    expect(unclear?.passed).toBe(false);
    expect(unclear?.detail).toMatch(/without JSON \{"ip": "..."\}/);
    expect(
      await exitCheck(() => Promise.resolve({ status: 200, body: '{"ip":"203.0.113.2"}' }), true),
    ).toMatchObject({
      passed: true,
      detail: 'the world sees 203.0.113.2 (the relay)',
    });
  });
});
