// Launching outside the tunnel through sluice-exclude: a launch that keeps running counts as started;
// one that fails early rejects with sluice-exclude's own words; a missing launcher says so.
import { describe, expect, it } from 'vitest';
import { createAppLauncher } from '../../../src/main/apps/launcher.js';

/** A stand-in for sluice-exclude: a Node script that receives the same arguments. */
const fakeExclude = (script: string): string[] => [process.execPath, '-e', script, '--'];

const launcher = (script: string) =>
  createAppLauncher({ env: {}, socketPath: '/run/sluice/daemon.sock', excludeCommand: fakeExclude(script) });

describe('launchExcluded', () => {
  it('passes the socket and the program after --, and resolves once it keeps running', async () => {
    const script = `if (process.argv.slice(1).join(' ') !== '--socket /run/sluice/daemon.sock -- /usr/bin/firefox --new-window') process.exit(9);
      setTimeout(() => {}, 3000);`;
    await expect(
      launcher(script).launchExcluded(['/usr/bin/firefox', '--new-window']),
    ).resolves.toBeUndefined();
  });

  it("rejects with sluice-exclude's words when it fails early", async () => {
    const script = `process.stderr.write('sluice-exclude: cannot exclude a process: split tunnelling is off; turn it on with \`sluice split-tunnel set on\`; firefox was not started\\n'); process.exit(1);`;
    await expect(launcher(script).launchExcluded(['firefox'])).rejects.toThrow(
      /^cannot exclude a process: split tunnelling is off/,
    );
  });

  it('says when sluice-exclude is not installed', async () => {
    const missing = createAppLauncher({
      env: {},
      socketPath: '/s',
      excludeCommand: ['/nonexistent/sluice-exclude'],
    });
    await expect(missing.launchExcluded(['firefox'])).rejects.toThrow(
      '/nonexistent/sluice-exclude is not installed, so programs cannot be started outside the tunnel',
    );
  });
});
