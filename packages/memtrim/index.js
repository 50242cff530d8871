'use strict';
// The addon, built by `npm ci` / `npm run build` (node-gyp, against the local Node headers). Bundlers
// copy the .node file next to their output (esbuild's copy loader), so it is required by a path
// relative to this file. Exported by name so ES modules can import it.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loading a .node file is what require is for
const addon = require('./build/Release/memtrim.node');

exports.releaseFreedMemory = addon.releaseFreedMemory;
exports.releaseStartupCodePages = addon.releaseStartupCodePages;
exports.startupCodeRanges = addon.startupCodeRanges;
