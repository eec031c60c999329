// Server-side apply only removes fields that the applier's *Apply* entry owns. A child first made
// with `create` is owned by an *Update* entry of the same manager, so a later apply that drops a
// field (a port, a Secret key) would leave it behind. Before such an apply, the manager's entries
// are folded into one Apply entry, as kubectl does when it upgrades client-side apply
// (k8s.io/client-go/util/csaupgrade).
import type { V1ManagedFieldsEntry } from "@kubernetes/client-node";

type FieldSet = Record<string, unknown>;

function isFieldSet(value: unknown): value is FieldSet {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The union of two fieldsV1 tries (each key a field, each leaf `{}`). */
export function unionFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    out[key] = isFieldSet(mine) && isFieldSet(value) ? unionFieldSets(mine, value) : value;
  }
  return out;
}

/**
 * The managedFields with every main-resource entry of `manager` merged into a single Apply entry,
 * or undefined when there is nothing to fold (no Update entry of that manager).
 */
export function foldIntoApplyEntry(
  entries: readonly V1ManagedFieldsEntry[],
  manager: string,
): V1ManagedFieldsEntry[] | undefined {
  const ours = (e: V1ManagedFieldsEntry) => e.manager === manager && !e.subresource;
  const mine = entries.filter(ours);
  if (!mine.some((e) => e.operation === "Update")) return undefined;
  const apply = mine.find((e) => e.operation === "Apply") ?? mine[0];
  if (!apply) return undefined;
  let fields: FieldSet = {};
  for (const e of mine) if (isFieldSet(e.fieldsV1)) fields = unionFieldSets(fields, e.fieldsV1);
  const folded: V1ManagedFieldsEntry = {
    ...apply,
    operation: "Apply",
    fieldsType: "FieldsV1",
    fieldsV1: fields,
  };
  return [...entries.filter((e) => !ours(e)), folded];
}
