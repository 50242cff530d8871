// The bench's command line: --runs, --warmup, --iperf-seconds, --iperf-runs, --death-runs, --idle-seconds,
// --cli-runs, --connected-minutes, --only, --json, --help.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Timed runs per measurement and tool (connect, first byte). */
  runs: number;
  /** Untimed runs per tool before the timed ones. */
  warmupRuns: number;
  /** Length of each iperf3 test. */
  iperfSeconds: number;
  /** iperf3 tests per path and direction. */
  iperfRuns: number;
  /** Timed relay deaths (kill the connected relay, time to connected via the other); 0 skips them. */
  deathRuns: number;
  /** Length of the idle window watched for false reconnects; 0 skips it. */
  idleSeconds: number;
  /** Timed rounds of the CLI start-up figures (each round: `node -e 0` and the CLI commands). */
  cliRuns: number;
  /** Minutes sluiced stays connected with a stats listener while its RSS is sampled. */
  connectedMinutes: number;
  /** Only these figures (`footprint`: the CLI's start-up and sluiced's footprint); null: all. */
  only: 'footprint' | null;
  /** Where the machine-readable results go. */
  jsonPath: string;
}

export const DEFAULT_JSON_PATH = resolve(import.meta.dirname, '..', 'results', 'latest.json');
/** `--only footprint` does not overwrite the full run's results. */
export const DEFAULT_FOOTPRINT_JSON_PATH = resolve(import.meta.dirname, '..', 'results', 'footprint.json');

/** The connected window: the 10 minutes in the full bench, a shorter look with --only footprint. */
export const FULL_CONNECTED_MINUTES = 10;
export const FOOTPRINT_CONNECTED_MINUTES = 2;

export const USAGE = `usage: npm run bench -- [options]   (or: node e2e/bench/dist/main.js [options]; needs root)

Measures Sluice against wg-quick (wireguard-go) in a network lab with two relays: time to connected, time
to the first HTTP byte through the tunnel, disconnect, relay switch, iperf3 throughput (also on the direct
path); and for Sluice alone, recovery from a relay's death and false reconnects of an idle tunnel; and
the CLI's start-up (\`sluice status\` with and without a helper, against \`node -e 0\`); and sluiced's
footprint (RSS idle with 577 relays and connected, CPU when idle, event fan-out to 50 subscribers).
Each figure that has a target is printed with it and marked met or not.

  --runs N            timed runs of each latency measurement and tool, relay switches included (default 10)
  --warmup N          untimed runs before them (default 1)
  --iperf-seconds S   length of each iperf3 test (default 5)
  --iperf-runs N      iperf3 tests per path and direction (default 3)
  --death-runs N      timed relay deaths, Sluice only (default 5; 0 skips them)
  --idle-seconds S    idle window watched for false reconnects, Sluice only (default 600; 0 skips it)
  --cli-runs N        timed rounds of the CLI start-up figures (default 20)
  --connected-minutes N
                      sluiced connected with a stats listener while its RSS is sampled (default
                      ${FULL_CONNECTED_MINUTES}; with --only footprint ${FOOTPRINT_CONNECTED_MINUTES})
  --only footprint    only the CLI start-up and sluiced footprint figures (a lab with one relay;
                      about ${FOOTPRINT_CONNECTED_MINUTES + 3} minutes)
  --json PATH         results as JSON (default ${DEFAULT_JSON_PATH},
                      with --only footprint ${DEFAULT_FOOTPRINT_JSON_PATH})
  -h, --help          this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
  return value;
}

/** Parse argv (without node and the script); null means --help. */
export function parseBenchOptions(argv: readonly string[], cwd = process.cwd()): BenchOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        runs: { type: 'string' },
        warmup: { type: 'string' },
        'iperf-seconds': { type: 'string' },
        'iperf-runs': { type: 'string' },
        'death-runs': { type: 'string' },
        'idle-seconds': { type: 'string' },
        'cli-runs': { type: 'string' },
        'connected-minutes': { type: 'string' },
        only: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return null;
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const json = text('json');
  const only = text('only');
  if (only !== undefined && only !== 'footprint')
    throw new UsageError(
      `--only takes footprint (the CLI start-up and sluiced footprint figures), got ${only}`,
    );
  return {
    runs: integer('runs', text('runs'), 10, 1, 1000),
    warmupRuns: integer('warmup', text('warmup'), 1, 0, 100),
    iperfSeconds: integer('iperf-seconds', text('iperf-seconds'), 5, 1, 600),
    iperfRuns: integer('iperf-runs', text('iperf-runs'), 3, 0, 100),
    deathRuns: integer('death-runs', text('death-runs'), 5, 0, 100),
    idleSeconds: integer('idle-seconds', text('idle-seconds'), 600, 0, 86_400),
    cliRuns: integer('cli-runs', text('cli-runs'), 20, 1, 1000),
    connectedMinutes: integer(
      'connected-minutes',
      text('connected-minutes'),
      only === undefined ? FULL_CONNECTED_MINUTES : FOOTPRINT_CONNECTED_MINUTES,
      1,
      240,
    ),
    only: only ?? null,
    jsonPath:
      json !== undefined
        ? resolve(cwd, json)
        : only === undefined
          ? DEFAULT_JSON_PATH
          : DEFAULT_FOOTPRINT_JSON_PATH,
  };
}
