// Domain types and validators, safe to import from the renderer (no Node, no gRPC runtime).
export * from './convert.js';
export * from './latency.js';
export * from './relays.js';
export * from './settings.js';
export * from './split-tunnel.js';
export * from './status.js';
export * from './text.js';
export * from './validate.js';
