import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { ContainerGroup } from "../../../src/api/types.js";
import { registerGroupMetrics } from "../../../src/controller/metrics.js";
import { computeUsage } from "../../../src/status/usage.js";
import { aContainer, aGroup, aRunningPod, at, settings } from "../fixtures.js";

// 2 cores and 1 GB: every running second adds 2 core-seconds.
function runningGroup(name: string, namespace: string): ContainerGroup {
  const group = aGroup({ containers: [aContainer({ resources: { requests: { cpu: 2, memoryInGB: 1 } } })] });
  group.metadata.name = name;
  group.metadata.namespace = namespace;
  group.status = { state: "Running" };
  return group;
}

describe("registerGroupMetrics", () => {
  it("reports usage live at scrape time, beyond what the status last wrote, summed by namespace", async () => {
    const s = settings();
    const a = runningGroup("a", "team-a");
    const b = runningGroup("b", "team-a");
    const c = runningGroup("c", "team-c");
    const pods = new Map(
      [a, b, c].map((g) => [
        g.metadata.name,
        aRunningPod(g, "2026-05-01T10:00:00Z", { uid: g.metadata.name }),
      ]),
    );
    // Written at the state change, 10 s after the start; the scrape is 100 s after it.
    for (const g of [a, b, c]) {
      g.status = {
        state: "Running",
        usage: computeUsage(undefined, pods.get(g.metadata.name), s, at("2026-05-01T10:00:10Z")),
      };
    }
    const now = at("2026-05-01T10:01:40Z");

    const registry = new Registry();
    let computed = 0;
    registerGroupMetrics(
      registry,
      () => [a, b, c],
      (g) => {
        computed++;
        return computeUsage(g.status?.usage, pods.get(g.metadata.name), s, now);
      },
    );
    const text = await registry.metrics();
    // One scrape computes each group's usage once, not once per usage gauge (four of them).
    expect(computed).toBe(3);

    expect(text).toContain('containerinstances_usage_cpu_core_seconds{namespace="team-a"} 400');
    expect(text).toContain('containerinstances_usage_cpu_core_seconds{namespace="team-c"} 200');
    expect(text).toContain('containerinstances_usage_running_seconds{namespace="team-a"} 200');
    expect(text).toContain('containerinstances_groups{state="Running",ready="false"} 3');
  });

  it("computes afresh for every scrape, however soon after the last one", async () => {
    const group = runningGroup("a", "team-a");
    const registry = new Registry();
    let cpuCoreSeconds = 0;
    registerGroupMetrics(
      registry,
      () => [group],
      () => ({ cpuCoreSeconds }),
    );
    expect(await registry.metrics()).toContain(
      'containerinstances_usage_cpu_core_seconds{namespace="team-a"} 0',
    );
    cpuCoreSeconds = 2;
    expect(await registry.metrics()).toContain(
      'containerinstances_usage_cpu_core_seconds{namespace="team-a"} 2',
    );
  });
});
