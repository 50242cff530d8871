// Pure parsing of `iperf3 -J` output (TCP tests): the receiver's rate, the sender's, retransmits, CPU use
// and which addresses the connection used (so a run proves which path it took).

export interface IperfResult {
  /** upload: client to server; download: server to client (`-R`). */
  direction: 'upload' | 'download';
  seconds: number;
  /** What the receiving side got, bits per second (the figure the bench reports). */
  receivedBitsPerSecond: number;
  sentBitsPerSecond: number;
  bytesReceived: number;
  /** TCP retransmits on the sending side, when iperf3 reports them. */
  retransmits: number | null;
  localHost: string;
  remoteHost: string;
  /** CPU use in percent of one run, as iperf3 measures it (host: the client, remote: the server). */
  cpuHostPercent: number | null;
  cpuRemotePercent: number | null;
}

export class IperfOutputError extends Error {
  override name = 'IperfOutputError';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(parent: Json, key: string, where: string): Json {
  const value = parent[key];
  if (!isObject(value)) throw new IperfOutputError(`iperf3 JSON has no object ${where}.${key}`);
  return value;
}

function numberAt(parent: Json, key: string, where: string): number {
  const value = parent[key];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new IperfOutputError(`iperf3 JSON has no number ${where}.${key}`);
  return value;
}

function optionalNumber(parent: Json | undefined, key: string): number | null {
  const value = parent?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Parse one `iperf3 -c … -J` run. Throws IperfOutputError with iperf3's own message when it failed. */
export function parseIperf3Json(text: string): IperfResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IperfOutputError(`iperf3 did not print JSON: ${text.trim().slice(0, 200)}`);
  }
  if (!isObject(parsed)) throw new IperfOutputError('iperf3 JSON is not an object');
  if (typeof parsed.error === 'string') throw new IperfOutputError(`iperf3: ${parsed.error}`);

  const start = objectAt(parsed, 'start', '');
  const connected = start.connected;
  const firstConnection: unknown = Array.isArray(connected) ? (connected as unknown[])[0] : undefined;
  if (!isObject(firstConnection)) throw new IperfOutputError('iperf3 JSON has no start.connected[0]');
  const localHost = firstConnection.local_host;
  const remoteHost = firstConnection.remote_host;
  if (typeof localHost !== 'string' || typeof remoteHost !== 'string')
    throw new IperfOutputError('iperf3 JSON has no local_host/remote_host in start.connected[0]');
  const testStart = objectAt(start, 'test_start', 'start');
  const reverse = numberAt(testStart, 'reverse', 'start.test_start') !== 0;

  const end = objectAt(parsed, 'end', '');
  const sent = objectAt(end, 'sum_sent', 'end');
  const received = objectAt(end, 'sum_received', 'end');
  const cpu = isObject(end.cpu_utilization_percent) ? end.cpu_utilization_percent : undefined;
  return {
    direction: reverse ? 'download' : 'upload',
    seconds: numberAt(received, 'seconds', 'end.sum_received'),
    receivedBitsPerSecond: numberAt(received, 'bits_per_second', 'end.sum_received'),
    sentBitsPerSecond: numberAt(sent, 'bits_per_second', 'end.sum_sent'),
    bytesReceived: numberAt(received, 'bytes', 'end.sum_received'),
    retransmits: optionalNumber(sent, 'retransmits'),
    localHost,
    remoteHost,
    cpuHostPercent: optionalNumber(cpu, 'host_total'),
    cpuRemotePercent: optionalNumber(cpu, 'remote_total'),
  };
}

/** Bits per second as Mbit/s (10^6). */
export function toMbits(bitsPerSecond: number): number {
  return bitsPerSecond / 1e6;
}
