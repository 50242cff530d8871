// The few types the tunnel's parts share (the driver, the state machine, an attempt, a session), so
// the parts import this and never the driver: the arrows run one way, driver -> parts -> net.
import type { DeviceStats } from './device.js';

export type Family = 4 | 6;

export interface RelaySummary {
  hostname: string;
  country: string;
  city: string;
  endpoint: string;
  publicKey: string;
}

export type ErrorCause =
  'no-relay' | 'no-identity' | 'tunnel-setup' | 'firewall' | 'dns' | 'routing' | 'split-tunnel' | 'internal';

/** A failed attempt, with the error cause the user sees and whether another attempt may help. */
export class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';
  constructor(
    override readonly cause: ErrorCause,
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** The attempt was cancelled (a newer request); it undid what it had done. */
export class AttemptCancelled extends Error {
  override readonly name = 'AttemptCancelled';
  constructor() {
    super('cancelled');
  }
}

/** Whether `signal` has fired (a call, so the compiler does not assume it unchanged across awaits). */
export function isCancelled(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Throws AttemptCancelled once `signal` has fired: called between an attempt's steps. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new AttemptCancelled();
}

/** Live details of the connected tunnel. */
export interface TunnelInfo {
  interfaceName: string;
  mtu: number;
  addresses: string[];
  stats: DeviceStats;
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
