/** One doctor line: OK, WARN or FAIL, what was found, and for a FAIL (or WARN) the command that fixes it. */
export interface DoctorCheck {
  readonly name: string;
  readonly status: 'OK' | 'WARN' | 'FAIL';
  readonly detail: string;
  readonly fix?: string;
}

export const ok = (name: string, detail: string): DoctorCheck => ({ name, status: 'OK', detail });
export const warn = (name: string, detail: string, fix?: string): DoctorCheck => ({
  name,
  status: 'WARN',
  detail,
  ...(fix === undefined ? {} : { fix }),
});
export const fail = (name: string, detail: string, fix: string): DoctorCheck => ({
  name,
  status: 'FAIL',
  detail,
  fix,
});

/** 0 all OK, 1 a WARN, 2 a FAIL (as `mjolnir health`). */
export function doctorExitCode(checks: readonly DoctorCheck[]): number {
  if (checks.some((c) => c.status === 'FAIL')) return 2;
  return checks.some((c) => c.status === 'WARN') ? 1 : 0;
}
