import { describe, expect, it } from 'vitest';
import { defaultSettings, settingsFromPb, settingsToPb, type SluiceSettings } from '../src/domain/index.js';
import { Settings } from '../src/gen/sluice/v1/settings.js';

describe('settings wire conversion', () => {
  it('round-trips defaults and a fully set value through protobuf bytes', () => {
    const full: SluiceSettings = {
      lockdownMode: true,
      allowLan: true,
      autoConnect: true,
      dns: { mode: 'custom', customServers: ['9.9.9.9', 'fc00::53'] },
      tunnel: { mtu: 1380, enableIpv6: false, wireguardPort: 53 },
      bypassRanges: ['100.64.0.0/10'],
      relayConstraints: {
        location: { country: 'se', city: 'got' },
        providers: ['31173'],
        ownership: 'owned',
      },
      splitTunnel: { enabled: true, apps: ['/usr/bin/firefox'] },
    };
    for (const settings of [defaultSettings(), full]) {
      const bytes = Settings.encode(settingsToPb(settings)).finish();
      expect(settingsFromPb(Settings.decode(bytes))).toEqual(settings);
    }
  });

  it('defaults are what a new user expects', () => {
    expect(defaultSettings()).toEqual({
      lockdownMode: false,
      allowLan: false,
      autoConnect: false,
      dns: { mode: 'default', customServers: [] },
      tunnel: { mtu: null, enableIpv6: true, wireguardPort: null },
      bypassRanges: [],
      relayConstraints: { location: {}, providers: [], ownership: 'any' },
      splitTunnel: { enabled: false, apps: [] },
    });
  });
});
