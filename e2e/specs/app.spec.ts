// The real renderer in Chromium, through the test shell, against the real helper in the lab.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const url = (): string => process.env.SLUICE_E2E_URL ?? '';

/** Test-only actions of the shell (stop/start the helper, ask the lab what address web sees). */
async function control<T>(name: string): Promise<T> {
  const response = await fetch(new URL(`/__control/${name}`, url()), { method: 'POST' });
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
  const relays = await control<{ hostname: string; address: string }[]>('relays');
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
  const row = page.getByRole('button', { name: /Programs outside the tunnel/ });
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
