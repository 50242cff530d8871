// An in-memory file system for the app-discovery tests: files (executable or not), directories made on
// demand, symlinks followed as stat and readFile follow them, and errors shaped like node's.
import { constants } from 'node:fs';
import { dirname, posix } from 'node:path';
import type { AppFileSystem, FileStat } from '../../../src/main/apps/file-system.js';

type Node =
  | { kind: 'file'; content: Uint8Array; executable: boolean }
  | { kind: 'directory' }
  | { kind: 'symlink'; target: string };

function errno(code: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${path}`);
  error.code = code;
  return error;
}

/** `compute` as a promise, its throw as the rejection (the shape node's promise API gives). */
function settle<T>(compute: () => T): Promise<T> {
  try {
    return Promise.resolve(compute());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export class MemoryFileSystem implements AppFileSystem {
  private readonly nodes = new Map<string, Node>([['/', { kind: 'directory' }]]);
  private readonly inodes = new Map<string, number>();
  /** Paths passed to readFile, in order, to check what was (not) read. */
  readonly reads: string[] = [];
  /** Paths whose readFile fails with EIO, as a failing disk or a revoked permission would. */
  readonly failingReads = new Set<string>();

  file(path: string, content: string | Uint8Array, options: { executable?: boolean } = {}): this {
    this.mkdir(dirname(path));
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    this.nodes.set(path, { kind: 'file', content: bytes, executable: options.executable ?? false });
    return this;
  }

  /** A program: an executable file with a script in it. */
  program(path: string): this {
    return this.file(path, '#!/bin/sh\nexit 0\n', { executable: true });
  }

  mkdir(path: string): this {
    let current = '';
    for (const part of path.split('/').filter((segment) => segment !== '')) {
      current = `${current}/${part}`;
      if (!this.nodes.has(current)) this.nodes.set(current, { kind: 'directory' });
    }
    return this;
  }

  symlink(path: string, target: string): this {
    this.mkdir(dirname(path));
    this.nodes.set(path, { kind: 'symlink', target });
    return this;
  }

  /** The real path and node behind `path`, symlinks followed (at most 40, as Linux). */
  private resolve(path: string): { path: string; node: Node } {
    let pending = path.split('/').filter((segment) => segment !== '');
    let current = '';
    let hops = 0;
    while (pending.length > 0) {
      const [part, ...rest] = pending;
      pending = rest;
      const next =
        part === '..' ? posix.dirname(current || '/') : part === '.' ? current : `${current}/${part}`;
      const node = this.nodes.get(next === '' ? '/' : next);
      if (!node) throw errno('ENOENT', path);
      if (node.kind === 'symlink') {
        if (++hops > 40) throw errno('ELOOP', path);
        const target = node.target.startsWith('/') ? node.target : `${current}/${node.target}`;
        pending = [...target.split('/').filter((segment) => segment !== ''), ...pending];
        current = '';
        continue;
      }
      if (pending.length > 0 && node.kind !== 'directory') throw errno('ENOTDIR', path);
      current = next === '/' ? '' : next;
    }
    const real = current === '' ? '/' : current;
    const node = this.nodes.get(real);
    if (!node) throw errno('ENOENT', path);
    return { path: real, node };
  }

  readdir(path: string): Promise<string[]> {
    return settle(() => {
      const { path: real, node } = this.resolve(path);
      if (node.kind !== 'directory') throw errno('ENOTDIR', path);
      const prefix = real === '/' ? '/' : `${real}/`;
      const names = [...this.nodes.keys()]
        .filter((key) => key.startsWith(prefix) && key !== real && !key.slice(prefix.length).includes('/'))
        .map((key) => key.slice(prefix.length));
      return names;
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    this.reads.push(path);
    return settle(() => {
      if (this.failingReads.has(path)) throw errno('EIO', path);
      const { node } = this.resolve(path);
      if (node.kind !== 'file') throw errno('EISDIR', path);
      return node.content;
    });
  }

  stat(path: string): Promise<FileStat> {
    return settle(() => {
      const { path: real, node } = this.resolve(path);
      let ino = this.inodes.get(real);
      if (ino === undefined) {
        ino = this.inodes.size + 1;
        this.inodes.set(real, ino);
      }
      const facts: FileStat = {
        isFile: () => node.kind === 'file',
        isDirectory: () => node.kind === 'directory',
        size: node.kind === 'file' ? node.content.length : 4096,
        dev: 1,
        ino,
      };
      return facts;
    });
  }

  access(path: string, mode: number): Promise<void> {
    return settle(() => {
      const { node } = this.resolve(path);
      const executable = node.kind === 'directory' || (node.kind === 'file' && node.executable);
      if ((mode & constants.X_OK) !== 0 && !executable) throw errno('EACCES', path);
    });
  }
}
