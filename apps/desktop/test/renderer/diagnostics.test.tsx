// @vitest-environment jsdom
// Diagnostics: reached from Settings; the leak self-test runs on request and shows each check pass or
// fail in words; the helper's log is shown as readable lines, filtered by level; the problem report is
// copied through the trusted side and shown; failures say why, in place.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { LeakTestView } from '../../src/shared/ipc';
import { connectedState, deferred, fakeSluice, invokesOf, renderApp, settle } from './harness';

const logLines = [
  JSON.stringify({ level: 20, time: Date.UTC(2026, 11, 1, 9, 0, 0), msg: 'probing path MTU', size: 1420 }),
  JSON.stringify({
    level: 30,
    time: Date.UTC(2026, 11, 1, 9, 0, 1),
    msg: 'connected',
    relay: 'se-got-wg-001',
  }),
  JSON.stringify({ level: 40, time: Date.UTC(2026, 11, 1, 9, 0, 2), msg: 'handshake late', ageMs: 130000 }),
  JSON.stringify({ level: 50, time: Date.UTC(2026, 11, 1, 9, 0, 3), msg: 'relay unreachable' }),
  'not json at all',
];

async function openDiagnostics(fake = fakeSluice(connectedState())) {
  fake.answer('getLogs', () => Promise.resolve(logLines));
  const app = await renderApp(fake);
  await app.user.click(screen.getByRole('button', { name: 'Settings' }));
  await app.user.click(screen.getByRole('button', { name: /^Diagnostics/ }));
  await settle(() => undefined);
  return { fake, ...app };
}

describe('diagnostics view', () => {
  it('runs the leak test on request and lists each check with pass or fail in words', async () => {
    const fake = fakeSluice(connectedState());
    const answer = deferred<LeakTestView>();
    fake.answer('runLeakTest', () => answer.promise);
    const { user } = await openDiagnostics(fake);
    expect(screen.getByRole('heading', { level: 1, name: 'Diagnostics' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Run test' }));
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Testing…' }).disabled).toBe(true);
    await settle(() =>
      answer.resolve({
        passed: false,
        observedAddress: '203.0.113.7',
        checks: [
          { name: 'firewall', passed: true, detail: 'table inet sluice matches the connected policy' },
          { name: 'dns', passed: false, detail: 'resolv.conf names 192.168.1.1, expected 10.64.0.1' },
          { name: 'exit-address', passed: true, detail: 'the world sees 203.0.113.7, the relay' },
        ],
        ruleHits: [{ rule: 'dns-reject-udp', packets: 12 }],
      }),
    );
    expect(invokesOf(fake, 'runLeakTest')).toEqual([{}]);
    expect(screen.getByText(/Failed: see the checks below. The world sees 203.0.113.7./)).toBeTruthy();
    const checks = within(screen.getByRole('list', { name: 'Leak checks' })).getAllByRole('listitem');
    expect(checks.map((check) => check.querySelector('.check-name')?.textContent)).toEqual([
      'Firewall matches the policy: pass',
      'DNS goes only to the chosen resolvers: fail',
      'Address the world sees: pass',
    ]);
    expect(checks[1]?.textContent).toMatch(/expected 10.64.0.1/);
    expect(screen.getByText('dns-reject-udp')).toBeTruthy();
  });

  it('says when the leak test cannot run', async () => {
    const fake = fakeSluice(connectedState());
    fake.answer('runLeakTest', () => Promise.reject(new Error('permission denied: not in the sluice group')));
    const { user } = await openDiagnostics(fake);
    await user.click(screen.getByRole('button', { name: 'Run test' }));
    expect(
      screen.getByText('The test could not run: permission denied: not in the sluice group'),
    ).toBeTruthy();
  });

  it('shows the log as readable lines, info and above by default, and filters by level', async () => {
    const { fake, user } = await openDiagnostics();
    expect(invokesOf(fake, 'getLogs')).toEqual([{ maxLines: 500 }]);
    const log = screen.getByLabelText(/^Helper log, \d+ lines/);
    expect(log.textContent).toMatch(/INFO {2}connected relay=se-got-wg-001/);
    expect(log.textContent).toMatch(/WARN {2}handshake late ageMs=130000/);
    expect(log.textContent).toMatch(/not json at all/);
    expect(log.textContent).not.toMatch(/probing path MTU/);
    await user.selectOptions(screen.getByLabelText('Show'), 'error');
    expect(screen.getByLabelText(/^Helper log, /).textContent).toMatch(
      /^\d\d:\d\d:\d\d ERROR relay unreachable$/,
    );
    await user.selectOptions(screen.getByLabelText('Show'), 'debug');
    expect(screen.getByLabelText(/^Helper log, 5 lines/).textContent).toMatch(/probing path MTU size=1420/);
  });

  it('copies the problem report through the trusted side and shows what was copied', async () => {
    const fake = fakeSluice(connectedState());
    fake.answer('copyProblemReport', () =>
      Promise.resolve({ text: '# Sluice problem report\n\n## Versions\napp: 0.1.0' }),
    );
    const { user } = await openDiagnostics(fake);
    await user.click(screen.getByRole('button', { name: 'Copy problem report' }));
    expect(invokesOf(fake, 'copyProblemReport')).toEqual([{}]);
    expect(screen.getByText('Copied to the clipboard.')).toBeTruthy();
    expect(screen.getByText(/# Sluice problem report/)).toBeTruthy();
  });

  it('Back returns to Settings', async () => {
    const { user } = await openDiagnostics();
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Settings' })).toBeTruthy();
  });
});
