// electron-builder.yml and what it packages: every referenced file exists, the helper lands where the
// systemd units' ExecStart looks for it, the install scripts are valid sh that do the right things (run
// against stub commands), the units verify, and the .desktop file agrees with the config.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appLayout, DEFAULT_SOCKET } from '../../src/main/layout.js';
import { decodePng } from './png.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const fromRoot = (path: string): string => join(repoRoot, path);

// ---- reading the configuration ------------------------------------------------------------------------

interface FileSet {
  from: string;
  to: string;
  filter?: string[];
}

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { app: string; output: string; buildResources: string };
  files: string[];
  extraResources: FileSet[];
  extraMetadata: { productName: string; homepage: string; author: { name: string; email: string } };
  electronFuses?: Record<string, boolean>;
  linux: {
    target: string[];
    executableName: string;
    category: string;
    icon: string;
    maintainer: string;
    desktop: { entry: Record<string, string> };
  };
  deb: { afterInstall: string; afterRemove: string; depends: string[] };
  rpm: { afterInstall: string; afterRemove: string; depends: string[] };
}

const config = parse(readFileSync(fromRoot('electron-builder.yml'), 'utf8')) as BuilderConfig;
const installDir = `/opt/${config.productName}`;
const executable = `${installDir}/${config.linux.executableName}`;

