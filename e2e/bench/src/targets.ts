// The issues' targets, checked against one run's figures. Pure: figures in, verdicts out. Every target is
// "at most": Sluice's median over wg-quick's, or the CLI's over `node -e 0`'s (ratio), Sluice's median in
// milliseconds (ms), a count, or sluiced's own footprint (MiB of RSS, its growth in MiB per minute, CPU
// in percent of one core).

export type TargetId =
  | 'timeToFirstByte'
  | 'timeToConnected'
  | 'disconnect'
  | 'relaySwitch'
  | 'relayDeath'
  | 'idleFalseReconnects'
  | 'cliStatus'
  | 'cliStatusNoHelper'
  | 'helperRssIdle'
  | 'helperRssConnected'
  | 'helperRssGrowth'
  | 'helperCpuIdle'
  | 'eventFanOut'
  | 'rendererSearch'
  | 'rendererSearchP95'
  | 'rendererOpen'
  | 'rendererBundle';

export type TargetKind = 'ratio' | 'ms' | 'count' | 'MiB' | 'MiB/min' | 'percent';

export type TargetStatus = 'met' | 'not met' | 'skipped';

export interface TargetSpec {
  id: TargetId;
  label: string;
  kind: TargetKind;
  /** The figure must be at most this. */
  limit: number;
}

export interface TargetResult extends TargetSpec {
  /** The figure, null when there is none (not measured, or the phase failed before any run). */
  value: number | null;
  status: TargetStatus;
  /** Why it is not met or was skipped, when the figure alone does not say. */
  note: string | null;
}

export const TARGETS: Readonly<Record<TargetId, TargetSpec>> = {
  timeToFirstByte: {
    id: 'timeToFirstByte',
    label: 'Connect to first byte through the tunnel, vs `wg-quick up`',
    kind: 'ratio',
    limit: 1.0,
  },
  timeToConnected: {
    id: 'timeToConnected',
    label: 'Connect to the verified "connected" event, vs `wg-quick up`',
    kind: 'ratio',
    limit: 1.2,
  },
  disconnect: {
    id: 'disconnect',
    label: 'Disconnect to "disconnected", vs `wg-quick down`',
    kind: 'ratio',
    limit: 1.0,
  },
  relaySwitch: {
    id: 'relaySwitch',
    label: 'Relay switch, connected to connected, vs `wg-quick down` + `wg-quick up`',
    kind: 'ratio',
    limit: 1.0,
  },
  relayDeath: {
    id: 'relayDeath',
    label: 'Relay death to connected via another relay (no wg-quick counterpart)',
    kind: 'ms',
    limit: 5000,
  },
  idleFalseReconnects: {
    id: 'idleFalseReconnects',
    label: 'False reconnects of an idle, healthy tunnel',
    kind: 'count',
    limit: 0,
  },
  cliStatus: {
    id: 'cliStatus',
    label: '`sluice status` with the helper running, vs `node -e 0`',
    kind: 'ratio',
    limit: 1.6,
  },
  cliStatusNoHelper: {
    id: 'cliStatusNoHelper',
    label: '`sluice status --json` with no helper (exit code 3), vs `node -e 0`',
    kind: 'ratio',
    limit: 1.6,
  },
  helperRssIdle: {
    id: 'helperRssIdle',
    label: 'sluiced RSS idle after start, 577 relays loaded',
    kind: 'MiB',
    // The issue's 50 MB, read as 10^6 bytes (47.68 MiB), to the tenth below: the stricter reading.
    limit: 47.6,
  },
  helperRssConnected: {
    id: 'helperRssConnected',
    label: 'sluiced RSS connected, at the end of the window with a stats listener',
    kind: 'MiB',
    // The issue's 55 MB (52.45 MiB), as above.
    limit: 52.4,
  },
  helperRssGrowth: {
    id: 'helperRssGrowth',
    label: 'sluiced RSS growth while connected (least-squares slope of the second half of the window)',
    kind: 'MiB/min',
    // "Not growing": a leak of 6 MiB an hour is over it; the saw-tooth of garbage collection is not.
    limit: 0.1,
  },
  helperCpuIdle: {
    id: 'helperCpuIdle',
    label: 'sluiced CPU, connected and idle, no listener',
    kind: 'percent',
    limit: 0.2,
  },
  eventFanOut: {
    id: 'eventFanOut',
    label: 'A setting change to the last of 50 EventsListen subscribers receiving it (median)',
    kind: 'ms',
    limit: 20,
  },
  rendererSearch: {
    id: 'rendererSearch',
    label: 'Location search, 5,000 relays, per keystroke in Chromium (median)',
    kind: 'ms',
    limit: 16,
  },
  rendererSearchP95: {
    id: 'rendererSearchP95',
    label: 'Location search, 5,000 relays, per keystroke in Chromium (p95)',
    kind: 'ms',
    limit: 33,
  },
  rendererOpen: {
    id: 'rendererOpen',
    label: 'Select location opened, 5,000 relays, to the list painted (median)',
    kind: 'ms',
    limit: 100,
  },
  rendererBundle: {
    id: 'rendererBundle',
    label: 'Renderer JavaScript (gzip) vs the committed baseline (over 1.1: say why in the issue note)',
    kind: 'ratio',
    limit: 1.1,
  },
};

