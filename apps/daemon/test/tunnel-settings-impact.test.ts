import { defaultSettings } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { settingsImpact } from '../src/tunnel/settings-impact.js';

describe('settings impact', () => {
  const base = defaultSettings();
  it('names what a change means for the tunnel and the firewall', () => {
    expect(settingsImpact(base, base)).toEqual({ tunnel: false, firewall: false });
    expect(settingsImpact(base, { ...base, lockdownMode: true })).toEqual({ tunnel: false, firewall: true });
    expect(settingsImpact(base, { ...base, allowLan: true })).toEqual({ tunnel: false, firewall: true });
    expect(settingsImpact(base, { ...base, bypassRanges: ['100.64.0.0/10'] })).toEqual({
      tunnel: true,
      firewall: true,
    });
    expect(settingsImpact(base, { ...base, tunnel: { ...base.tunnel, mtu: 1300 } })).toEqual({
      tunnel: true,
      firewall: false,
    });
    expect(
      settingsImpact(base, {
        ...base,
        relayConstraints: { ...base.relayConstraints, location: { country: 'se' } },
      }),
    ).toEqual({ tunnel: true, firewall: false });
    expect(settingsImpact(base, { ...base, autoConnect: !base.autoConnect })).toEqual({
      tunnel: false,
      firewall: false,
    });
  });
});
