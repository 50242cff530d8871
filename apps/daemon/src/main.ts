#!/usr/bin/env node
// sluiced: flags, start-up order, signals. The work happens in daemon.ts.
import { Command } from 'commander';
import { ConfigError, resolveConfig, type DaemonFlags } from './config.js';
import { initFirewall, startDaemon } from './daemon.js';

import { createLogger, RotatingFile } from './log.js';
import { ensurePrivateDir } from './util/atomic-file.js';
import { DAEMON_VERSION } from './version.js';

const program = new Command()
  .name('sluiced')
  .description("Sluice's privileged helper: owns the tunnel, routing, DNS, firewall and split tunnelling")
  .version(DAEMON_VERSION)
  .option('--socket <path>', 'gRPC socket (env SLUICE_SOCKET, default /run/sluice/daemon.sock)')
  .option('--state-dir <dir>', 'settings, keys and logs (env SLUICE_STATE_DIR, default /var/lib/sluice)')
  .option('--interface <name>', 'tunnel interface name (env SLUICE_INTERFACE, default wg-sluice)')
  .option('--init-firewall', 'apply the boot-time blocking policy from saved settings and exit')
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const flags = program.opts<DaemonFlags>();
  let config;
  try {
    config = resolveConfig(flags, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sluiced: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Everything the helper writes (settings, keys, logs) is private to root unless chmod'ed on purpose.
  process.umask(0o077);
  try {
    await ensurePrivateDir(config.stateDir);
  } catch (error) {
    process.stderr.write(`sluiced: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logFile = new RotatingFile({ dir: config.logDir });
  const log = createLogger(logFile);

  if (config.initFirewall) {
    try {
      await initFirewall(config, log);
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, '--init-firewall failed');
      process.exit(1);
    }
  }

  const daemon = await startDaemon(config, { log, logFile });
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    daemon.stop().then(
      () => {
        logFile.close();
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`sluiced: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
