// The problem report: what a maintainer needs (versions, backends, settings, relay, log), with WireGuard
// keys, IPv4 and IPv6 addresses and the home folder taken out, and log times and versions left alone.
import { defaultSettings } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { problemReport, redact } from '../../src/main/problem-report.js';

describe('redact', () => {
  it('takes out keys, addresses and the home folder', () => {
    const key = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
    expect(redact(`PrivateKey = ${key}`)).toBe('PrivateKey = [key]');
    expect(redact('endpoint 198.51.100.20:51820, dns 10.64.0.1')).toBe('endpoint [ipv4]:51820, dns [ipv4]');
    expect(redact('via 2001:db8::1 and fe80::1%eth0 and 2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(
      'via [ipv6] and [ipv6]%eth0 and [ipv6]',
    );
    expect(redact('read /home/ada/.config/Sluice/prefs.json', '/home/ada')).toBe(
      'read ~/.config/Sluice/prefs.json',
    );
  });

  it('leaves times, versions and rule names', () => {
    const text = '12:03:04 connected in 0.42 s, helper 0.1.0, rule dns-reject-udp, mtu 1380';
    expect(redact(text)).toBe(text);
  });
});

describe('problemReport', () => {
  it('has each section, and no address from settings, tunnel or log', () => {
    const settings = defaultSettings();
    settings.dns = { mode: 'custom', customServers: ['9.9.9.9'] };
    settings.bypassRanges = ['100.64.0.0/10'];
    const text = problemReport({
      appVersion: '0.1.0',
      appPlatform: 'linux 6.1.0',
      helper: { version: '0.1.0', platform: 'linux', wireguardBackend: 'wireguard-go', dnsBackend: 'static' },
      settings,
      tunnel: {
        state: 'connected',
        lockedDown: false,
        relay: { hostname: 'se-got-wg-001', country: 'se', city: 'got', endpoint: '198.51.100.20:51820' },
        tunnel: { interface: 'sluice0', mtu: 1380, rxBytes: 1, txBytes: 2, lastHandshakeAgeMs: 1000 },
      },
      logLines: ['{"level":30,"msg":"connected to 198.51.100.20 via 10.64.0.1"}'],
    });
    for (const heading of ['## Versions', '## Tunnel', '## Settings', '## Helper log (last 1 lines)']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('helper: 0.1.0 on linux; WireGuard: wireguard-go; DNS: static');
    expect(text).toContain('relay: se-got-wg-001 (se got)');
    expect(text).toContain('DNS: custom (1 server(s))');
    expect(text).toContain('bypass ranges: 1');
    expect(text).not.toMatch(/9\.9\.9\.9|198\.51\.100\.20|10\.64\.0\.1|100\.64\.0\.0/);
  });

  it('says when the helper did not answer', () => {
    const text = problemReport({
      appVersion: '0.1.0',
      appPlatform: 'linux',
      settings: undefined,
      tunnel: { state: 'disconnected', lockedDown: false },
      logLines: [],
    });
    expect(text).toContain('helper: not reachable');
    expect(text).toContain('settings: not received from the helper');
  });
});
