import { describe, expect, it } from "vitest";
import { dropLastApplied, slimPod } from "../../../src/controller/caches.js";
import { computeStatus } from "../../../src/status/index.js";
import { computeUsage } from "../../../src/status/usage.js";
import { aContainer, aGroup, aRunningPod, at, settings } from "../fixtures.js";

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

describe("slimPod", () => {
  it("keeps of the spec only what status and usage read, so they come out the same from the slim Pod", () => {
    const group = aGroup({
      containers: [
        aContainer({ resources: { requests: { cpu: 1.5, memoryInGB: 3, gpu: { count: 1, sku: "T4" } } } }),
      ],
    });
    const full = aRunningPod(group, "2026-05-01T10:00:00Z", { uid: "a" });
    const slim = slimPod(structuredClone(full));
    expect(Object.keys(slim.spec ?? {}).sort()).toEqual(
      ["containers"].concat(full.spec?.nodeName ? ["nodeName"] : []),
    );
    expect(slim.spec?.containers).toEqual(
      full.spec?.containers.map((c) => ({ name: c.name, resources: c.resources })),
    );
    expect(slim.status).toEqual(full.status);
    expect(slim.metadata).toEqual(full.metadata);
    const now = at("2026-05-01T10:01:40Z");
    expect(computeUsage(undefined, slim, settings(), now)).toEqual(
      computeUsage(undefined, full, settings(), now),
    );
    const status = (pod: typeof full) =>
      computeStatus({ group, pod, service: undefined, now, settings: settings(), problems: [] });
    expect(status(slim)).toEqual(status(full));
  });
});
