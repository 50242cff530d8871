// What the scripts that run inside the lab client print, for the bench that reads it (types only: importing
// a script itself would run it).

export interface ProbeReady {
  event: 'ready';
  /** The source address web saw on the first answer (the client's own before a tunnel is up). */
  firstIp: string;
}

export interface ProbeDone {
  event: 'done';
  ip: string;
  /** Date.now() when the answer's status line and headers arrived. */
  firstByteAt: number;
  /** When the attempt that succeeded was started. */
  attemptStartedAt: number;
  attempts: number;
  /** Answers that named another source address (sent before the tunnel carried traffic). */
  otherAnswers: number;
}

export interface ProbeFailed {
  event: 'failed';
  message: string;
}

export type ProbeMessage = ProbeReady | ProbeDone | ProbeFailed;

export interface TimedRunResult {
  startedAt: number;
  endedAt: number;
  durationMs: number;
  code: number | null;
  signal: string | null;
}

export interface CliTiming {
  argv: string[];
  /** Wall time of each timed run, spawn to exit. */
  ms: number[];
  exitCodes: number[];
}

export interface CliTimingResult {
  /** 1, 5 and 15 minute load averages when the timing started. */
  loadAverage: number[];
  /** `node -e 0` first, then the commands in the order given. */
  commands: CliTiming[];
}
