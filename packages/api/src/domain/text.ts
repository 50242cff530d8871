// Text that leaves the helper (error messages, logs) or reaches a terminal: a value is echoed only as a
// short excerpt, a WireGuard key never, and control characters (a newline in a name, an ESC sequence
// in a provider) only escaped. Pure: the helper, the CLI and the app use the same rules.

/** How much of a value a message echoes. */
export const MAX_EXCERPT = 48;
/** The longest message the helper sends or logs; longer ones are cut. */
export const MAX_MESSAGE = 1_000;

/**
 * 32 bytes in base64: what WireGuard keys (private, public, pre-shared) look like, with or without the
 * final "=" (a parser splitting "Key = Value" at "=" leaves a bare key without it).
 */
const KEY = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048](?:=|(?![A-Za-z0-9+/=]))/g;

/** Keys replaced by a placeholder. */
export function redactKeys(text: string): string {
  return text.replace(KEY, '<key not shown>');
}

/**
 * C0 and C1 control characters (and DEL) as visible escapes (`\u001b`: valid inside a JSON string too);
 * `keep` lists ones left as they are.
 */
export function escapeControls(text: string, keep = ''): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (keep.includes(c)) return c;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** `value` for a message: keys redacted, controls escaped, cut to `max` characters, in quotes. */
export function quote(value: string, max = MAX_EXCERPT): string {
  const safe = escapeControls(redactKeys(value));
  return `"${safe.length > max ? `${safe.slice(0, max)}…` : safe}"`;
}

/** A whole message, safe to send, log or print: keys redacted, controls escaped, at most `max` long. */
export function safeMessage(text: string, max = MAX_MESSAGE): string {
  // Lines are the structure of a multi-problem message (one per file and line): they stay.
  const safe = escapeControls(redactKeys(text.length > max * 4 ? text.slice(0, max * 4) : text), '\n\t');
  return safe.length > max ? `${safe.slice(0, max)}… (${text.length} characters in all)` : safe;
}

/** True when `text` has control characters (newlines included): not acceptable in a name. */
export function hasControls(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- see escapeControls
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}
