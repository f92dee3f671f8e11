import { MjolnirError } from '@mjolnir/lib';
import type { Logger } from '@mjolnir/lib/live';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { CliIo } from './io.js';

/**
 * The process logger: pino, one JSON object per line (for docker logs and log shippers), readable
 * (pino-pretty) on a terminal. Written synchronously, so the last lines before a crash are not lost.
 */
export function createLogger(io: CliIo, level = io.env['LOG_LEVEL'] || 'info'): Logger {
  if (!Object.hasOwn(pino.levels.values, level))
    throw new MjolnirError(
      'input_invalid',
      `LOG_LEVEL=${level}: expected one of ${Object.keys(pino.levels.values).join(', ')}`,
    );
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } };
  if (io.stdout.isTTY) {
    return pino(
      options,
      pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid', sync: true }),
    );
  }
  return pino(options, io.logDestination());
}
