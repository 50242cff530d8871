// The real renderer in Chromium, through the test shell, against the real helper in the lab.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const url = (): string => process.env.SLUICE_E2E_URL ?? '';
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (global-setup sets it)`);
  return value;
};

interface LabRelayFacts {
  hostname: string;
  address: string;
  confPath: string;
}

/** Test-only actions of the shell (stop/start the helper, ask the lab what address web sees). */
async function control<T>(name: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(`/__control/${name}`, url()), {
    method: 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`control ${name}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The real CLI against the same helper: what the helper itself says. */
function cli(...args: string[]): unknown {
  const out = execFileSync('node', [
    process.env.SLUICE_E2E_CLI ?? '',
    '--socket',
    process.env.SLUICE_E2E_SOCKET ?? '',
    ...args,
  ]);
  return JSON.parse(out.toString('utf8')) as unknown;
}

const status = (page: Page) => page.getByRole('status');

async function openApp(page: Page): Promise<void> {
  await page.goto(url());
  await expect(page.getByRole('heading', { name: 'Sluice' })).toBeVisible();
}

async function shoot(page: Page, name: string): Promise<void> {
  const dir = process.env.SLUICE_E2E_SCREENSHOTS ?? 'test-results/screenshots';
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(dir, `${name}-${colorScheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe.configure({ mode: 'serial' });

test('the main view, disconnected', async ({ page }) => {
  await openApp(page);
  await expect(status(page)).toHaveAttribute('data-state', 'disconnected');
  await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeVisible();
  await shoot(page, '01-main-disconnected');
});

test('connect, and see connected with the relay name', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
  await page.getByRole('button', { name: 'Connection details' }).click();
  const relays = await control<LabRelayFacts[]>('relays');
  const seen = await control<string>('what-is-my-ip');
  const relay = relays.find((r) => r.address === seen);
  expect(relay).toBeDefined();
  await expect(page.getByText(relay?.hostname ?? '-', { exact: false }).first()).toBeVisible();
  expect(cli('status', '--json')).toMatchObject({ state: 'connected', relay: { hostname: relay?.hostname } });
  await shoot(page, '02-main-connected-details');
});

test('pick a location by search, and see the exit change', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: /^Location/ }).click();
  await expect(page.getByRole('heading', { name: 'Select location' })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search locations' }).fill('frank');
  await shoot(page, '03-select-location-search');
  await page.getByRole('button', { name: 'Frankfurt', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sluice' })).toBeVisible();
  const relays = await control<{ hostname: string; address: string }[]>('relays');
  const frankfurt = relays.find((r) => r.hostname.startsWith('de-fra'));
  await expect
    .poll(() => control<string>('what-is-my-ip').catch(() => ''), { timeout: 20_000 })
    .toBe(frankfurt?.address);
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
  expect(cli('relay', 'get', '--json')).toMatchObject({ location: { country: 'de', city: 'fra' } });
});

test('the location tree and filters', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: /^Location/ }).click();
  await page.getByRole('button', { name: 'Cities in Sweden' }).click();
  await page.getByRole('button', { name: 'Filters' }).click();
  await expect(page.getByRole('region', { name: 'Relay filters' })).toBeVisible();
  await shoot(page, '04-select-location-tree-filters');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { name: 'Sluice' })).toBeVisible();
});

test('toggle lockdown mode, and see the helper setting change', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const lockdown = page.getByRole('switch', { name: 'Lockdown mode' });
  await expect(lockdown).not.toBeChecked();
  await lockdown.click();
  await expect(lockdown).toBeChecked();
  await expect.poll(() => cli('lockdown-mode', 'get', '--json')).toEqual({ lockdownMode: true });
  await shoot(page, '05-settings');
  await lockdown.click();
  await expect.poll(() => cli('lockdown-mode', 'get', '--json')).toEqual({ lockdownMode: false });
});

test('turn split tunnelling on from Settings, and see the helper say so', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  const row = page.getByRole('button', { name: /^Split tunnelling/ });
  await row.scrollIntoViewIfNeeded();
  await expect(row).toContainText('Off');
  await shoot(page, '07-settings-split-tunnel-row');
  await row.click();
  await expect(page.getByRole('heading', { name: 'Split tunnelling', level: 1 })).toBeVisible();
  const toggle = page.getByRole('switch', { name: 'Split tunnelling' });
  await expect(toggle).not.toBeChecked();
  await toggle.click();
  await expect(toggle).toBeChecked();
  // This lab machine has hybrid cgroups: the helper matches cgroup v2 sockets, and the view says so.
  await expect(page.getByText(/enforced with cgroup v2/)).toBeVisible();
  await expect
    .poll(() => cli('split-tunnel', 'get', '--json'))
    .toMatchObject({ enabled: true, mechanism: 'cgroup2' });
  await shoot(page, '07-split-tunnel');
  await toggle.click();
  await expect.poll(() => cli('split-tunnel', 'get', '--json')).toMatchObject({ enabled: false });
});

test('see latency next to relays, measured by the helper', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: /^Location/ }).click();
  await page.getByRole('button', { name: 'Cities in Sweden' }).click();
  await page.getByRole('button', { name: 'Relays in Gothenburg' }).click();
  const relayRow = page.locator('.location-row', {
    has: page.getByRole('button', { name: 'se-got-wg-001' }),
  });
  // Lab relays answer within a millisecond: "0.3 ms", never a made-up number.
  await expect(relayRow.locator('.latency')).toHaveText(/^\d+(\.\d)? ms$/, { timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Fastest relay' })).toBeVisible();
  await page.getByRole('radio', { name: 'By latency' }).check();
  await shoot(page, '08-select-location-latency');
  await page.getByRole('button', { name: 'Back' }).click();
});

test('see the traffic graph move while a download runs', async ({ page }) => {
  await openApp(page);
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
  const graph = page.getByRole('img', { name: /^Traffic over the last minute/ });
  await expect(graph).toBeVisible();
  await control('start-download');
  // Megabytes a second through the tunnel, in the words beside the chart.
  await expect(graph).toHaveAttribute('aria-label', /Down \d+(\.\d)? MB\/s/, { timeout: 20_000 });
  // A few seconds of history, so the picture shows a curve rather than a point.
  await expect.poll(async () => Number(await graph.getAttribute('data-samples'))).toBeGreaterThanOrEqual(5);
  await shoot(page, '09-main-traffic');
  const done = await control<{ bytes: number }>('download-done');
  expect(done.bytes).toBe(200 * 1000 * 1000);
});

test('run the leak self-test and see it pass', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: /^Diagnostics/ }).click();
  await page.getByRole('button', { name: 'Run test' }).click();
  await expect(page.getByText('Passed: no leaks found.', { exact: false })).toBeVisible({ timeout: 30_000 });
  const checks = page.getByRole('list', { name: 'Leak checks' }).getByRole('listitem');
  await expect(checks.first()).toBeVisible();
  for (const text of await checks.locator('.check-name').allTextContents()) expect(text).toMatch(/: pass$/);
  await shoot(page, '10-diagnostics-leak-test');
});

test('open the logs, filter them, and copy a problem report without addresses', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: /^Diagnostics/ }).click();
  const log = page.getByLabel(/^Helper log, \d+ lines/);
  await expect(log).toContainText(/INFO/);
  await page.getByLabel('Show').selectOption('error');
  await expect(page.getByLabel(/^Helper log, \d+ lines/)).not.toContainText(' INFO ');
  await page.getByRole('button', { name: 'Copy problem report' }).click();
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  await page.getByText('What was copied').click();
  await page.getByText('Copied to the clipboard.').scrollIntoViewIfNeeded();
  const report = await control<string>('clipboard');
  expect(report).toMatch(/^# Sluice problem report/);
  expect(report).toMatch(/state: connected/);
  const relays = await control<LabRelayFacts[]>('relays');
  for (const relay of relays) expect(report).not.toContain(relay.address);
  expect(report).not.toContain(await control<string>('client-address'));
  await shoot(page, '11-diagnostics-report');
});

test("set custom DNS, a bypass range and the MTU, and see the helper's settings", async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('switch', { name: 'Custom DNS servers' }).click();
  const dnsField = page.getByRole('textbox', { name: 'Add a DNS server' });
  await dnsField.fill('127.0.0.1');
  await dnsField.press('Enter');
  await expect(page.locator('[data-setting="dns"]').getByRole('alert')).toContainText('loopback');
  await dnsField.fill('10.64.0.1');
  await dnsField.press('Enter');
  await expect
    .poll(() => cli('dns', 'get', '--json'))
    .toEqual({ mode: 'custom', customServers: ['10.64.0.1'] });

  await page.getByRole('button', { name: '+ Tailscale (100.64.0.0/10)' }).click();
  await expect.poll(() => cli('bypass', 'list', '--json')).toEqual({ bypassRanges: ['100.64.0.0/10'] });
  await page.getByRole('textbox', { name: 'MTU' }).fill('1300');
  await page.getByRole('textbox', { name: 'MTU' }).press('Enter');
  await expect.poll(() => cli('tunnel', 'get', '--json')).toMatchObject({ mtu: 1300 });
  await page.locator('[data-setting="dns"]').scrollIntoViewIfNeeded();
  await shoot(page, '12-settings-dns-tunnel');

  await page.getByRole('button', { name: 'Remove range 100.64.0.0/10' }).click();
  await expect.poll(() => cli('bypass', 'list', '--json')).toEqual({ bypassRanges: [] });
  await page.getByRole('button', { name: 'Remove DNS server 10.64.0.1' }).click();
  await expect.poll(() => cli('dns', 'get', '--json')).toMatchObject({ mode: 'default' });
  await page.getByRole('button', { name: 'Use automatic' }).click();
  await expect.poll(() => cli('tunnel', 'get', '--json')).toMatchObject({ mtu: null });
});

test('exclude an app from the picker: it exits directly while the window shows it excluded', async ({
  page,
}) => {
  await openApp(page);
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: /^Split tunnelling/ }).click();
  const toggle = page.getByRole('switch', { name: 'Split tunnelling' });
  await toggle.click();
  await expect(toggle).toBeChecked();
  await page.getByRole('searchbox', { name: 'Search installed programs' }).fill('watch');
  await expect(page.getByRole('listitem', { name: 'Firefox ESR' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Launch Lab web watcher excluded' }).click();
  await expect(page.getByText('Started outside the tunnel.')).toBeVisible({ timeout: 20_000 });

  // The watcher asks web which address it sees: the client's own, not the relay's.
  const clientAddress = await control<string>('client-address');
  const seen = (): { pid?: number; ip?: string } => {
    try {
      const answer = JSON.parse(readFileSync(env('SLUICE_E2E_WATCH_OUT'), 'utf8')) as {
        pid: number;
        body?: string;
      };
      return {
        pid: answer.pid,
        ip: answer.body ? (JSON.parse(answer.body) as { ip: string }).ip : undefined,
      };
    } catch {
      return {};
    }
  };
  await expect.poll(() => seen().ip, { timeout: 20_000 }).toBe(clientAddress);
  // Everything else still leaves through the relay.
  const relays = await control<LabRelayFacts[]>('relays');
  expect(relays.map((r) => r.address)).toContain(await control<string>('what-is-my-ip'));
  const { pid } = seen();
  const processes = page.getByRole('list', { name: 'Processes outside the tunnel' });
  await expect(processes).toContainText('http-watch');
  await page.getByRole('searchbox', { name: 'Search installed programs' }).fill('');
  await shoot(page, '13-split-tunnel-picker');

  await page.getByRole('button', { name: 'Always exclude Lab web watcher' }).click();
  await expect
    .poll(() => (cli('split-tunnel', 'get', '--json') as { apps: string[] }).apps)
    .toEqual([env('SLUICE_E2E_WATCHER')]);
  await expect(page.getByRole('list', { name: 'Programs always excluded' })).toContainText('lab-watcher');
  await page.getByRole('button', { name: `Stop excluding ${env('SLUICE_E2E_WATCHER')}` }).click();
  await expect.poll(() => (cli('split-tunnel', 'get', '--json') as { apps: string[] }).apps).toEqual([]);

  if (pid) process.kill(pid, 'SIGTERM');
  await expect(processes).toHaveCount(0, { timeout: 20_000 });
  await toggle.click();
  await expect.poll(() => cli('split-tunnel', 'get', '--json')).toMatchObject({ enabled: false });
});

test('import a .conf through the dialog, and connect through it', async ({ page }) => {
  await openApp(page);
  // A provider's file for one of the lab's relays, under a name that puts it in Zurich.
  const relays = await control<LabRelayFacts[]>('relays');
  const nyc = relays.find((r) => r.hostname.startsWith('us-nyc'));
  if (!nyc) throw new Error('the lab has no New York relay');
  const file = join(env('SLUICE_E2E_LAB_DIR'), 'ch-zrh-wg-101.conf');
  writeFileSync(file, readFileSync(nyc.confPath, 'utf8'));
  await page.getByRole('button', { name: 'Settings' }).click();
  await control('dialog-choose', { paths: [file] });
  await page.getByRole('button', { name: 'Choose files…' }).click();
  await expect(page.getByText(/Imported 1 relay .*from ch-zrh-wg-101\.conf/)).toBeVisible({
    timeout: 20_000,
  });
  await shoot(page, '14-settings-import');

  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: /^Location/ }).click();
  await page.getByRole('searchbox', { name: 'Search locations' }).fill('ch-zrh-wg-101');
  await page.getByRole('button', { name: 'ch-zrh-wg-101', exact: true }).click();
  await expect
    .poll(() => control<string>('what-is-my-ip').catch(() => ''), { timeout: 30_000 })
    .toBe(nyc.address);
  expect(cli('status', '--json')).toMatchObject({ state: 'connected', relay: { hostname: 'ch-zrh-wg-101' } });
});

test('stop the helper: the app says so; start it: the app recovers', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(status(page)).toHaveAttribute('data-state', 'disconnected');
  await control('stop-helper');
  await expect(page.getByRole('heading', { name: 'The Sluice helper is not running' })).toBeVisible();
  await expect(page.getByText('sudo systemctl start sluiced')).toBeVisible();
  await shoot(page, '06-helper-not-running');
  await control('start-helper');
  await expect(page.getByRole('heading', { name: 'Sluice' })).toBeVisible({ timeout: 20_000 });
  await expect(status(page)).toHaveAttribute('data-state', 'disconnected');
});
