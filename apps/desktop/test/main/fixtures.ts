// App states for the main-process tests: the helper reachable or not, and the tunnel in each state.
import { relayListSchema, type TunnelStatus } from '@sluice/api/domain';
import { initialState, type AppState } from '../../src/shared/ipc.js';

export const relay = {
  hostname: 'se-got-wg-001',
  country: 'se',
  city: 'got',
  endpoint: '203.0.113.10:51820',
};

export const relayList = relayListSchema.parse({
  countries: [{ code: 'se', name: 'Sweden', cities: [{ code: 'got', name: 'Gothenburg' }] }],
});

export function stateWith(
  tunnel: Partial<TunnelStatus> & Pick<TunnelStatus, 'state'>,
  extra: Partial<AppState> = {},
): AppState {
  return {
    ...initialState,
    helper: { kind: 'connected', version: '0.1.0' },
    relayList,
    tunnel: { lockedDown: false, ...tunnel },
    ...extra,
  };
}

export const disconnected = stateWith({ state: 'disconnected' });
export const connecting = stateWith({ state: 'connecting', relay });
export const connected = stateWith({
  state: 'connected',
  relay,
  tunnel: { interface: 'wg-sluice', mtu: 1380, rxBytes: 10, txBytes: 20, lastHandshakeAgeMs: 1000 },
});
export const disconnecting = stateWith({ state: 'disconnecting' });
export const blockedError = stateWith({
  state: 'error',
  error: { cause: 'tunnel-setup', message: 'the relay does not answer', blocking: true },
});
export const openError = stateWith({
  state: 'error',
  error: { cause: 'firewall', message: 'nft failed', blocking: false },
});
export const lockedDown = stateWith({ state: 'disconnected', lockedDown: true });
export const helperDown: AppState = {
  ...initialState,
  helper: { kind: 'unreachable', socketPath: '/run/sluice/daemon.sock', message: 'connect ENOENT' },
};
