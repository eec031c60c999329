import { describe, expect, it } from "vitest";
import { foldIntoApplyEntry, unionFieldSets } from "../../../src/runtime/field-ownership.js";

const M = "container-instances-operator";

describe("foldIntoApplyEntry", () => {
  it("turns the manager's create-time Update entry into an Apply entry that owns the same fields", () => {
    const entries = [
      {
        manager: M,
        operation: "Update",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {} } },
      },
      {
        manager: "kubectl",
        operation: "Update",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:x": {} },
      },
    ];
    const folded = foldIntoApplyEntry(entries, M);
    expect(folded).toEqual([
      entries[1],
      {
        manager: M,
        operation: "Apply",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {} } },
      },
    ]);
  });

  it("merges an Update and an Apply entry of the manager into one Apply entry with the union of fields", () => {
    const folded = foldIntoApplyEntry(
      [
        { manager: M, operation: "Update", fieldsV1: { "f:data": { "f:a": {} } } },
        { manager: M, operation: "Apply", fieldsV1: { "f:data": { "f:b": {} }, "f:type": {} } },
      ],
      M,
    );
    expect(folded).toHaveLength(1);
    expect(folded?.[0]?.operation).toBe("Apply");
    expect(folded?.[0]?.fieldsV1).toEqual({ "f:data": { "f:a": {}, "f:b": {} }, "f:type": {} });
  });

  it("leaves alone entries that need no folding and status subresource entries", () => {
    expect(foldIntoApplyEntry([{ manager: M, operation: "Apply", fieldsV1: {} }], M)).toBeUndefined();
    expect(
      foldIntoApplyEntry([{ manager: M, operation: "Update", subresource: "status", fieldsV1: {} }], M),
    ).toBeUndefined();
  });

  it("unions nested field sets without losing either side", () => {
    expect(unionFieldSets({ "f:a": { "f:b": {} } }, { "f:a": { "f:c": {} }, "f:d": {} })).toEqual({
      "f:a": { "f:b": {}, "f:c": {} },
      "f:d": {},
    });
  });
});
