import { type DestinationStream, pino } from 'pino';

/** Where a command's text goes: a terminal, a pipe, or a test's buffer. */
export interface TextOutput {
  write(text: string): void;
  readonly isTTY?: boolean;
}

/** Why the process is being asked to stop, and whether it was asked before. */
export type ShutdownListener = (signal: string, repeated: boolean) => void;

/**
 * What a command may touch of its process: its two outputs, its exit code and its shutdown signals.
 * `processIo()` is the real process; tests pass their own and run the CLI in-process.
 */
export interface CliIo {
  /**
   * The environment the command runs with, read once: `processIo()` takes the process's (empty values
   * are unset), a test passes its own; `--data-root` sets DATA_ROOT in it for the command's run.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** Where the paper loop's JSON log lines go: stdout, written synchronously in the real process. */
  logDestination(): DestinationStream;
  /** Sets the exit code; the last one set wins. */
  setExitCode(code: number): void;
  /**
   * A signal aborted by the first SIGINT/SIGTERM. Only long-running commands ask for it: asking
   * installs the handlers, and a short command keeps the default (a Ctrl-C ends it at once). Later
   * signals are reported to `listener` and never cut the shutdown short (make forwards a second one).
   */
  shutdown(listener?: ShutdownListener): AbortSignal;
}

/** An output that stops writing, quietly, once its reader has gone (`mjolnir ... | head`: EPIPE). */
function pipedOutput(stream: NodeJS.WriteStream): TextOutput {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') open = false;
    else throw error;
  });
  return {
    write: (text) => {
      if (open) stream.write(text);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
  };
}

/** The real process's outputs, exit code and signals. */
export function processIo(): CliIo {
  const stdout = pipedOutput(process.stdout);
  let controller: AbortController | null = null;
  const listeners: ShutdownListener[] = [];
  // An empty variable means unset (compose passes `VAR=` for what the operator left out).
  const env = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ''));
  return {
    env,
    stdout,
    stderr: pipedOutput(process.stderr),
    // Synchronous, so the last lines before a crash are not lost.
    logDestination: () => pino.destination({ dest: 1, sync: true }),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    shutdown(listener) {
      if (listener) listeners.push(listener);
      if (controller === null) {
        const aborter = new AbortController();
        controller = aborter;
        const onSignal = (signal: NodeJS.Signals) => {
          const repeated = aborter.signal.aborted;
          for (const notify of listeners) notify(signal, repeated);
          aborter.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }
      return controller.signal;
    },
  };
}
