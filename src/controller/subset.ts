// "Apply only what differs": a desired child needs applying when some field we set differs from
// what the API server holds. Fields the server or other controllers add (defaults, status,
// clusterIP, finalizers) are not ours and do not count, so a converged child costs no write.

/**
 * True when every field of `desired` is present with an equal value in `observed`. Arrays must
 * have the same length and match element by element; objects may have more keys in `observed`.
 */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (desired === undefined) return true;
  if (desired === null || typeof desired !== "object")
    return desired === observed || looseEqual(desired, observed);
  if (Array.isArray(desired)) {
    // The API server omits empty lists (omitempty): a desired `[]` (a NetworkPolicy's `ingress: []`,
    // "admit nothing") comes back absent. Counting that as a difference re-applied the child, which
    // bumps its resourceVersion, whose watch event woke the group again: a hot loop of patches.
    if (desired.length === 0 && (observed === undefined || observed === null)) return true;
    if (!Array.isArray(observed) || observed.length !== desired.length) return false;
    return desired.every((d, i) => isSubset(d, observed[i]));
  }
  if (observed === null || typeof observed !== "object" || Array.isArray(observed)) return false;
  const o = observed as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([k, v]) => isSubset(v, o[k]));
}

// The API server returns some scalars in another spelling than the one applied: ports given as
// strings come back as numbers and vice versa in IntOrString fields.
function looseEqual(desired: unknown, observed: unknown): boolean {
  return (typeof desired === "number" || typeof desired === "string") && String(desired) === String(observed);
}

/**
 * Maps the operator owns whole (a Secret's `data`): a key it no longer renders must go, which
 * `isSubset` cannot see. True when `observed` has exactly the keys `desired` has in each field.
 */
export function sameKeys(desired: object, observed: object, fields: readonly string[]): boolean {
  const keys = (o: object, f: string) =>
    Object.keys((o as Record<string, object | undefined>)[f] ?? {}).sort();
  return fields.every((f) => JSON.stringify(keys(desired, f)) === JSON.stringify(keys(observed, f)));
}
