// The product's own metrics, computed from the groups cache when Prometheus scrapes, so they cost
// nothing between scrapes and can never disagree with what `kubectl get cg` shows.
import { Gauge, type Registry } from "prom-client";
import type { ContainerGroup, GroupState, Usage } from "../api/types.js";
import { addUsage, type UsageTotals, usageTotals, ZERO_USAGE } from "../status/index.js";

const STATES: readonly GroupState[] = ["Pending", "Running", "Succeeded", "Failed", "Stopped"];

/**
 * `liveUsage` gives a group's usage to the second at scrape time (the written totals plus what its
 * running Pod has accrued since), so the counters are current without any write to the API server.
 */
export function registerGroupMetrics(
  registry: Registry,
  groups: () => readonly ContainerGroup[],
  liveUsage: (group: ContainerGroup) => Usage | undefined,
): void {
  new Gauge({
    name: "containerinstances_groups",
    help: "ContainerGroups by state (groups not yet reconciled count as Pending); ready is the Ready condition",
    labelNames: ["state", "ready"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const state of STATES) for (const ready of ["true", "false"]) counts.set(`${state}|${ready}`, 0);
      for (const group of groups()) {
        const state = group.status?.state ?? "Pending";
        const ready = group.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
        const key = `${state}|${ready}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, value] of counts) {
        const [state = "", ready = ""] = key.split("|");
        this.set({ state, ready }, value);
      }
    },
  });

  // Usage to the second, live: status.usage is written on state changes (and, if configured, at an
  // interval); between writes these add what running Pods accrued. They only grow while groups live;
  // a deleted group's usage leaves the sum, as ACI's bill for it is final. prom-client calls every
  // gauge's collect in one synchronous pass of a scrape, so the totals are computed once for the
  // four and forgotten in the next microtask: a later scrape, however soon, never sees stale ones.
  let snapshot: Map<string, UsageTotals> | undefined;
  const usageByNamespace = (): Map<string, UsageTotals> => {
    if (snapshot) return snapshot;
    const byNamespace = new Map<string, UsageTotals>();
    for (const group of groups()) {
      const ns = group.metadata.namespace ?? "";
      byNamespace.set(ns, addUsage(byNamespace.get(ns) ?? ZERO_USAGE, usageTotals(liveUsage(group))));
    }
    snapshot = byNamespace;
    queueMicrotask(() => {
      snapshot = undefined;
    });
    return byNamespace;
  };
  const usage = (name: string, help: string, pick: (u: UsageTotals) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["namespace"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [namespace, sum] of usageByNamespace()) this.set({ namespace }, pick(sum));
      },
    });
  usage(
    "containerinstances_usage_cpu_core_seconds",
    "Requested cores × running seconds of live groups, by namespace",
    (u) => u.cpuCoreSeconds,
  );
  usage(
    "containerinstances_usage_memory_gb_seconds",
    "Requested GB × running seconds of live groups, by namespace",
    (u) => u.memoryGBSeconds,
  );
  usage(
    "containerinstances_usage_gpu_seconds",
    "Requested GPUs × running seconds of live groups, by namespace",
    (u) => u.gpuSeconds,
  );
  usage(
    "containerinstances_usage_running_seconds",
    "Running seconds of live groups, by namespace",
    (u) => u.runningSeconds,
  );
}
