export * from './backoff.js';
export * from './client.js';
export * from './domain/index.js';
export * from './errors.js';
export * from './server.js';
export * as pb from './wire.js';
