import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CRD_PATH } from "../../../hack/gen-types.js";
import { CATEGORY, CRD_NAME, GROUP, KIND, PLURAL, SHORT_NAME, VERSION } from "../../../src/api/constants.js";

interface Schema {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames: string[]; categories: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

const root = fileURLToPath(new URL("../../../", import.meta.url));
const crd = parse(readFileSync(root + CRD_PATH, "utf8")) as Crd;
const version = crd.spec.versions[0];
const schema = version?.schema.openAPIV3Schema ?? {};

/** Every property below spec and status, with its path. */
function fields(s: Schema, path: string): [string, Schema][] {
  const out: [string, Schema][] = [];
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    out.push([`${path}.${key}`, prop], ...fields(prop, `${path}.${key}`));
  }
  if (s.items) out.push(...fields(s.items, `${path}[]`));
  return out;
}

describe("the ContainerGroup CRD", () => {
  it("has the identity in src/api/constants.ts", () => {
    expect(crd.metadata.name).toBe(CRD_NAME);
    expect(crd.spec.group).toBe(GROUP);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names.kind).toBe(KIND);
    expect(crd.spec.names.plural).toBe(PLURAL);
    expect(crd.spec.names.shortNames).toEqual([SHORT_NAME]);
    expect(crd.spec.names.categories).toEqual([CATEGORY]);
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([[VERSION, true, true]]);
    expect(version?.subresources?.status).toEqual({});
  });

  it("describes every field of spec and status, for kubectl explain", () => {
    const all = [
      ...fields(schema.properties?.spec ?? {}, "spec"),
      ...fields(schema.properties?.status ?? {}, "status"),
    ];
    expect(all.length).toBeGreaterThan(150);
    const undescribed = all.filter(([, s]) => !s.description?.trim()).map(([p]) => p);
    expect(undescribed).toEqual([]);
  });

  it("never keeps unknown fields: every field is in the schema", () => {
    const loose = fields(schema, "").filter(([, s]) => s["x-kubernetes-preserve-unknown-fields"]);
    expect(loose).toEqual([]);
  });
});
