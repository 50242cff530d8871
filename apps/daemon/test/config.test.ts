import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../src/config.js';
import { DAEMON_VERSION } from '../src/version.js';

describe('resolveConfig', () => {
  it('uses the documented defaults', () => {
    expect(resolveConfig({}, {})).toEqual({
      socketPath: '/run/sluice/daemon.sock',
      stateDir: '/var/lib/sluice',
      interfaceName: 'wg-sluice',
      dnsBackend: 'auto',
      resolvConfPath: '/etc/resolv.conf',
      logDir: '/var/lib/sluice/logs',
      initFirewall: false,
      whatIsMyIpUrl: 'https://ifconfig.co/json',
      splitTunnelCgroup: 'sluice-exclude',
    });
  });

  it("takes the leak test's what-is-my-IP URL from SLUICE_WHAT_IS_MY_IP_URL, and refuses what is not http(s)", () => {
    expect(resolveConfig({}, { SLUICE_WHAT_IS_MY_IP_URL: 'http://198.51.100.130/ip' }).whatIsMyIpUrl).toBe(
      'http://198.51.100.130/ip',
    );
    expect(() => resolveConfig({}, { SLUICE_WHAT_IS_MY_IP_URL: 'file:///etc/passwd' })).toThrow(
      /not an http\(s\) URL/,
    );
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      SLUICE_SOCKET: '/tmp/a.sock',
      SLUICE_STATE_DIR: '/tmp/state',
      SLUICE_INTERFACE: 'wg-env',
      SLUICE_DNS_BACKEND: 'static',
      SLUICE_RESOLV_CONF: '/tmp/resolv.conf',
    };
    expect(resolveConfig({}, env)).toMatchObject({
      socketPath: '/tmp/a.sock',
      stateDir: '/tmp/state',
      interfaceName: 'wg-env',
      dnsBackend: 'static',
      resolvConfPath: '/tmp/resolv.conf',
      logDir: '/tmp/state/logs',
    });
    expect(
      resolveConfig(
        { socket: '/tmp/b.sock', stateDir: '/tmp/s2', interface: 'wg-flag', initFirewall: true },
        env,
      ),
    ).toMatchObject({
      socketPath: '/tmp/b.sock',
      stateDir: '/tmp/s2',
      interfaceName: 'wg-flag',
      initFirewall: true,
    });
  });

  it.each([
    [{ socket: 'relative.sock' }, {}, /--socket .* absolute path/],
    [{ stateDir: 'state' }, {}, /--state-dir .* absolute path/],
    [{ interface: 'this-name-is-far-too-long' }, {}, /not a valid interface name/],
    [{ interface: 'wg;rm' }, {}, /not a valid interface name/],
    [
      {},
      { SLUICE_DNS_BACKEND: 'dnsmasq' },
      /SLUICE_DNS_BACKEND "dnsmasq" is not one of auto, systemd-resolved, resolvconf, static/,
    ],
    [{}, { SLUICE_RESOLV_CONF: 'resolv.conf' }, /SLUICE_RESOLV_CONF must be an absolute path/],
  ])('refuses %j %j', (flags, env, message) => {
    expect(() => resolveConfig(flags, env)).toThrow(ConfigError);
    expect(() => resolveConfig(flags, env)).toThrow(message);
  });
});

describe('version', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(DAEMON_VERSION).toBe(pkg.version);
  });
});
