// The logging the device layer needs, narrow enough that tests pass a fake and the helper its pino Logger.

/** What the device layer logs through; a pino Logger fits. */
export interface DeviceLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLog: DeviceLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };
