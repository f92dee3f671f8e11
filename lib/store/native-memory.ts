import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * DuckDB's Node bindings free a result's native memory (about 10 KB even for `SELECT 1`) only in the
 * finalizer of its JavaScript wrapper, and V8 is never told about that memory. In a long-running
 * process with a small heap (the paper loop: a few statements a poll) full collections are rare, so
 * native memory grew by ~9 KB a decided bar without bound (measured: 253 -> 405 MB over 20k bars).
 * A full collection every so many statements bounds it; it costs ~20 ms, every 256 statements.
 */
const STATEMENTS_BETWEEN_COLLECTIONS = 256;

let collect: (() => void) | null | undefined;

/** V8's full collection, made available at run time (`--expose-gc` after start-up), or null. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      // This runtime refuses the flag: no full collection to offer.
      collect = null;
    }
  }
  return collect;
}

/** Counts statements run and collects garbage often enough that their results' memory is freed. */
export class NativeResults {
  private statements = 0;

  /** Called once a statement's result is no longer used. */
  released(): void {
    if (++this.statements < STATEMENTS_BETWEEN_COLLECTIONS) return;
    this.statements = 0;
    collector()?.();
  }
}
