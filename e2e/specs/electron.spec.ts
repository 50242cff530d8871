// The real Electron app, launched by Playwright, wherever an Electron binary is installed. These
// machines cannot download Electron's binary, so here it is skipped, and says so.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

const MAIN = resolve(import.meta.dirname, '../../apps/desktop/dist/main/main.cjs');

/** The Electron binary's path, or undefined when the package was installed without it. */
function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();

const SKIP_REASON =
  'no Electron binary installed (its download cannot be fetched on this machine); install the electron package without ELECTRON_SKIP_BINARY_DOWNLOAD to run this spec';

test('the Electron app starts, shows its window and reaches the helper', async () => {
  if (binary === undefined) console.warn(`electron.spec: SKIPPED: ${SKIP_REASON}`);
  test.skip(binary === undefined, SKIP_REASON);

  const app = await electron.launch({
    executablePath: binary,
    args: [MAIN, '--no-sandbox'],
    env: { ...process.env, SLUICE_SOCKET: process.env.SLUICE_E2E_SOCKET ?? '' },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('button', { name: /connect/i })).toBeVisible();
  } finally {
    await app.close();
  }
});
