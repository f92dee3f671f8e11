import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A real, size-limited filesystem for storage-fault tests: tmpfs mounts in a private mount namespace
 * (`unshare --map-root-user --mount`, no privileges needed where user namespaces are allowed), kept
 * alive by a small shell that remounts them read-only or read-write on request. This process reaches
 * the mounts through `/proc/<pid>/root`, so the code under test writes to a disk that really fills up.
 */
export interface SmallDisk {
  /** The data root, on a tmpfs of the size asked for. */
  readonly root: string;
  /** Fills the disk of `dir` (a mount) until `leaveBytes` are free. */
  fill(leaveBytes: number, dir?: string): void;
  /** Frees what `fill` took. */
  free(): void;
  /** Remounts `dir` (a mount) read-only, or read-write again. */
  readOnly(on: boolean, dir: string): Promise<void>;
  close(): Promise<void>;
}

/** Mounts a tmpfs of `sizeKb` as the data root and one per entry of `extra` (paths under it, sizes in KiB). */
export async function smallDisk(sizeKb: number, extra: Record<string, number> = {}): Promise<SmallDisk> {
  const inside = mkdtempSync(join(tmpdir(), 'mjolnir-disk-'));
  const mounts = [`mount -t tmpfs -o size=${sizeKb}k tmpfs ${inside}`];
  for (const [sub, kb] of Object.entries(extra))
    mounts.push(`mkdir -p ${inside}/${sub}`, `mount -t tmpfs -o size=${kb}k tmpfs ${inside}/${sub}`);
  const script = `set -e; ${mounts.join('; ')}; echo ready
while read -r mode dir; do mount -o remount,$mode "$dir" && echo done || echo failed; done`;
  const child: ChildProcess = spawn('unshare', ['--map-root-user', '--mount', 'sh', '-c', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error('the small-disk helper exited (is unshare available?)');
    return line.value;
  };
  if ((await next()) !== 'ready') throw new Error('the small-disk helper did not mount its tmpfs');
  const root = `/proc/${child.pid}/root${inside}`;
  const fillers: string[] = [];
  return {
    root,
    fill(leaveBytes, dir = root) {
      const stat = statfsSync(dir);
      const free = Number(stat.bavail) * Number(stat.bsize);
      const filler = join(dir, `.filler-${fillers.length}`);
      writeFileSync(filler, Buffer.alloc(Math.max(0, free - leaveBytes)));
      fillers.push(filler);
    },
    free() {
      for (const filler of fillers.splice(0)) rmSync(filler, { force: true });
    },
    async readOnly(on, dir) {
      child.stdin!.write(`${on ? 'ro' : 'rw'} ${dir.replace(root, inside)}\n`);
      if ((await next()) !== 'done') throw new Error(`could not remount ${dir}`);
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
      rmSync(inside, { recursive: true, force: true });
    },
  };
}

/** A directory under a small disk's root, created. */
export function under(disk: SmallDisk, name: string): string {
  const dir = join(disk.root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