/** An INI-style file (.desktop, systemd unit) as section -> key -> values (keys may repeat). */
function parseIni(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) throw new Error(`not a key=value line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

function one(section: Map<string, string[]> | undefined, key: string): string | undefined {
  return section?.get(key)?.at(-1);
}

const unitDir = fromRoot('assets/systemd');
const unitNames = readdirSync(unitDir).filter((name) => name.endsWith('.service'));
const units = new Map(unitNames.map((name) => [name, parseIni(readFileSync(join(unitDir, name), 'utf8'))]));

// ---- the configuration --------------------------------------------------------------------------------

describe('electron-builder.yml', () => {
  it('names the app and builds deb, rpm and AppImage for the Network category', () => {
    expect(config.productName).toBe('Sluice');
    expect(config.appId).toMatch(/^[a-z][a-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/);
    expect(config.linux.target).toEqual(expect.arrayContaining(['deb', 'rpm', 'AppImage']));
    expect(config.linux.category).toBe('Network');
    expect(config.linux.executableName).toBe('sluice');
  });

  it('has what deb and rpm insist on: a maintainer with an email and a homepage', () => {
    expect(config.linux.maintainer).toMatch(/<[^@\s]+@[^>\s]+>/);
    expect(config.extraMetadata.homepage).toMatch(/^https:\/\//);
    expect(config.extraMetadata.author.email).toMatch(/@/);
    expect(config.extraMetadata.productName).toBe(config.productName);
  });

  it('packages the app folder, whose package.json starts the bundled main', () => {
    const appPackage = JSON.parse(
      readFileSync(fromRoot(join(config.directories.app, 'package.json')), 'utf8'),
    ) as { main: string };
    expect(appPackage.main).toBe('dist/main/main.cjs');
    expect(covered(appPackage.main)).toBe(true);
  });

  it('ships every file main loads, and no node_modules', () => {
    const layout = appLayout('/app/dist/main');
    for (const path of [
      layout.rendererIndex,
      layout.preload,
      join(layout.trayIconDir, 'connected-dark-22.png'),
      layout.appIcon,
    ]) {
      expect(covered(path.replace('/app/', '')), path).toBe(true);
    }
    for (const dir of ['dist/main/**', 'dist/preload/**', 'dist/renderer/**'])
      expect(config.files).toContain(dir);
    expect(config.files).toContain('!**/node_modules/**');
  });

  it('puts the bundled helper where the units run it from', () => {
    const helperDir = config.extraResources.find((set) => set.to === 'helper');
    // The bundle and its native addons, which it requires from beside itself.
    expect(helperDir).toEqual({
      from: `${config.directories.app}/dist/helper`,
      to: 'helper',
      filter: ['sluiced.cjs', 'peercred.node', 'memtrim.node'],
    });
    const helper = { to: 'helper/sluiced.cjs' };
    expect(unitNames.sort()).toEqual(['sluice-early-boot-blocking.service', 'sluiced.service']);
    for (const [name, unit] of units) {
      const execStart = one(unit.get('Service'), 'ExecStart') ?? '';
      const [program, ...rest] = execStart.split(/\s+/);
      expect(program, name).toBe(executable);
      // Node's own flags may come first (the helper's young-generation cap), then the bundle.
      const script = rest.find((word) => !word.startsWith('--'));
      expect(script, name).toBe(`${installDir}/resources/${helper.to}`);
      for (const flag of rest.slice(0, rest.indexOf(script ?? '')))
        expect(flag, name).toMatch(/^--max-semi-space-size=\d+$/);
      // The app's Electron runs the helper as plain Node.
      expect(unit.get('Service')?.get('Environment'), name).toContain('ELECTRON_RUN_AS_NODE=1');
    }
    expect(one(units.get('sluice-early-boot-blocking.service')?.get('Service'), 'ExecStart')).toMatch(
      / --init-firewall$/,
    );
  });

  it('ships the command line, and the /usr/bin wrappers that run it on the app runtime', () => {
    const cli = config.extraResources.find((set) => set.to === 'cli');
    expect(cli?.from).toBe(`${config.directories.app}/dist/cli`);
    expect(cli?.filter?.sort()).toEqual(
      ['cli.js', 'exclude.js', 'execve.node', 'helper.js', 'main.js', 'package.json'].sort(),
    );
    const bin = config.extraResources.find((set) => set.to === 'cli/bin');
    expect(bin?.from).toBe('assets/linux/bin');
    for (const [name, script] of [
      ['sluice', 'main.js'],
      ['sluice-exclude', 'exclude.js'],
    ] as const) {
      expect(bin?.filter).toContain(name);
      const path = fromRoot(`assets/linux/bin/${name}`);
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(statSync(path).mode & 0o111).not.toBe(0);
      expect(text).toContain(`exec ${executable} ${installDir}/resources/cli/${script} "$@"`);
      expect(text).toContain('ELECTRON_RUN_AS_NODE=1');
    }
    // sluice-exclude's program must not inherit the runtime variable: the wrapper names it for removal.
    expect(readFileSync(fromRoot('assets/linux/bin/sluice-exclude'), 'utf8')).toContain(
      'SLUICE_EXCLUDE_RUNTIME=ELECTRON_RUN_AS_NODE',
    );
    for (const file of cli?.filter ?? []) {
      const built = fromRoot(`${config.directories.app}/dist/cli/${file}`);
      if (existsSync(fromRoot(`${config.directories.app}/dist/cli`)))
        expect(existsSync(built), built).toBe(true);
    }
  });

  it('ships the systemd units as resources', () => {
    const systemd = config.extraResources.find((set) => set.to === 'systemd');
    expect(systemd?.from).toBe('assets/systemd');
    for (const name of unitNames)
      expect(systemd?.filter?.some((glob) => glob === '*.service' || glob === name)).toBe(true);
  });

  it('keeps the RunAsNode fuse the units depend on', () => {
    expect(config.electronFuses?.runAsNode).not.toBe(false);
  });

  it('refers only to files that exist', () => {
    const referenced = [
      ...config.extraResources.map((set) => set.from).filter((from) => !from.includes('/dist/')),
      config.linux.icon,
      config.deb.afterInstall,
      config.deb.afterRemove,
      config.rpm.afterInstall,
      config.rpm.afterRemove,
      'assets/sluice.desktop',
      config.directories.buildResources,
    ];
    for (const path of referenced) expect(existsSync(fromRoot(path)), path).toBe(true);
  });

  it('depends on the tools the helper runs', () => {
    expect(config.deb.depends).toEqual(
      expect.arrayContaining(['iproute2', 'nftables', 'libgtk-3-0', 'libnss3']),
    );
    expect(config.rpm.depends).toEqual(expect.arrayContaining(['iproute', 'nftables', 'gtk3', 'nss']));
  });

  const schemaFile = fromRoot('node_modules/app-builder-lib/scheme.json');
  it.skipIf(!existsSync(schemaFile))('uses only options electron-builder knows (its scheme.json)', () => {
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as {
      properties: Record<string, unknown>;
      definitions: Record<string, { properties?: Record<string, unknown> }>;
    };
    for (const key of Object.keys(config)) expect(Object.keys(schema.properties), key).toContain(key);
    const linuxOptions = schema.definitions.LinuxConfiguration?.properties ?? {};
    for (const key of Object.keys(config.linux))
      expect(Object.keys(linuxOptions), `linux.${key}`).toContain(key);
  });
});

/** Whether a path inside the app folder is matched by `files` (plain paths and `dir/**` patterns). */
function covered(path: string): boolean {
  const included = config.files.filter((p) => !p.startsWith('!'));
  return included.some((pattern) =>
    pattern.endsWith('/**') ? path.startsWith(pattern.slice(0, -2)) : path === pattern,
  );
}

// ---- icons and the .desktop file ---------------------------------------------------------------------

describe('icons', () => {
  it('give Linux a named-by-size icon set up to 512 px', () => {
    const dir = fromRoot(config.linux.icon);
    const names = readdirSync(dir).filter((name) => name.endsWith('.png'));
    expect(names).toContain('512x512.png');
    for (const name of names) {
      const size = Number(/^(\d+)x\1\.png$/.exec(name)?.[1]);
      const png = decodePng(readFileSync(join(dir, name)));
      expect([png.width, png.height], name).toEqual([size, size]);
    }
  });
});

describe('sluice.desktop', () => {
  const desktop = parseIni(readFileSync(fromRoot('assets/sluice.desktop'), 'utf8')).get('Desktop Entry');

  it('has the keys a launcher needs', () => {
    expect(desktop).toBeDefined();
    expect(one(desktop, 'Type')).toBe('Application');
    expect(one(desktop, 'Name')).toBe(config.productName);
    expect(one(desktop, 'Exec')).toMatch(new RegExp(`^${executable}( |$)`));
    expect(one(desktop, 'Terminal')).toBe('false');
    // electron-builder installs the icon set as hicolor/<size>/apps/<executableName>.png.
    expect(one(desktop, 'Icon')).toBe(config.linux.executableName);
    expect(one(desktop, 'Categories')?.split(';')).toContain(config.linux.category);
    expect(one(desktop, 'Categories')).toMatch(/;$/);
    // Electron's WM_CLASS is the app name main sets, so the dock groups the window with this launcher.
    expect(one(desktop, 'StartupWMClass')).toBe(config.productName);
  });

  it('says the same as the entry electron-builder generates', () => {
    const entry = config.linux.desktop.entry;
    const own = new Map(
      [...(desktop ?? new Map<string, string[]>())].map(([key, values]) => [key, values.at(-1)]),
    );
    for (const [key, value] of Object.entries(entry)) expect(own.get(key), key).toBe(value);
    // electron-builder writes Exec, Type and Version itself (Exec with the install path checked above).
    for (const key of own.keys())
      if (!['Exec', 'TryExec', 'Type', 'Version'].includes(key)) expect(entry, key).toHaveProperty(key);
  });

  const validator = spawnSync('desktop-file-validate', ['--help'], { encoding: 'utf8' });
  it.skipIf(validator.error !== undefined)('passes desktop-file-validate', () => {
    const run = spawnSync('desktop-file-validate', [fromRoot('assets/sluice.desktop')], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});

// ---- the install scripts ------------------------------------------------------------------------------

const afterInstall = fromRoot(config.deb.afterInstall);
const afterRemove = fromRoot(config.deb.afterRemove);

describe('install scripts', () => {
  it('are the same for deb and rpm', () => {
    expect(config.rpm.afterInstall).toBe(config.deb.afterInstall);
    expect(config.rpm.afterRemove).toBe(config.deb.afterRemove);
  });

  it.each([afterInstall, afterRemove])(
    '%s is executable, sh -n clean and has no ${...} electron-builder would expand',
    (script) => {
      const run = spawnSync('sh', ['-n', script], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const text = readFileSync(script, 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(statSync(script).mode & 0o111).not.toBe(0);
      expect(text).not.toContain('${');
    },
  );

  it('install and remove the units the package ships', () => {
    const install = readFileSync(afterInstall, 'utf8');
    const remove = readFileSync(afterRemove, 'utf8');
    for (const name of unitNames) {
      expect(install).toContain(name);
      expect(remove).toContain(name);
    }
    expect(install).toContain(`APP_DIR=${installDir}`);
  });
});

/**
 * Runs a script with PATH holding only logging stubs, so every command it runs is recorded and none
 * touches the machine (a command without a stub is "not found", which fails the script under set -e).
 */
function runWithStubs(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; failing?: string[] } = {},
): { status: number | null; calls: string[]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-stubs-'));
  try {
    const log = join(dir, 'calls.log');
    const stubs = join(dir, 'bin');
    mkdirSync(stubs);
    const commands = [
      'chown',
      'chmod',
      'getent',
      'groupadd',
      'id',
      'usermod',
      'cut',
      'mkdir',
      'install',
      'systemctl',
      'rm',
      'nft',
    ];
    for (const command of commands) {
      const exit = options.failing?.includes(command) ? 2 : 0;
      writeFileSync(join(stubs, command), `#!/bin/sh\necho "${command} $*" >> "${log}"\nexit ${exit}\n`);
      chmodSync(join(stubs, command), 0o755);
    }
    const run = spawnSync('/bin/sh', [script, ...args], {
      encoding: 'utf8',
      env: { PATH: stubs, ...options.env },
    });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
    return { status: run.status, calls, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const systemdRunning = existsSync('/run/systemd/system');

describe('after-install, run against stub commands', () => {
  it('creates the sluice group, adds the sudo user, installs and enables the units', () => {
    const { status, calls, stderr } = runWithStubs(afterInstall, ['configure', ''], {
      env: { SUDO_USER: 'ada' },
      failing: ['getent'],
    });
    expect(status, stderr).toBe(0);
    expect(calls).toContain('groupadd --system sluice');
    expect(calls).toContain('usermod -a -G sluice ada');
    for (const name of unitNames) {
      expect(calls).toContain(
        `install -m 0644 ${installDir}/resources/systemd/${name} /usr/lib/systemd/system/${name}`,
      );
    }
    for (const name of ['sluice', 'sluice-exclude'])
      expect(calls).toContain(`install -m 0755 ${installDir}/resources/cli/bin/${name} /usr/bin/${name}`);
    if (systemdRunning) {
      expect(calls).toEqual(
        expect.arrayContaining([
          'systemctl daemon-reload',
          'systemctl enable sluice-early-boot-blocking.service',
          'systemctl enable sluiced.service',
          'systemctl restart sluiced.service',
        ]),
      );
      expect(calls.indexOf('systemctl daemon-reload')).toBeLessThan(
        calls.indexOf('systemctl enable sluiced.service'),
      );
    } else {
      expect(calls).toContain('systemctl enable sluice-early-boot-blocking.service sluiced.service');
    }
    // The boot-time block is for the next boot, never started from the installer.
    expect(calls.filter((call) => /systemctl (re)?start .*early-boot/.test(call))).toEqual([]);
  });

  it('leaves an existing group and a root install alone', () => {
    const { status, calls } = runWithStubs(afterInstall, ['configure', '0.1.0'], {
      env: { SUDO_USER: 'root' },
    });
    expect(status).toBe(0);
    expect(calls.some((call) => call.startsWith('groupadd'))).toBe(false);
    expect(calls.some((call) => call.startsWith('usermod'))).toBe(false);
  });
});

describe('after-remove, run against stub commands', () => {
  it.each([['upgrade', '0.2.0'], ['failed-upgrade', '0.2.0'], ['abort-install'], ['1'], ['2']])(
    'does nothing on an upgrade or abort (%s)',
    (...args: string[]) => {
      const { status, calls } = runWithStubs(afterRemove, args);
      expect(status).toBe(0);
      expect(calls).toEqual([]);
    },
  );

  it.each([['remove'], ['0']])(
    'stops, disables and removes the units and lifts the block on removal (%s)',
    (arg) => {
      const { status, calls, stderr } = runWithStubs(afterRemove, [arg]);
      expect(status, stderr).toBe(0);
      expect(calls).toContain('systemctl disable sluiced.service sluice-early-boot-blocking.service');
      expect(calls).toContain(
        'rm -f /usr/lib/systemd/system/sluiced.service /usr/lib/systemd/system/sluice-early-boot-blocking.service',
      );
      expect(calls).toContain('nft delete table inet sluice');
      expect(calls).toContain('rm -f /usr/bin/sluice /usr/bin/sluice-exclude');
      if (systemdRunning)
        expect(calls).toContain('systemctl stop sluiced.service sluice-early-boot-blocking.service');
      expect(calls).not.toContain('rm -rf /var/lib/sluice');
    },
  );

  it('also removes the helper state on purge', () => {
    const { status, calls } = runWithStubs(afterRemove, ['purge']);
    expect(status).toBe(0);
    expect(calls).toContain('rm -rf /var/lib/sluice');
  });
});

// ---- the systemd units --------------------------------------------------------------------------------

describe('systemd units', () => {
  it('run the helper with the socket folder the app looks in', () => {
    const helper = units.get('sluiced.service')?.get('Service');
    expect(`/run/${one(helper, 'RuntimeDirectory') ?? ''}/daemon.sock`).toBe(DEFAULT_SOCKET);
    expect(one(units.get('sluiced.service')?.get('Install'), 'WantedBy')).toBe('multi-user.target');
    expect(one(units.get('sluice-early-boot-blocking.service')?.get('Unit'), 'Before')).toBeDefined();
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  describe.skipIf(analyze.error !== undefined)(
    'systemd-analyze verify, in a root laid out like the package',
    () => {
      const root = mkdtempSync(join(tmpdir(), 'sluice-root-'));
      afterAll(() => rmSync(root, { recursive: true, force: true }));

      it.each(unitNames)('%s verifies', (name) => {
        mkdirSync(join(root, 'opt/Sluice/resources/helper'), { recursive: true });
        mkdirSync(join(root, 'usr/lib/systemd/system'), { recursive: true });
        writeFileSync(join(root, 'opt/Sluice/sluice'), '#!/bin/sh\n', { mode: 0o755 });
        writeFileSync(join(root, 'opt/Sluice/resources/helper/sluiced.cjs'), '');
        for (const unit of unitNames)
          writeFileSync(join(root, 'usr/lib/systemd/system', unit), readFileSync(join(unitDir, unit)));
        const run = spawnSync(
          'systemd-analyze',
          [
            'verify',
            '--man=no',
            '--recursive-errors=no',
            `--root=${root}`,
            `/usr/lib/systemd/system/${name}`,
          ],
          { encoding: 'utf8' },
        );
        expect(run.status, run.stdout + run.stderr).toBe(0);
        expect(run.stderr).toBe('');
      });
    },
  );
});
