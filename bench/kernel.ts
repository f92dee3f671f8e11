/**
 * The research kernel's costs as a researcher meets them: a fresh tslab kernel started by Jupyter
 * (jupyter_client) to the first result of a cell, for a cell importing nothing (the baseline), one
 * importing `@mjolnir/lib` and one importing `@mjolnir/lib/research`; and a 10k-point line chart
 * rendered to SVG (in this process). Medians of KERNEL_RUNS fresh kernels.
 *
 *   make bench-kernel          (needs make lab's kernel: kernel/node_modules, Jupyter from apt)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { lineChart } from '@mjolnir/lib/research';
import { median } from './journal-lines.js';

const RUNS = Number(process.env['KERNEL_RUNS'] ?? 3);
const jupyterDir = mkdtempSync(join(tmpdir(), 'mjolnir-bench-kernel-'));
const install = spawnSync(process.execPath, ['dist/cli/main.js', 'kernel', 'install', '--dir', jupyterDir], {
  encoding: 'utf8',
});
if (install.status !== 0) throw new Error(`kernel install failed: ${install.stderr}`);

/** Python with jupyter_client: start the kernel, run one cell, print seconds to ready and to its result. */
const PROBE = `
import json, sys, time
from jupyter_client.manager import start_new_kernel
t0 = time.monotonic()
km, kc = start_new_kernel(kernel_name='mjolnir-ts', cwd=sys.argv[2])
ready = time.monotonic() - t0
msg = kc.execute(sys.argv[1])
result = None
while True:
    m = kc.get_iopub_msg(timeout=120)
    if m['parent_header'].get('msg_id') != msg: continue
    if m['msg_type'] in ('execute_result', 'stream', 'error'): result = m['content']
    if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle': break
done = time.monotonic() - t0
kc.stop_channels(); km.shutdown_kernel(now=True)
print(json.dumps({'ready': ready, 'done': done, 'result': result}))
`;

function probe(cell: string): { ready: number; done: number } {
  const run = spawnSync('/usr/bin/python3', ['-c', PROBE, cell, join(process.cwd(), 'notebooks')], {
    encoding: 'utf8',
    env: { ...process.env, JUPYTER_PATH: jupyterDir },
  });
  if (run.status !== 0) throw new Error(`kernel probe failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    ready: number;
    done: number;
    result: unknown;
  };
  if (JSON.stringify(out.result).includes('"ename"'))
    throw new Error(`the cell failed: ${JSON.stringify(out.result)}`);
  return out;
}

const cells = {
  'nothing (1 + 1)': '1 + 1',
  "import '@mjolnir/lib'": "import { timeframe } from '@mjolnir/lib';\ntimeframe('5m').ms",
  "import '@mjolnir/lib/research'": "import { lineChart } from '@mjolnir/lib/research';\ntypeof lineChart",
};
const rows: string[] = [];
let baseline = Number.NaN;
for (const [name, cell] of Object.entries(cells)) {
  const runs = Array.from({ length: RUNS }, () => probe(cell));
  const ready = median(runs.map((r) => r.ready));
  const done = median(runs.map((r) => r.done));
  if (Number.isNaN(baseline)) baseline = done;
  rows.push(
    `  ${name.padEnd(32)} kernel ready ${ready.toFixed(2)} s, first result ${done.toFixed(2)} s (${(done / baseline).toFixed(2)}x the baseline)`,
  );
}

const x = Array.from({ length: 10_000 }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000);
const y = x.map((_, i) => 30_000 + Math.sin(i / 300) * 500 + (i % 17));
const renders: number[] = [];
let bytes = 0;
for (let i = 0; i < 21; i++) {
  const t = performance.now();
  bytes = lineChart([{ name: 'close', x, y }], { timeX: true }).svg.length;
  renders.push(performance.now() - t);
}
process.stdout.write(
  `research kernel: fresh tslab kernels through jupyter_client, median of ${RUNS}; node ${process.version}\n${rows.join('\n')}\n` +
    `  10k-point line chart to SVG   ${median(renders).toFixed(1)} ms (median of 21), ${(bytes / 1024).toFixed(0)} kB\n`,
);
