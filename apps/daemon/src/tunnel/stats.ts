// What a WireGuard device reports about itself, in the same shape for both backends.

export interface PeerStats {
  publicKey: string;
  /** Where the peer's packets come from / go to, as the device reports it; null if not known yet. */
  endpoint: string | null;
  allowedIps: string[];
  rxBytes: number;
  txBytes: number;
  /** Milliseconds since the latest handshake; null if there has been none. */
  lastHandshakeAgeMs: number | null;
}

export interface DeviceStats {
  listenPort: number;
  fwmark: number;
  /** Sums over the peers (there is one: the relay). */
  rxBytes: number;
  txBytes: number;
  /** The most recent handshake over the peers; null if none. */
  lastHandshakeAgeMs: number | null;
  peers: PeerStats[];
}

/** Totals over the peers, as DeviceStats carries them. */
export function summarizeStats(listenPort: number, fwmark: number, peers: PeerStats[]): DeviceStats {
  const ages = peers.map((p) => p.lastHandshakeAgeMs).filter((age): age is number => age !== null);
  return {
    listenPort,
    fwmark,
    rxBytes: peers.reduce((sum, p) => sum + p.rxBytes, 0),
    txBytes: peers.reduce((sum, p) => sum + p.txBytes, 0),
    lastHandshakeAgeMs: ages.length > 0 ? Math.min(...ages) : null,
    peers,
  };
}
