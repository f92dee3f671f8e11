import type { Logger } from '@mjolnir/lib';
import { pino } from 'pino';
import pretty from 'pino-pretty';

/**
 * The process logger: pino, one JSON object per line (for docker logs and log shippers), readable
 * (pino-pretty) on a terminal. Written synchronously, so the last lines before a crash are not lost.
 */
export function createLogger(level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } };
  if (process.stdout.isTTY) {
    return pino(
      options,
      pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid', sync: true }),
    );
  }
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
