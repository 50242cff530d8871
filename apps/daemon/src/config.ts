// The helper's configuration from flags and environment (DESIGN.md "Contracts"); flags win over env.
import { isAbsolute, join } from 'node:path';
import { hasControls } from '@sluice/api/domain';

export const DNS_BACKENDS = ['auto', 'systemd-resolved', 'resolvconf', 'static'] as const;
export type DnsBackendChoice = (typeof DNS_BACKENDS)[number];

export interface DaemonConfig {
  socketPath: string;
  stateDir: string;
  interfaceName: string;
  dnsBackend: DnsBackendChoice;
  resolvConfPath: string;
  logDir: string;
  initFirewall: boolean;
  /** Where the leak self-test asks which address the world sees (JSON {"ip": "..."}). */
  whatIsMyIpUrl: string;
  /** The exclusion cgroup's name (one per helper: two labs on one machine never share one). */
  splitTunnelCgroup: string;
}

export const DEFAULT_WHAT_IS_MY_IP_URL = 'https://ifconfig.co/json';

export interface DaemonFlags {
  socket?: string;
  stateDir?: string;
  interface?: string;
  initFirewall?: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

// Linux caps interface names at 15 bytes (IFNAMSIZ - 1); nft and ip also need a conservative alphabet.
const INTERFACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/;
const CGROUP_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

export function resolveConfig(flags: DaemonFlags, env: NodeJS.ProcessEnv): DaemonConfig {
  const socketPath = flags.socket ?? env.SLUICE_SOCKET ?? '/run/sluice/daemon.sock';
  const stateDir = flags.stateDir ?? env.SLUICE_STATE_DIR ?? '/var/lib/sluice';
  const interfaceName = flags.interface ?? env.SLUICE_INTERFACE ?? 'wg-sluice';
  const dnsBackend = env.SLUICE_DNS_BACKEND ?? 'auto';
  const resolvConfPath = env.SLUICE_RESOLV_CONF ?? '/etc/resolv.conf';
  const whatIsMyIpUrl = env.SLUICE_WHAT_IS_MY_IP_URL ?? DEFAULT_WHAT_IS_MY_IP_URL;
  const splitTunnelCgroup = env.SLUICE_SPLIT_TUNNEL_CGROUP ?? 'sluice-exclude';

  if (!isAbsolute(socketPath))
    throw new ConfigError(`--socket / SLUICE_SOCKET must be an absolute path, got "${socketPath}"`);
  if (!isAbsolute(stateDir))
    throw new ConfigError(`--state-dir / SLUICE_STATE_DIR must be an absolute path, got "${stateDir}"`);
  if (!isAbsolute(resolvConfPath))
    throw new ConfigError(`SLUICE_RESOLV_CONF must be an absolute path, got "${resolvConfPath}"`);
  if (!INTERFACE_NAME.test(interfaceName)) {
    throw new ConfigError(
      `--interface / SLUICE_INTERFACE "${interfaceName}" is not a valid interface name; use 1-15 letters, digits, "_", "." or "-"`,
    );
  }
  if (!isHttpUrl(whatIsMyIpUrl)) {
    throw new ConfigError(
      `SLUICE_WHAT_IS_MY_IP_URL "${whatIsMyIpUrl}" is not an http(s) URL; it must answer JSON {"ip": "..."}`,
    );
  }
  if (!CGROUP_NAME.test(splitTunnelCgroup)) {
    throw new ConfigError(
      `SLUICE_SPLIT_TUNNEL_CGROUP "${splitTunnelCgroup}" is not a cgroup name; use 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
  if (!(DNS_BACKENDS as readonly string[]).includes(dnsBackend)) {
    throw new ConfigError(`SLUICE_DNS_BACKEND "${dnsBackend}" is not one of ${DNS_BACKENDS.join(', ')}`);
  }
  return {
    socketPath,
    stateDir,
    interfaceName,
    dnsBackend: dnsBackend as DnsBackendChoice,
    resolvConfPath,
    logDir: join(stateDir, 'logs'),
    initFirewall: flags.initFirewall ?? false,
    whatIsMyIpUrl,
    splitTunnelCgroup,
  };
}

/** An http(s) URL of at most 2,000 characters, without spaces or control characters. */
export function isHttpUrl(text: string): boolean {
  return text.length <= 2_000 && !hasControls(text) && /^https?:\/\/\S+$/.test(text);
}
