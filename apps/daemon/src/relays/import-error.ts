// The error a bad import ends with: every problem found, each naming its file, its line or JSON path, and
// what was expected. It is a ValidationError so the RPC layer answers INVALID_ARGUMENT with the text.
import { ValidationError } from '@sluice/api/domain';

export interface ImportProblem {
  /** The file's name as the caller gave it. */
  file: string;
  /** 1-based line (wg-quick files, JSON syntax errors). */
  line?: number;
  /** Where in a JSON document, e.g. `countries[2].cities[0].relays[5].publicKey`. */
  path?: string;
  /** What is wrong and what was expected. */
  message: string;
}

/** Where a problem is, in words: `se-got-wg-001.conf, line 7` or `relays.json, countries[0].code`. */
export function problemPlace(problem: ImportProblem): string {
  const parts = [problem.file];
  if (problem.line !== undefined) parts.push(`line ${problem.line}`);
  if (problem.path !== undefined) parts.push(problem.path);
  return parts.join(', ');
}

export function formatProblem(problem: ImportProblem): string {
  return `${problemPlace(problem)}: ${problem.message}`;
}

// A user importing a folder of broken files wants to see the pattern, not a thousand lines.
const MAX_LISTED = 20;

export class RelayImportError extends ValidationError {
  constructor(readonly problems: readonly ImportProblem[]) {
    const [first, ...rest] = problems;
    const listed = rest.slice(0, MAX_LISTED - 1).map((p) => `\n${formatProblem(p)}`);
    const more = rest.length > MAX_LISTED - 1 ? `\n… and ${rest.length - (MAX_LISTED - 1)} more` : '';
    super(
      first ? problemPlace(first) : 'files',
      `${first?.message ?? 'nothing to import'}${listed.join('')}${more}\nNothing was imported.`,
    );
  }
}

/** Collects one file's problems so a parser can report all of them, not just the first. */
export class ProblemList {
  readonly problems: ImportProblem[] = [];

  constructor(readonly file: string) {}

  atLine(line: number | undefined, message: string): void {
    this.problems.push(
      line === undefined ? { file: this.file, message } : { file: this.file, line, message },
    );
  }

  atPath(path: string, message: string): void {
    this.problems.push(path === '' ? { file: this.file, message } : { file: this.file, path, message });
  }

  /** Throws when anything was collected; parsers call it before returning a result. */
  throwIfAny(): void {
    // In file order: problems found after parsing (a missing key) sit with the lines around them.
    const inOrder = [...this.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    if (inOrder.length > 0) throw new RelayImportError(inOrder);
  }
}
