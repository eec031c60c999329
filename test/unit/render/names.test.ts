import { describe, expect, it } from "vitest";
import {
  boundedName,
  claimServesVolume,
  controllerReference,
  isControlledBy,
  persistentVolumeName,
} from "../../../src/render/names.js";
import { aGroup } from "../fixtures.js";

describe("names", () => {
  it("keeps a short name as written", () => {
    expect(boundedName(["hello", "env"])).toBe("hello-env");
  });

  it("cuts a long name to the limit and ends it with a hash of the whole", () => {
    const long = boundedName(["a".repeat(300), "env"]);
    const other = boundedName(["a".repeat(300), "registry"]);
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^a+-[0-9a-z]{8}$/);
    expect(other).not.toBe(long);
    expect(boundedName(["x".repeat(70)], 63).length).toBeLessThanOrEqual(63);
  });

  it("names PersistentVolumes with namespace, group and volume, kept apart by a hash", () => {
    const a = persistentVolumeName(aGroup({}, { namespace: "a-b", name: "c" }), "v");
    const b = persistentVolumeName(aGroup({}, { namespace: "a", name: "b-c" }), "v");
    expect(a).toMatch(/^aci-a-b-c-v-[0-9a-z]{6}$/);
    expect(b).not.toBe(a);
  });

  it("recognises children the group controls by uid, not by name", () => {
    const group = aGroup();
    expect(isControlledBy({ metadata: { ownerReferences: [controllerReference(group)] } }, group)).toBe(true);
    const impostor = { ...controllerReference(group), uid: "other" };
    expect(isControlledBy({ metadata: { ownerReferences: [impostor] } }, group)).toBe(false);
    expect(isControlledBy({ metadata: {} }, group)).toBe(false);
  });

  it("recognises a retained claim by its group and volume labels", () => {
    const group = aGroup();
    const labels = { "containerinstances.dev/group": "hello", "containerinstances.dev/volume": "data" };
    expect(claimServesVolume({ metadata: { labels } }, group, "data")).toBe(true);
    expect(claimServesVolume({ metadata: { labels } }, group, "other")).toBe(false);
    expect(claimServesVolume({ metadata: {} }, group, "data")).toBe(false);
  });
});
