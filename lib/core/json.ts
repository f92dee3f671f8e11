/**
 * A manifest as JSON text: indented, newline-terminated, with non-finite numbers (an undefined
 * ratio, an infinite profit factor) written as null, which JSON has no other way to say.
 */
export function manifestText(value: unknown): string {
  return `${JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/**
 * A value as JSON with every object's keys sorted, as `JSON.stringify` writes values (non-finite
 * numbers as null, undefined members left out): equal values give the same text, whatever the order
 * their keys were written in. What content hashes are taken of.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(JSON.parse(JSON.stringify(value) ?? 'null')));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortedKeys(record[key])]),
  );
}

const NON_FINITE = '__number';

/**
 * JSON that brings every number back as it was: NaN and the infinities (an undefined ratio, an
 * infinite profit factor) as `{"__number":"NaN"}`, where plain JSON would make them null. What results
 * crossing a queue are written in, so a distributed run's report is byte-identical to a local one.
 */
export function exactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v,
  );
}

/** The value `exactJson` wrote. */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    return keys.length === 1 && keys[0] === NON_FINITE
      ? Number((v as Record<string, string>)[NON_FINITE])
      : v;
  });
}
