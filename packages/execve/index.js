'use strict';
// The addon, built by `npm ci` / `npm run build` (node-gyp, against the local Node headers). Bundlers
// copy the .node file next to their output, so it is required by a path relative to this file.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loading a .node file is what require is for
const addon = require('./build/Release/execve.node');

exports.execProgram = addon.execProgram;
