/**
 * A manifest as JSON text: indented, newline-terminated, with non-finite numbers (an undefined
 * ratio, an infinite profit factor) written as null, which JSON has no other way to say.
 */
export function manifestText(value: unknown): string {
  return `${JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
