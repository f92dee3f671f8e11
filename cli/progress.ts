import type { TextOutput } from './io.js';

/** Progress on stderr: a redrawn bar on a terminal, a line every 10% otherwise (logs, CI). */
export class Progress {
  private lastDecile = -1;
  private readonly tty: boolean;
  private readonly startedAt = performance.now();

  constructor(
    private readonly label: string,
    private readonly stream: TextOutput,
  ) {
    this.tty = stream.isTTY === true;
  }

  update(done: number, total: number, note = ''): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const seconds = (performance.now() - this.startedAt) / 1000;
    const text = `${this.label} ${(fraction * 100).toFixed(1).padStart(5)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${note} ${seconds.toFixed(1)}s`;
    if (this.tty) {
      const width = 28;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.tty) this.stream.write('\n');
  }
}
