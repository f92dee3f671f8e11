import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Flushes a file's (or directory's) data to stable storage. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
