// Deterministic hashes for names and change detection. Rendering must give the same bytes for
// the same input on every replica and every restart, so nothing here may depend on key order.

import { createHash } from "node:crypto";

/** JSON with object keys sorted and `undefined` members dropped, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Date) {
      return v;
    }
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const member = (v as Record<string, unknown>)[k];
      if (member !== undefined) sorted[k] = member;
    }
    return sorted;
  });
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A short, lowercase, DNS-safe hash of some strings: the low base36 digits of the first 64 bits of
 * their sha256 (the low digits are evenly spread; the leading ones are not). Parts are joined with
 * NUL so ("ab", "c") and ("a", "bc") differ.
 */
export function shortHash(parts: readonly string[], length = 6): string {
  const digest = createHash("sha256").update(parts.join("\0")).digest();
  const base36 = digest.readBigUInt64BE(0).toString(36).padStart(13, "0");
  return base36.slice(-length);
}

/**
 * A deep copy of a JSON-like value without `undefined` members, so a rendered object compares and
 * serialises like what the API server returns.
 */
export function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => dropUndefined(item)) as T;
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) copy[key] = dropUndefined(member);
  }
  return copy as T;
}
