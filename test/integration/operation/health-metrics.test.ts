// What a cluster admin scrapes and probes: /healthz, /readyz and /metrics with the names
// Kubernetes users already graph, plus the product's own gauges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectlOk } from "../harness.js";
import { type RunningOperator, startOperator } from "../operator.js";

let ns = "";
let op: RunningOperator;

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("ops");
  op = await startOperator({ namespace: ns });
});
afterAll(async () => {
  await op?.stop();
  await deleteNamespace(ns);
});

describe("health and metrics", () => {
  it("answers /healthz and /readyz once its caches are synced", async () => {
    const base = `http://127.0.0.1:${op.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz?verbose`);
    expect(ready.status).toBe(200);
  });

  it("exports controller-runtime's and client-go's metric names and the groups by state", async () => {
    await kubectlOk(["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "containerinstances.dev/v1alpha1",
        kind: "ContainerGroup",
        metadata: { name: "metered", namespace: ns },
        spec: {
          containers: [
            { name: "app", image: "busybox:1.36", resources: { requests: { cpu: 2, memoryInGB: 1 } } },
          ],
        },
      }),
    });
    const text = await eventually("a Running group in the metrics", async () => {
      const t = await op.metrics();
      return /containerinstances_groups\{state="Running",ready="true"\} 1/.test(t) ? t : undefined;
    });
    for (const name of [
      "controller_runtime_reconcile_total",
      "controller_runtime_reconcile_time_seconds_bucket",
      "workqueue_depth",
      "workqueue_adds_total",
      "workqueue_queue_duration_seconds_bucket",
      "workqueue_work_duration_seconds_bucket",
      "rest_client_requests_total",
      "containerinstances_usage_cpu_core_seconds",
      "process_resident_memory_bytes",
    ]) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(
      /controller_runtime_reconcile_total\{controller="containergroup",result="[a-z_]+"\} [1-9]/,
    );
  });

  it("counts usage live in /metrics while status.usage keeps its last state-change write", async () => {
    type Group = {
      status?: { state?: string; usage?: { lastUpdateTime?: string; cpuCoreSeconds?: number } };
    };
    const group = async () =>
      JSON.parse(await kubectlOk(["get", "cg", "metered", "-n", ns, "-o", "json"])) as Group;
    const running = await eventually("the metered group Running", async () => {
      const g = await group();
      return g.status?.state === "Running" && g.status.usage?.lastUpdateTime ? g : undefined;
    });
    const written = running.status?.usage;
    const cpuSeconds = async () => {
      const m = new RegExp(
        `containerinstances_usage_cpu_core_seconds\\{namespace="${ns}"\\} ([0-9.e+]+)`,
      ).exec(await op.metrics());
      return m ? Number(m[1]) : undefined;
    };
    const first = await eventually("a usage metric for the namespace", cpuSeconds);
    expect(first).toBeGreaterThanOrEqual(written?.cpuCoreSeconds ?? 0);
    // 2 cores: two more running seconds add 4 core-seconds, with no write to the group.
    await eventually("the usage metric to grow", async () => {
      const now = await cpuSeconds();
      return now !== undefined && now >= first + 4 ? now : undefined;
    });
    expect((await group()).status?.usage).toEqual(written);
  });

  it("logs JSON lines with a level and never an unstructured line", () => {
    const lines = op.logs().split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line) as { level?: string; message?: string };
      expect(entry.level).toMatch(/^(error|warn|info|debug)$/);
      expect(typeof entry.message).toBe("string");
    }
  });
});
