// The only module that imports pino. Logs are JSON lines on stdout with a stable `evt` name.
import pino from 'pino';

export type Logger = pino.Logger;
import type { LogLevel } from './log-levels';

export { LOG_LEVELS, type LogLevel } from './log-levels';

// Creates the root logger. pino.destination() rather than pino.transport(): transports start a
// worker thread that hangs inside a bundle (DESIGN.md §6).
export function createLogger(level: LogLevel, fd = 1): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd, sync: true }),
  );
}
