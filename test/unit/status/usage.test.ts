import { describe, expect, it } from "vitest";
import type { Usage } from "../../../src/api/types.js";
import {
  computeUsage,
  MAX_COUNTED_POD_UIDS,
  podUsageRates,
  usageIsStale,
} from "../../../src/status/usage.js";
import {
  aContainer,
  aGroup,
  aPod,
  aRunningPod,
  at,
  containerStatus,
  podCondition,
  settings,
  terminated,
} from "../fixtures.js";

// 2 cores, 4 GB, 1 GPU: every running second adds 2, 4 and 1.
const group = aGroup({
  containers: [
    aContainer({ resources: { requests: { cpu: 1.5, memoryInGB: 3, gpu: { count: 1, sku: "T4" } } } }),
    aContainer({ name: "sidecar", resources: { requests: { cpu: 0.5, memoryInGB: 1 } } }),
  ],
});
const s = settings();

function finishedPod(uid: string, start: string, finish: string) {
  return aPod(group, {
    uid,
    phase: "Succeeded",
    startTime: start,
    containerStatuses: group.spec.containers.map((c) =>
      containerStatus(c.name, terminated(0, start, finish)),
    ),
  });
}

describe("podUsageRates", () => {
  it("sums the requests of the Pod's containers, GPUs under any GPU resource name", () => {
    expect(podUsageRates(aPod(group), s)).toEqual({ cpu: 2, memoryInGB: 4, gpu: 1 });
    expect(podUsageRates(aPod(group, { settings: settings({ runtimeClassName: "" }) }), s)).toEqual({
      cpu: 2,
      memoryInGB: 4,
      gpu: 1,
    });
  });
});

