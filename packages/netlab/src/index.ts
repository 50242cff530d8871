// @sluice/netlab: the network lab (see lab.ts) and its pure building blocks.
export { Lab, serverScript, HELPER_MAIN, HELPER_BUNDLE, CLI_MAIN } from './lab.js';
export type { LabOptions, LabNode, LabRelay, ClientSpawnOptions, WhatIsMyIpOptions } from './lab.js';
export { LeakCapture, type CaptureResult, type ClassifiedPacket } from './capture.js';
export * from './config.js';
export * from './plan.js';
export * from './tcpdump.js';
export * from './dns-wire.js';
export * from './keys.js';
export * from './names.js';
export {
  run,
  runSync,
  start,
  inNetns,
  ExecError,
  formatArgv,
  type RunOptions,
  type RunResult,
} from './exec.js';
export { waitFor, WaitTimeoutError } from './wait.js';
export { checkTools, checkRoot, missingPackages, MissingToolsError, REQUIRED_TOOLS } from './tools.js';
export {
  cleanupStaleLabs,
  destroyLab,
  labNamespaces,
  labWireguardSockets,
  labsOnMachine,
  processesIn,
  staleLabs,
} from './teardown.js';
export { LAB_ROOT, labDir, readState, listLabDirs, type LabState } from './state.js';
export type { DnsLogRecord } from './servers/types.js';
export { HELPER_ENV, HELPER_NODE_FLAGS, type HelperOptions, type LabHelper } from './helper.js';
