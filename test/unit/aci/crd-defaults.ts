// The API server's defaulting, for tests: applies the CRD schema's `default`s to a spec the way the
// API server does (recursively, into objects that are present or defaulted), so example manifests
// can be compared with what the importer produces.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { ContainerGroupSpec } from "../../../src/api/types.js";

interface Schema {
  type?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
}

const crdPath = fileURLToPath(
  new URL("../../../crds/containerinstances.dev_containergroups.yaml", import.meta.url),
);
const crd = parse(readFileSync(crdPath, "utf8")) as {
  spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
};
const specSchema = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;

function applyDefaults(value: unknown, schema: Schema): unknown {
  if (Array.isArray(value))
    return schema.items ? value.map((item) => applyDefaults(item, schema.items!)) : value;
  if (value === null || typeof value !== "object" || !schema.properties) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, child] of Object.entries(schema.properties)) {
    if (out[key] === undefined && child.default !== undefined) out[key] = structuredClone(child.default);
    if (out[key] !== undefined) out[key] = applyDefaults(out[key], child);
  }
  return out;
}

export function withCrdDefaults(spec: unknown): ContainerGroupSpec {
  return applyDefaults(spec, specSchema) as ContainerGroupSpec;
}
