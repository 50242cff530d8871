// JSON text in, value out; a syntax error becomes an import problem with the line and column when the
// parser tells the position.
import { ProblemList } from './import-error.js';

export function parseJsonText(fileName: string, text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const problems = new ProblemList(fileName);
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const unexpected = /^Unexpected token '([^']*)'/.exec(message);
    const reason = unexpected
      ? `unexpected ${JSON.stringify(unexpected[1])}`
      : message.replace(/ in JSON at position \d+.*$/s, '').replace(/^./, (c) => c.toLowerCase());
    if (position) {
      const offset = Number(position[1]);
      const before = text.replace(/^\uFEFF/, '').slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      problems.atLine(line, `not valid JSON at column ${column}: ${reason}`);
    } else {
      problems.atLine(undefined, `not valid JSON: ${reason}`);
    }
    problems.throwIfAny();
    return undefined;
  }
}

/** `countries[2].cities[0]` style paths from path segments. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const name = String(segment);
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return i === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join('');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
