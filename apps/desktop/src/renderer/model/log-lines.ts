// The helper's log lines (pino JSON, one object per line) as a person reads them: time, level, message
// and the other fields. A line that is not JSON is shown as it is, at info level. Pure.
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogLine {
  level: LogLevel;
  /** HH:MM:SS in local time, or '' when the line has no time. */
  time: string;
  message: string;
  /** The other fields, as key=value. */
  fields: string;
}

const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);

function levelFromNumber(level: unknown): LogLevel {
  if (typeof level !== 'number') return 'info';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  return 'debug';
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  // JSON text of a parsed line's value (never undefined: it came from JSON).
  return JSON.stringify(value);
}

function timeText(time: unknown): string {
  if (typeof time !== 'number' && typeof time !== 'string') return '';
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return '';
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export function parseLogLine(line: string): LogLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { level: 'info', time: '', message: line, fields: '' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { level: 'info', time: '', message: line, fields: '' };
  }
  const record = new Map<string, unknown>(Object.entries(parsed));
  const message = record.get('msg');
  const fields = [...record]
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`)
    .join(' ');
  return {
    level: levelFromNumber(record.get('level')),
    time: timeText(record.get('time')),
    message: typeof message === 'string' ? message : '',
    fields,
  };
}

export function logLevelOf(line: string): LogLevel {
  return parseLogLine(line).level;
}

/** One line of text: "12:03:04 WARN message key=value". */
export function formatLogLine(line: string): string {
  const { level, time, message, fields } = parseLogLine(line);
  return [time, level.toUpperCase().padEnd(5), message, fields].filter((part) => part !== '').join(' ');
}
