// Small intent-named system steps (after Tailscale's router): each does one thing, says what it is for,
// and knows how to undo itself. Applying a list rolls back what it did when a later step fails, so a
// half-finished `up` leaves nothing behind (as wg-quick does).
import type { Runner } from './exec.js';

export interface Step {
  /** What the step is for, in words: it prefixes any error. */
  intent: string;
  argv: string[];
  /** The command that undoes it; absent when there is nothing to undo. */
  undo?: string[];
  input?: string;
  /** Exit codes that mean "already so" (e.g. flushing an empty table). */
  okCodes?: number[];
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

/** Run `steps` in order; on failure undo the ones done (newest first) and throw the first error. */
export async function applySteps(runner: Runner, steps: readonly Step[]): Promise<Step[]> {
  const done: Step[] = [];
  for (const step of steps) {
    try {
      await runner.run(step.argv, {
        ...(step.input === undefined ? {} : { input: step.input }),
        ...(step.okCodes ? { okCodes: step.okCodes } : {}),
      });
      done.push(step);
    } catch (error) {
      await undoSteps(runner, done);
      throw new StepError(step.intent, error);
    }
  }
  return done;
}

/** Undo `steps` newest first. Undo is best effort: it keeps going and returns what failed. */
export async function undoSteps(runner: Runner, steps: readonly Step[]): Promise<StepError[]> {
  const failures: StepError[] = [];
  for (const step of [...steps].reverse()) {
    if (!step.undo) continue;
    try {
      await runner.run(step.undo);
    } catch (error) {
      failures.push(new StepError(`undo: ${step.intent}`, error));
    }
  }
  return failures;
}
