/** Structured logging as the loop needs it (pino satisfies it; tests pass a recorder). */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Logger;
}

/** A logger that keeps every entry, for tests and for reading back what happened. */
export class MemoryLogger implements Logger {
  readonly entries: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields: object }[];

  constructor(
    private readonly bindings: object = {},
    entries?: MemoryLogger['entries'],
  ) {
    this.entries = entries ?? [];
  }

  debug(fields: object, message: string): void {
    this.entries.push({ level: 'debug', message, fields: { ...this.bindings, ...fields } });
  }

  info(fields: object, message: string): void {
    this.entries.push({ level: 'info', message, fields: { ...this.bindings, ...fields } });
  }

  warn(fields: object, message: string): void {
    this.entries.push({ level: 'warn', message, fields: { ...this.bindings, ...fields } });
  }

  error(fields: object, message: string): void {
    this.entries.push({ level: 'error', message, fields: { ...this.bindings, ...fields } });
  }

  child(bindings: object): Logger {
    return new MemoryLogger({ ...this.bindings, ...bindings }, this.entries);
  }
}
