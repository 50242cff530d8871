// sluice-exclude without a helper: its arguments, finding the program as a shell does, and the exec
// itself (same pid, environment untouched, signals as a shell leaves them), plus its plain errors.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXCLUDE_EXIT, parseExcludeArgs, resolveProgram } from '../src/exclude-args.js';

const EXCLUDE = resolve(import.meta.dirname, '../dist/exclude.js');
const ADDON = resolve(import.meta.dirname, '../../../packages/execve');

describe('sluice-exclude arguments', () => {
  it('takes its own options before the command and leaves everything after it to the program', () => {
    expect(parseExcludeArgs(['curl', '--socket', 'x', '-v'], {})).toEqual({
      kind: 'run',
      socket: '/run/sluice/daemon.sock',
      command: 'curl',
      args: ['--socket', 'x', '-v'],
    });
    expect(parseExcludeArgs(['--socket', '/tmp/s', '--', '-dash'], { SLUICE_SOCKET: '/e' })).toMatchObject({
      socket: '/tmp/s',
      command: '-dash',
    });
    expect(parseExcludeArgs([], { SLUICE_SOCKET: '/e' })).toEqual({
      kind: 'usage',
      message: 'no command given',
    });
    expect(parseExcludeArgs(['--bogus', 'x'], {})).toEqual({
      kind: 'usage',
      message: 'unknown option --bogus',
    });
  });

  it('finds the program as a shell would: a path as given, a name on PATH, and says which failure it is', () => {
    const files = new Map([
      ['/usr/bin/curl', true],
      ['/opt/bin/tool', false],
    ]);
    const probe = { isFile: (p: string) => files.has(p), isExecutable: (p: string) => files.get(p) === true };
    expect(resolveProgram('curl', '/usr/local/bin:/usr/bin', probe)).toEqual({ path: '/usr/bin/curl' });
    expect(resolveProgram('tool', '/opt/bin', probe)).toEqual({ error: 'not-executable' });
    expect(resolveProgram('nope', '/usr/bin', probe)).toEqual({ error: 'not-found' });
    expect(resolveProgram('/usr/bin/curl', '', probe)).toEqual({ path: '/usr/bin/curl' });
  });
});

/** Run a Node script that execs `argv` through the addon; what the program printed. */
function execThroughAddon(argv: string[], env: NodeJS.ProcessEnv = {}): { stdout: string; pid: number } {
  const script = `const { execProgram } = require(${JSON.stringify(ADDON)});
    process.stdout; execProgram(${JSON.stringify(argv[0])}, ${JSON.stringify(argv)});`;
  const run = spawnSync(process.execPath, ['-e', script], { env: { ...env, PATH: '/usr/bin:/bin' } });
  expect(run.status, run.stderr.toString()).toBe(0);
  return { stdout: run.stdout.toString(), pid: run.pid };
}

describe('the exec', () => {
  it('becomes the program in the same process, with the environment untouched (LD_PRELOAD too)', () => {
    const env = execThroughAddon(['/usr/bin/env'], { LD_PRELOAD: '', SLUICE_CANARY: 'a b\tc' });
    expect(env.stdout.split('\n')).toEqual(expect.arrayContaining(['LD_PRELOAD=', 'SLUICE_CANARY=a b\tc']));
    const same = execThroughAddon(['/bin/sh', '-c', 'echo $$']);
    expect(Number(same.stdout.trim())).toBe(same.pid);
  });

  it('leaves no signal ignored or blocked that Node had (SIGPIPE), and stdio blocking', () => {
    const status = execThroughAddon(['/bin/grep', '-E', '^Sig(Ign|Blk)', '/proc/self/status']).stdout;
    expect(status).toContain('SigIgn:\t0000000000000000');
    expect(status).toContain('SigBlk:\t0000000000000000');
  });

  it('a program that is not there: exit 127 and the shell words, before the helper is asked', () => {
    const run = spawnSync(process.execPath, [EXCLUDE, 'no-such-program-here'], {
      env: { PATH: '/usr/bin', SLUICE_SOCKET: '/nonexistent/sock' },
    });
    expect(run.status).toBe(EXCLUDE_EXIT.notFound);
    expect(run.stderr.toString()).toBe('sluice-exclude: no-such-program-here: command not found\n');
  });

  it('no helper: exit 3, saying the program was not started', () => {
    const run = spawnSync(process.execPath, [EXCLUDE, 'true'], {
      env: { PATH: '/usr/bin:/bin', SLUICE_SOCKET: '/nonexistent/sock' },
    });
    expect(run.status).toBe(EXCLUDE_EXIT.unreachable);
    expect(run.stderr.toString()).toContain(
      'the Sluice helper is not running (socket /nonexistent/sock); true was not started',
    );
  });
});
