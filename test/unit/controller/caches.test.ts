import { describe, expect, it } from "vitest";
import { dropLastApplied } from "../../../src/controller/caches.js";

describe("dropLastApplied", () => {
  it("drops kubectl's copy of the object from what is cached, and keeps every other annotation", () => {
    const group = {
      metadata: {
        name: "web",
        annotations: {
          "kubectl.kubernetes.io/last-applied-configuration": '{"spec":{}}',
          "containerinstances.dev/restartedAt": "2026-05-01T10:00:00Z",
        },
      },
    };
    expect(dropLastApplied(group).metadata.annotations).toEqual({
      "containerinstances.dev/restartedAt": "2026-05-01T10:00:00Z",
    });
    const plain = { metadata: { name: "db" } };
    expect(dropLastApplied(plain)).toEqual({ metadata: { name: "db" } });
  });
});