/** The renderer at scale (the fixture scaled to 5,000 relays), measured in Chromium without a helper. */
export const RENDERER_TARGETS = [
  'rendererSearch',
  'rendererSearchP95',
  'rendererOpen',
  'rendererBundle',
] as const satisfies readonly TargetId[];

export type RendererTargetId = (typeof RENDERER_TARGETS)[number];

/** sluiced's own footprint: memory, CPU, event fan-out. */
export const HELPER_FOOTPRINT_TARGETS = [
  'helperRssIdle',
  'helperRssConnected',
  'helperRssGrowth',
  'helperCpuIdle',
  'eventFanOut',
] as const satisfies readonly TargetId[];

export type HelperFootprintTargetId = (typeof HELPER_FOOTPRINT_TARGETS)[number];

/** The CLI's figures and sluiced's footprint, which `--only footprint` measures alone. */
export const FOOTPRINT_TARGETS = [
  'cliStatus',
  'cliStatusNoHelper',
  ...HELPER_FOOTPRINT_TARGETS,
  ...RENDERER_TARGETS,
] as const satisfies readonly TargetId[];

export type FootprintTargetId = (typeof FOOTPRINT_TARGETS)[number];

/** The order targets are listed in. */
export const TARGET_ORDER: readonly TargetId[] = [
  'timeToConnected',
  'timeToFirstByte',
  'disconnect',
  'relaySwitch',
  'relayDeath',
  'idleFalseReconnects',
  ...FOOTPRINT_TARGETS,
];

export interface TargetInput {
  value: number | null;
  /** The phase did not run (its option was 0). */
  skipped?: string;
  /** The phase failed or is incomplete: not met, whatever the figure of the runs that completed. */
  failure?: string | null;
}

/** One target's verdict: met when there is a figure, nothing failed, and the figure is at most the limit. */
export function checkTarget(id: TargetId, input: TargetInput): TargetResult {
  const spec = TARGETS[id];
  if (input.skipped !== undefined) return { ...spec, value: null, status: 'skipped', note: input.skipped };
  const value = input.value;
  if (input.failure !== undefined && input.failure !== null)
    return { ...spec, value, status: 'not met', note: input.failure };
  if (value === null || !Number.isFinite(value))
    return { ...spec, value: null, status: 'not met', note: 'not measured' };
  return { ...spec, value, status: value <= spec.limit ? 'met' : 'not met', note: null };
}

export function checkTargets(inputs: Readonly<Record<TargetId, TargetInput>>): TargetResult[] {
  return TARGET_ORDER.map((id) => checkTarget(id, inputs[id]));
}

export interface TargetCount {
  met: number;
  /** Targets checked (skipped ones are not). */
  of: number;
  skipped: number;
}

export function countTargets(results: readonly TargetResult[]): TargetCount {
  const checked = results.filter((r) => r.status !== 'skipped');
  return {
    met: checked.filter((r) => r.status === 'met').length,
    of: checked.length,
    skipped: results.length - checked.length,
  };
}

/** "Targets met: 4 of 6", with the skipped ones when there are. */
export function targetSummaryLine(count: TargetCount): string {
  return `Targets met: ${count.met} of ${count.of}${count.skipped === 0 ? '' : ` (${count.skipped} skipped)`}`;
}

/** The target as a table cell: "<= 1.20x", "<= 5000 ms", "0", "<= 47.6 MiB", "<= 0.1 MiB/min", "<= 0.2 %". */
export function formatLimit(spec: TargetSpec): string {
  if (spec.kind === 'ratio') return `<= ${spec.limit.toFixed(2)}x`;
  if (spec.kind === 'ms') return `<= ${spec.limit} ms`;
  if (spec.kind === 'MiB' || spec.kind === 'MiB/min') return `<= ${spec.limit} ${spec.kind}`;
  if (spec.kind === 'percent') return `<= ${spec.limit} %`;
  return spec.limit === 0 ? '0' : `<= ${spec.limit}`;
}

/** A footprint figure in its unit, to the precision its target needs: "48.3 MiB", "0.02 MiB/min", "0.13 %". */
export function formatFigure(value: number | null, kind: TargetKind): string {
  if (value === null) return 'n/a';
  if (kind === 'MiB') return `${value.toFixed(1)} MiB`;
  if (kind === 'MiB/min') return `${value.toFixed(3)} MiB/min`;
  if (kind === 'percent') return `${value.toFixed(3)} %`;
  if (kind === 'ms') return `${value.toFixed(1)} ms`;
  if (kind === 'ratio') return `${value.toFixed(2)}x`;
  return String(value);
}

/** The met column: "yes", "NO", "skipped". */
export function formatStatus(status: TargetStatus): string {
  return status === 'met' ? 'yes' : status === 'skipped' ? 'skipped' : 'NO';
}

/**
 * A ratio next to its limit: two decimals, or three when two would print the limit itself for a ratio on
 * the other side of it (1.004x is not met, yet prints as 1.00x).
 */
export function formatRatioAgainst(value: number | null, limit: number): string {
  if (value === null) return 'n/a';
  const two = value.toFixed(2);
  return two === limit.toFixed(2) && value !== limit ? `${value.toFixed(3)}x` : `${two}x`;
}
