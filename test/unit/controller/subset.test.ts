import { describe, expect, it } from "vitest";
import { isSubset, sameKeys } from "../../../src/controller/subset.js";

describe("isSubset", () => {
  it("ignores what the API server adds and sees what differs", () => {
    const desired = { spec: { ports: [{ port: 80, protocol: "TCP" }] } };
    expect(
      isSubset(desired, {
        spec: { clusterIP: "10.0.0.1", ports: [{ port: 80, protocol: "TCP", nodePort: 3 }] },
      }),
    ).toBe(true);
    expect(isSubset(desired, { spec: { ports: [{ port: 81, protocol: "TCP" }] } })).toBe(false);
    expect(isSubset(desired, { spec: { ports: [] } })).toBe(false);
  });

  it("treats an empty desired list as matching an omitted one (omitempty)", () => {
    expect(isSubset({ spec: { ingress: [] } }, { spec: {} })).toBe(true);
  });

  it("compares IntOrString values by their spelling", () => {
    expect(isSubset({ targetPort: 80 }, { targetPort: "80" })).toBe(true);
  });
});

describe("sameKeys", () => {
  it("notices a key the operator stopped rendering", () => {
    expect(sameKeys({ data: { a: "1" } }, { data: { a: "1", b: "2" } }, ["data"])).toBe(false);
    expect(sameKeys({ data: { a: "1" } }, { data: { a: "x" } }, ["data"])).toBe(true);
  });
});
