// The app-exclusion picker's two jobs in main: list the installed apps, and start one outside the
// tunnel through `sluice-exclude` (detached, so it outlives the window). A launch that fails early
// (split tunnelling off, not permitted, program missing) rejects with sluice-exclude's own words.
import { spawn } from 'node:child_process';
import type { InstalledAppView } from '../../shared/ipc.js';
import type { AppLauncher } from '../backend.js';
import { describeProgram, listInstalledApps, type AppEnvironment, type InstalledApp } from './index.js';

/** How long a launch must survive before it counts as started (sluice-exclude fails fast when it fails). */
const STARTED_AFTER_MS = 1_500;

export interface LauncherOptions {
  env: AppEnvironment;
  socketPath: string;
  /** The launcher and its leading arguments, e.g. ['sluice-exclude'] or [node, exclude.js]. */
  excludeCommand: readonly string[];
}

export function createAppLauncher(options: LauncherOptions): AppLauncher {
  return {
    async list() {
      const { apps } = await listInstalledApps(options.env);
      return apps.map(launchableView);
    },
    describe: async (path) => launchableView(await describeProgram(options.env, path)),
    launchExcluded: (argv) => launch(options, argv),
  };
}

function launchableView(app: InstalledApp): InstalledAppView & { exec: string[] } {
  return {
    id: app.id,
    name: app.name,
    ...(app.comment === undefined ? {} : { comment: app.comment }),
    executable: app.executable,
    source: app.source,
    ...(app.icon === undefined ? {} : { icon: app.icon }),
    singleInstance: app.hint === 'single-instance',
    exec: app.exec,
  };
}

function launch(options: LauncherOptions, argv: readonly string[]): Promise<void> {
  const [command, ...leading] = options.excludeCommand;
  if (command === undefined) return Promise.reject(new Error('no sluice-exclude command is configured'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...leading, '--socket', options.socketPath, '--', ...argv], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4_000) stderr += chunk;
    });
    const started = setTimeout(() => {
      // Running: let it go on its own (its stderr is not ours to keep open).
      child.stderr.destroy();
      child.unref();
      resolve();
    }, STARTED_AFTER_MS);
    child.once('error', (error) => {
      clearTimeout(started);
      reject(
        new Error(
          'code' in error && error.code === 'ENOENT'
            ? `${command} is not installed, so programs cannot be started outside the tunnel`
            : error.message,
        ),
      );
    });
    child.once('exit', (code) => {
      clearTimeout(started);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            stderr.trim().replace(/^sluice-exclude: /, '') ||
              `sluice-exclude exited with ${code ?? 'a signal'}`,
          ),
        );
    });
  });
}