describe("computeUsage", () => {
  it("counts a running Pod's requests times its seconds, exact to the second at now", () => {
    const pod = aRunningPod(group, "2026-05-01T10:00:00Z", { uid: "a" });
    const usage = computeUsage(undefined, pod, s, at("2026-05-01T10:01:40.900Z"));
    expect(usage).toEqual({
      cpuCoreSeconds: 200,
      memoryGBSeconds: 400,
      gpuSeconds: 100,
      runningSeconds: 100,
      since: "2026-05-01T10:00:00Z",
      lastUpdateTime: "2026-05-01T10:01:40Z",
      finished: { cpuCoreSeconds: 0, memoryGBSeconds: 0, gpuSeconds: 0, runningSeconds: 0 },
      runningPodUID: "a",
    });
  });

  it("sums usage to the second across two Pods of the group, surviving the replacement", () => {
    const first = finishedPod("a", "2026-05-01T10:00:00Z", "2026-05-01T10:10:00Z"); // 600 s
    let usage = computeUsage(undefined, first, s, at("2026-05-01T10:10:05Z"));
    expect(usage.runningSeconds).toBe(600);
    expect(usage.countedPodUIDs).toEqual(["a"]);
    expect(usage.runningPodUID).toBeUndefined();

    // The first Pod is deleted; the second has run 30 s at now.
    const second = aRunningPod(group, "2026-05-01T10:20:00Z", { uid: "b" });
    usage = computeUsage(usage, second, s, at("2026-05-01T10:20:30Z"));
    expect(usage).toMatchObject({
      runningSeconds: 630,
      cpuCoreSeconds: 1260,
      memoryGBSeconds: 2520,
      gpuSeconds: 630,
      since: "2026-05-01T10:00:00Z",
      finished: { runningSeconds: 600 },
      runningPodUID: "b",
    });
  });

  it("counts a finished Pod once, however often it is seen", () => {
    const pod = finishedPod("a", "2026-05-01T10:00:00Z", "2026-05-01T10:00:10Z");
    let usage = computeUsage(undefined, pod, s, at("2026-05-01T10:00:20Z"));
    for (let minute = 1; minute <= 5; minute++) {
      usage = computeUsage(usage, pod, s, at(`2026-05-01T10:0${minute}:00Z`));
    }
    expect(usage.runningSeconds).toBe(10);
    expect(usage.cpuCoreSeconds).toBe(20);
  });

  it("gives the same totals when recomputed at the same moment (idempotent)", () => {
    const pod = aRunningPod(group, "2026-05-01T10:00:00Z", { uid: "a" });
    const now = at("2026-05-01T10:05:00Z");
    const once = computeUsage(undefined, pod, s, now);
    expect(computeUsage(once, pod, s, now)).toEqual(once);
    expect(computeUsage(computeUsage(once, pod, s, now), pod, s, now)).toEqual(once);
  });

  it("closes a running Pod that vanished unseen at the totals last written, once", () => {
    const pod = aRunningPod(group, "2026-05-01T10:00:00Z", { uid: "a" });
    const written = computeUsage(undefined, pod, s, at("2026-05-01T10:01:00Z"));
    const afterLoss = computeUsage(written, undefined, s, at("2026-05-01T10:30:00Z"));
    expect(afterLoss).toMatchObject({
      runningSeconds: 60,
      finished: { runningSeconds: 60 },
      countedPodUIDs: ["a"],
    });
    expect(afterLoss.runningPodUID).toBeUndefined();
    expect(computeUsage(afterLoss, undefined, s, at("2026-05-01T11:00:00Z")).runningSeconds).toBe(60);
  });

  it("ends a deleted Pod's interval at its last container's finish", () => {
    const start = "2026-05-01T10:00:00Z";
    const pod = aPod(group, {
      uid: "a",
      phase: "Running",
      startTime: start,
      deletionTimestamp: "2026-05-01T10:01:30Z",
      containerStatuses: [
        containerStatus("web", terminated(0, start, "2026-05-01T10:01:02Z")),
        containerStatus("sidecar", terminated(0, start, "2026-05-01T10:01:05Z")),
      ],
    });
    const usage = computeUsage(undefined, pod, s, at("2026-05-01T10:02:00Z"));
    expect(usage).toMatchObject({ runningSeconds: 65, countedPodUIDs: ["a"] });
  });

  it("ends a deleted Pod's interval at its deletion deadline at the latest", () => {
    const pod = aRunningPod(group, "2026-05-01T10:00:00Z", {
      uid: "a",
      deletionTimestamp: "2026-05-01T10:00:30Z",
    });
    expect(computeUsage(undefined, pod, s, at("2026-05-01T10:00:20Z"))).toMatchObject({
      runningSeconds: 20,
      runningPodUID: "a",
    });
    expect(computeUsage(undefined, pod, s, at("2026-05-01T10:05:00Z"))).toMatchObject({
      runningSeconds: 30,
      countedPodUIDs: ["a"],
    });
  });

  it("ends an evicted Pod without container finish times when its conditions last changed", () => {
    const pod = aPod(group, {
      uid: "a",
      phase: "Failed",
      reason: "Evicted",
      startTime: "2026-05-01T10:00:00Z",
      conditions: [podCondition("Ready", "False", { lastTransitionTime: at("2026-05-01T10:00:45Z") })],
    });
    expect(computeUsage(undefined, pod, s, at("2026-05-01T11:00:00Z")).runningSeconds).toBe(45);
  });

  it("counts nothing for a Pod that never started, and no usage at all for a stopped group", () => {
    const pending = aPod(group, { uid: "a" });
    const usage = computeUsage(undefined, pending, s, at("2026-05-01T10:00:00Z"));
    expect(usage.runningSeconds).toBe(0);
    expect(usage.since).toBeUndefined();
    expect(usage.runningPodUID).toBeUndefined();
    expect(computeUsage(usage, undefined, s, at("2026-05-01T11:00:00Z")).runningSeconds).toBe(0);
  });

  it("stops accruing when the group is stopped and its Pod is gone", () => {
    const pod = aRunningPod(group, "2026-05-01T10:00:00Z", {
      uid: "a",
      deletionTimestamp: "2026-05-01T10:10:30Z",
    });
    const atStop = computeUsage(undefined, pod, s, at("2026-05-01T10:10:30Z"));
    const later = computeUsage(atStop, undefined, s, at("2026-05-01T12:00:00Z"));
    expect(later.runningSeconds).toBe(630);
  });

  it("remembers only the most recent finished Pods", () => {
    let usage: Usage | undefined;
    for (let i = 0; i < MAX_COUNTED_POD_UIDS + 5; i++) {
      usage = computeUsage(
        usage,
        finishedPod(`p${i}`, "2026-05-01T10:00:00Z", "2026-05-01T10:00:01Z"),
        s,
        at("2026-05-01T11:00:00Z"),
      );
    }
    expect(usage?.countedPodUIDs).toHaveLength(MAX_COUNTED_POD_UIDS);
    expect(usage?.countedPodUIDs?.at(-1)).toBe(`p${MAX_COUNTED_POD_UIDS + 4}`);
    expect(usage?.runningSeconds).toBe(MAX_COUNTED_POD_UIDS + 5);
  });

  it("adds fractional cores without binary noise", () => {
    const small = aGroup({
      containers: [aContainer({ resources: { requests: { cpu: 0.1, memoryInGB: 0.3 } } })],
    });
    let usage: Usage | undefined;
    for (let i = 0; i < 3; i++) {
      const pod = aPod(small, {
        uid: `p${i}`,
        phase: "Succeeded",
        startTime: "2026-05-01T10:00:00Z",
        containerStatuses: [
          containerStatus("web", terminated(0, "2026-05-01T10:00:00Z", "2026-05-01T10:00:01Z")),
        ],
      });
      usage = computeUsage(usage, pod, s, at("2026-05-01T11:00:00Z"));
    }
    expect(usage?.cpuCoreSeconds).toBe(0.3);
    expect(usage?.memoryGBSeconds).toBe(0.9);
  });
});

describe("usageIsStale", () => {
  const pod = aRunningPod(group, "2026-05-01T10:00:00Z", { uid: "a" });
  const written = computeUsage(undefined, pod, s, at("2026-05-01T10:01:00Z"));

  it("waits for the interval while only the running totals grow", () => {
    expect(usageIsStale(written, computeUsage(written, pod, s, at("2026-05-01T10:01:59Z")), 60)).toBe(false);
    expect(usageIsStale(written, computeUsage(written, pod, s, at("2026-05-01T10:02:00Z")), 60)).toBe(true);
  });

  it("is stale at once when a Pod starts, finishes or vanishes", () => {
    expect(usageIsStale(undefined, written, 60)).toBe(true);
    expect(usageIsStale(written, computeUsage(written, undefined, s, at("2026-05-01T10:01:01Z")), 60)).toBe(
      true,
    );
  });

  it("is never stale when nothing runs, however much time passes", () => {
    const idle = computeUsage(undefined, undefined, s, at("2026-05-01T10:00:00Z"));
    expect(usageIsStale(idle, computeUsage(idle, undefined, s, at("2026-05-02T10:00:00Z")), 60)).toBe(false);
  });
});
