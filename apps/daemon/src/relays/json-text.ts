// JSON text in, value out; a syntax error becomes an import problem with the line and column when the
// parser tells the position.
import { ProblemList } from './import-error.js';

/** Deeper than any relay list (countries, cities, relays, a field: about 6). */
export const MAX_JSON_NESTING = 64;

/** How deep arrays and objects nest in `text` (strings skipped); stops counting past `limit`. */
export function jsonNesting(text: string, limit = MAX_JSON_NESTING): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function parseJsonText(fileName: string, text: string): unknown {
  // Checked before parsing: every step after (validation, walking) is recursive.
  if (jsonNesting(text) > MAX_JSON_NESTING) {
    const problems = new ProblemList(fileName);
    problems.atLine(
      undefined,
      `nests arrays and objects deeper than ${MAX_JSON_NESTING} levels; no relay list does`,
    );
    problems.throwIfAny();
  }
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
