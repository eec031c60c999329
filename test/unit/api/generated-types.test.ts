import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CRD_PATH, generate, OUTPUT_PATH } from "../../../hack/gen-types.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("generated ContainerGroup types", () => {
  it("match the CRD (run `npm run gen:types` after changing the CRD)", () => {
    const wanted = generate(readFileSync(root + CRD_PATH, "utf8"));
    const committed = readFileSync(root + OUTPUT_PATH, "utf8");
    expect(committed, `${OUTPUT_PATH} is out of date with ${CRD_PATH}: run \`npm run gen:types\``).toBe(
      wanted,
    );
  });

  it("refuse an object the generator has no type name for", () => {
    const crd = `
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                mystery: {type: object, properties: {a: {type: string}}}
            status: {type: object}
`;
    expect(() => generate(crd)).toThrow(/spec\.mystery: an object needs a type name/);
  });
});
