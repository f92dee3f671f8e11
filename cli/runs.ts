import { execFileSync } from 'node:child_process';
import { systemClock } from '@mjolnir/lib';

/** The code a run was made with: the git commit (with "-dirty" for local changes), else the package version. */
export function codeVersion(env: Readonly<Record<string, string | undefined>>): string {
  // An image built without its .git says the commit it was built from (docker/Dockerfile).
  const given = env['MJOLNIR_CODE_VERSION'];
  if (given) return given;
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty === '' ? commit : `${commit}-dirty`;
  } catch {
    // No git here, or not a checkout (an installed package): the package version says which code.
    return `mjolnir ${env['npm_package_version'] ?? 'unknown'}`;
  }
}

/** A RUNID from the wall clock, as the runbooks make them: `<prefix>_YYYYmmdd_HHMMSS`. */
export function runIdNow(prefix: string): string {
  const iso = new Date(systemClock.now()).toISOString();
  return `${prefix}_${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
}
