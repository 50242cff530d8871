// Small intent-named `ip` steps (after Tailscale's router): each does one thing, says what it is for,
// and knows how to undo itself. A list of steps runs as `ip -batch -` (one process, not one per step:
// each spawn costs milliseconds on the connect path); a batch that fails part-way says which line, so
// exactly the steps before it are undone and a half-finished `up` leaves nothing behind (as wg-quick).
import type { Runner } from './exec.js';

export interface Step {
  /** What the step is for, in words: it prefixes any error. */
  intent: string;
  /** `ip` arguments, e.g. ['address', 'add', '10.64.0.2/32', 'dev', 'wg0']. */
  args: string[];
  /** The arguments that undo it; absent when there is nothing to undo. */
  undo?: string[];
  /**
   * An IPv6 policy rule. `ip rule` needs `-6` for those; every other command takes its family from its
   * addresses (`route add ::/0`), so all the rest share one batch.
   */
  ipv6Rule?: boolean;
  /**
   * Removed by the kernel with the link (its addresses, MTU, up state). Routes through the link are
   * not marked: a tear-down removes them itself, so routing is gone before the device is.
   */
  ownedByLink?: boolean;
}

export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    readonly intent: string,
    override readonly cause: unknown,
  ) {
    super(`${intent}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

type Group = 'ip' | 'ip6-rule';

const groupOf = (step: Step): Group => (step.ipv6Rule ? 'ip6-rule' : 'ip');

function batchArgv(group: Group, force: boolean): string[] {
  return ['ip', ...(group === 'ip6-rule' ? ['-6'] : []), ...(force ? ['-force'] : []), '-batch', '-'];
}

/** What `ip -batch` printed for each failed line: `{ line (1-based), message }`. */
export function batchFailures(stderr: string): { line: number; message: string }[] {
  const failures: { line: number; message: string }[] = [];
  let pending: string[] = [];
  for (const raw of stderr.split('\n')) {
    const text = raw.trim();
    if (text === '') continue;
    const failed = /^Command failed \S*:(\d+)$/.exec(text);
    if (failed) {
      failures.push({ line: Number(failed[1]), message: pending.join('; ') || 'failed' });
      pending = [];
    } else pending.push(text);
  }
  return failures;
}

function split(steps: readonly Step[]): Map<Group, Step[]> {
  const groups = new Map<Group, Step[]>();
  for (const step of steps) groups.set(groupOf(step), [...(groups.get(groupOf(step)) ?? []), step]);
  return groups;
}

interface GroupResult {
  done: Step[];
  failure?: StepError;
}

async function runGroup(
  runner: Runner,
  group: Group,
  steps: Step[],
  signal: AbortSignal | undefined,
): Promise<GroupResult> {
  const input = steps.map((step) => step.args.join(' ')).join('\n') + '\n';
  try {
    const result = await runner.run(batchArgv(group, false), {
      input,
      okCodes: [1],
      ...(signal ? { signal } : {}),
    });
    if (result.code === 0) return { done: steps };
    const [first] = batchFailures(result.stderr);
    const index = first ? first.line - 1 : steps.length - 1;
    const failed = steps[Math.min(Math.max(index, 0), steps.length - 1)];
    return {
      done: first ? steps.slice(0, index) : steps,
      failure: new StepError(failed?.intent ?? 'ip', new Error(first?.message ?? result.stderr.trim())),
    };
  } catch (error) {
    // The batch did not finish (cancelled, timed out): any of its lines may have run.
    return { done: steps, failure: new StepError(steps[0]?.intent ?? 'ip', error) };
  }
}

/**
 * Run `steps` (in order within each batch; IPv6 rules in a second batch run alongside) and return
 * them. On failure the steps that ran are undone and the first error is thrown.
 */
export async function applySteps(
  runner: Runner,
  steps: readonly Step[],
  signal?: AbortSignal,
): Promise<Step[]> {
  if (steps.length === 0) return [];
  const results = await Promise.all(
    [...split(steps)].map(([group, groupSteps]) => runGroup(runner, group, groupSteps, signal)),
  );
  const failure = results.find((r) => r.failure)?.failure;
  const ran = new Set(results.flatMap((r) => r.done));
  const done = steps.filter((step) => ran.has(step));
  if (failure) {
    await undoSteps(runner, done);
    throw failure;
  }
  return done;
}

/**
 * Undo `steps` newest first, in one forced batch per group (a failing line does not stop the rest).
 * With `linkRemoved`, steps the kernel removed with the link are skipped. Best effort: returns what
 * failed.
 */
export async function undoSteps(
  runner: Runner,
  steps: readonly Step[],
  options: { linkRemoved?: boolean } = {},
): Promise<StepError[]> {
  const undoable = [...steps]
    .reverse()
    .filter((step) => step.undo !== undefined && !(options.linkRemoved && step.ownedByLink));
  const failures = await Promise.all(
    [...split(undoable)].map(async ([group, groupSteps]) => {
      const input = groupSteps.map((step) => (step.undo ?? []).join(' ')).join('\n') + '\n';
      try {
        const result = await runner.run(batchArgv(group, true), { input, okCodes: [1] });
        return batchFailures(result.stderr).map(
          ({ line, message }) =>
            new StepError(`undo: ${groupSteps[line - 1]?.intent ?? `line ${line}`}`, new Error(message)),
        );
      } catch (error) {
        return [new StepError(`undo: ${groupSteps[0]?.intent ?? 'ip'}`, error)];
      }
    }),
  );
  return failures.flat();
}
