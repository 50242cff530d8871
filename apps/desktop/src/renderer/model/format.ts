// Small formatters for the details panel.

/** A handshake age in words: "just now", "42 s ago", "3 min ago", "never". */
export function formatHandshakeAge(ageMs: number | null): string {
  if (ageMs === null) return 'never';
  const seconds = Math.floor(ageMs / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 120) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

/** "1 relay", "12 relays". */
export function countRelays(n: number): string {
  return n === 1 ? '1 relay' : `${n} relays`;
}
