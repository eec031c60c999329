// Timestamps arrive as Date (client-node's deserialiser) or as RFC 3339 strings (raw JSON);
// status is written with whole seconds, as metav1.Time serialises.

export type Timestamp = Date | string;

export function toDate(value: Timestamp | undefined | null): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** RFC 3339 with second precision: `2026-05-01T10:00:00Z`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** RFC 3339 of a timestamp, or undefined. */
export function formatTimestamp(value: Timestamp | undefined | null): string | undefined {
  const date = toDate(value);
  return date ? rfc3339(date) : undefined;
}

/** Whole seconds from `from` to `to`, never negative. */
export function wholeSecondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));
}
