// Builds the configured DNS backend.
import type { Logger } from 'pino';
import type { DaemonConfig } from '../../config.js';
import type { Runner } from '../exec.js';
import { chooseDnsBackend, detectionFacts, type DnsBackend } from './backend.js';
import { ResolvconfDns } from './resolvconf.js';
import { StaticFileDns } from './static-file.js';
import { SystemdResolvedDns } from './systemd-resolved.js';

export type { DnsBackend, DnsBackendName } from './backend.js';

export async function createDnsBackend(
  config: DaemonConfig,
  runner: Runner,
  log: Logger,
): Promise<DnsBackend> {
  const name = chooseDnsBackend(config.dnsBackend, await detectionFacts(config.resolvConfPath));
  switch (name) {
    case 'systemd-resolved':
      return new SystemdResolvedDns(runner);
    case 'resolvconf':
      return new ResolvconfDns(runner, config.interfaceName);
    case 'static':
      return new StaticFileDns(config.resolvConfPath, config.stateDir, log);
  }
}
