import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Fake `docker`, `nvidia-smi` and `curl` for the ops scripts, driven by environment variables, each
 * recording its calls under `state/`:
 *   FAKE_DOCKER_READY_AFTER  `docker info` fails this many times first (default 0)
 *   FAKE_NVIDIA=0            the host's nvidia-smi fails (no GPU)
 *   FAKE_GPU_USABLE=0        nvidia-smi fails inside the GPU containers
 *   FAKE_CPU_UP=0            the CPU stack does not come up
 *   FAKE_HEALTH              what `health --line` prints (FAKE_HEALTH_CODE its exit)
 *   FAKE_CURL_CODE           curl's exit code
 *   FAKE_DOCKER_HANG         docker hangs (sleeps an hour) on calls whose arguments contain this
 */
export function fakeOps(): { bin: string; state: string; home: string } {
  const root = mkdtempSync(join(tmpdir(), 'mjolnir-ops-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  const home = join(root, 'home');
  for (const dir of [bin, state, home]) mkdirSync(dir);
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${state}/calls"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  tool(
    'docker',
    `case "$*" in *"\${FAKE_DOCKER_HANG:-no such call}"*) exec sleep 3600 ;; esac
case "$1" in
  info)
    n=$(( $(cat "${state}/info" 2>/dev/null || echo 0) + 1 )); echo $n > "${state}/info"
    [ "$n" -gt "\${FAKE_DOCKER_READY_AFTER:-0}" ]; exit $? ;;
  compose)
    [ "$2" = version ] && { echo "Docker Compose version v2.29.1"; exit 0; }
    gpu=0; case "$*" in *docker-compose.gpu.yml*) gpu=1 ;; esac
    case "$*" in
      *"exec -T paper nvidia-smi"*)
        [ "\${FAKE_GPU_USABLE:-1}" = 1 ] && { echo "GPU 0: NVIDIA GeForce GTX 1080 (UUID: GPU-0)"; exit 0; }
        echo "OCI runtime exec failed: nvidia-smi: not found"; exit 127 ;;
      *"exec -T paper node dist/cli/main.js health --line --url http://127.0.0.1:8080"*)
        [ -n "\${FAKE_HEALTH:-}" ] && printf '%s\\n' "$FAKE_HEALTH"; exit "\${FAKE_HEALTH_CODE:-0}" ;;
      *" up "*)
        [ $gpu = 0 ] && [ "\${FAKE_CPU_UP:-1}" = 0 ] && { echo "Error response from daemon: no space left"; exit 1; }
        echo " Container trade-paper-1  Started"; exit 0 ;;
      *" ps"*) echo "NAME STATUS"; echo "trade-paper-1 Up 3 seconds (healthy)"; exit 0 ;;
      *" down"*) echo " Container trade-paper-1  Removed"; exit 0 ;;
    esac ;;
esac
exit 0`,
  );
  tool(
    'nvidia-smi',
    `[ "\${FAKE_NVIDIA:-1}" = 1 ] && { echo "GPU 0: NVIDIA GeForce GTX 1080"; exit 0; }
echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"; exit 9`,
  );
  tool('curl', `exit "\${FAKE_CURL_CODE:-0}"`);
  return { bin, state, home };
}
