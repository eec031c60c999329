// The operator next to a GitOps tool: it never writes a group's spec or labels (so a re-apply sees
// no drift), it writes only what differs (so converged groups cost no writes, idle, re-applied or
// after a restart). Writes are counted from the API server's audit log, where the operator's
// requests carry client-node's user agent and the tests' writes carry kubectl's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ContainerGroup } from "../../../src/api/types.js";
import { usingExternalCluster } from "../env.js";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectl, kubectlOk } from "../harness.js";
import { type RunningOperator, startOperator } from "../operator.js";
import {
  type AuditMark,
  applyAll,
  auditLogAvailable,
  auditMark,
  condition,
  describeWrites,
  FIELD_MANAGER,
  getGroup,
  getPod,
  groupManifest,
  groupWhen,
  inState,
  operatorQuiet,
  operatorWritesSince,
  reader,
} from "./support.js";

const GROUPS = 50;
// A long usage interval: running groups' usage totals grow every second, and are written once an
// interval; these tests count the writes of everything else, which must be none.
const OPERATOR_ARGS = ["--kube-api-qps=200", "--kube-api-burst=400", "--usage-interval-seconds=3600"];

let ns = "";
let operator: RunningOperator | undefined;

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("op-gitops");
  operator = await startOperator({ namespace: ns, args: OPERATOR_ARGS });
});

afterAll(async () => {
  await operator?.stop();
  if (ns) await deleteNamespace(ns);
});

/** Half the groups have a Service, a NetworkPolicy with ports and an owned Secret; half have neither. */
function fleet(): Record<string, unknown>[] {
  return Array.from({ length: GROUPS }, (_, i) =>
    i % 2 === 0
      ? groupManifest(`g-${i}`, {
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              ports: [{ port: 80 }],
              environmentVariables: [{ name: "TOKEN", secureValue: `token-${i}` }],
              resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
            },
          ],
          ipAddress: { type: "Private", ports: [{ port: 80 }] },
        })
      : groupManifest(`g-${i}`, {
          containers: [
            { name: "main", image: "busybox:1.36", resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } } },
          ],
        }),
  );
}

const converged = (g: ContainerGroup) => inState("Running")(g) && condition(g, "Ready")?.status === "True";

async function allConverged(): Promise<void> {
  await eventually(
    `${GROUPS} groups Running and Ready`,
    async () => {
      const list = await reader.getPath<{ items: ContainerGroup[] }>(
        `/apis/containerinstances.dev/v1alpha1/namespaces/${ns}/containergroups`,
      );
      const ready = list.items.filter((g) => g.metadata.name?.startsWith("g-") && converged(g));
      return ready.length === GROUPS ? true : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
}

/** Exit 0 from `kubectl diff --server-side`: applying the manifests would change nothing. */
async function noDrift(manifests: unknown[]): Promise<void> {
  const r = await kubectl(["diff", "--server-side", "--field-manager=gitops", "-n", ns, "-f", "-"], {
    input: manifests.map((m) => stringify(m)).join("---\n"),
  });
  expect(r.stdout).toBe("");
  expect(r.code).toBe(0);
}

describe("the operator and a GitOps tool", () => {
  it("owns only the status of a group it updated, stopped, started and restarted, so a re-apply sees no drift", async () => {
    const manifest = groupManifest(
      "tracked",
      { containers: [{ name: "web", image: "nginx:1.27" }] },
      { labels: { team: "a" } },
    );
    const spec = manifest.spec as { containers: { image: string }[]; stopped?: boolean };
    await applyAll(ns, [manifest]);
    await groupWhen(ns, "tracked", "Running", inState("Running"));
    spec.containers[0] = { ...spec.containers[0], image: "nginx:1.28" } as { image: string };
    await applyAll(ns, [manifest]);
    await groupWhen(
      ns,
      "tracked",
      "Running at generation 2",
      (g) => inState("Running")(g) && g.metadata.generation === 2,
    );
    spec.stopped = true;
    await applyAll(ns, [manifest]);
    await groupWhen(ns, "tracked", "Stopped", inState("Stopped"));
    spec.stopped = false;
    await applyAll(ns, [manifest]);
    await groupWhen(ns, "tracked", "Running again", inState("Running"));
    await kubectlOk([
      "annotate",
      "-n",
      ns,
      "cg",
      "tracked",
      "containerinstances.dev/restartedAt=2026-01-01T00:00:00Z",
    ]);
    const before = (await getPod(ns, "tracked"))?.metadata?.uid;
    await eventually("the restarted Pod", async () => {
      const pod = await getPod(ns, "tracked");
      return pod && pod.metadata?.uid !== before && pod.status?.phase === "Running" ? true : undefined;
    });

    const group = await groupWhen(ns, "tracked", "Running", inState("Running"));
    const ours = (group.metadata.managedFields ?? []).filter((m) => m.manager === FIELD_MANAGER);
    expect(ours.length).toBeGreaterThan(0);
    for (const entry of ours) {
      expect(entry.subresource).toBe("status");
      expect(Object.keys(entry.fieldsV1 as Record<string, unknown>)).toEqual(["f:status"]);
    }
    expect(group.metadata.finalizers ?? []).toEqual([]);
    expect(group.metadata.labels).toEqual({ team: "a" });
    await noDrift([manifest]);
  });

  describe.skipIf(usingExternalCluster() || !auditLogAvailable())(`with ${GROUPS} converged groups`, () => {
    const manifests = fleet();
    let mark: AuditMark;

    it("creates them with a bounded number of writes per group", async () => {
      const start = auditMark();
      await applyAll(ns, manifests);
      await allConverged();
      mark = await operatorQuiet(ns);
      const writes = operatorWritesSince(start, ns).filter((w) => w.objectRef?.name?.startsWith("g-"));
      const perGroup = writes.length / GROUPS;
      const byKind = new Map<string, number>();
      for (const w of writes) {
        const kind = `${w.verb} ${w.objectRef?.resource}${w.objectRef?.subresource ? `/${w.objectRef.subresource}` : ""}`;
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      console.info(
        `writes to converge ${GROUPS} groups: ${writes.length} (${perGroup} per group)`,
        Object.fromEntries(byKind),
      );
      // Pod, Secret, Service, NetworkPolicy, two or three status writes and their Events. At
      // least the Pod create: none would mean the operator's user agent went unrecognised.
      expect(perGroup).toBeGreaterThanOrEqual(1);
      expect(perGroup).toBeLessThanOrEqual(10);
    });

    it("makes no write while idle for 20 s, nor when the same manifests are applied again", async () => {
      await applyAll(ns, manifests);
      await noDrift(manifests);
      // The one fixed wait: idleness is a duration.
      await new Promise((r) => setTimeout(r, 20_000));
      const writes = operatorWritesSince(mark, ns);
      expect(describeWrites(writes)).toBe("");
    });

    it("makes no write when restarted against them", async () => {
      await operator?.stop();
      const before = auditMark();
      operator = await startOperator({ namespace: ns, args: OPERATOR_ARGS });
      // It has looked at every group once it reconciled them all; then 15 s more.
      await eventually("the new operator to reconcile every group", async () => {
        const metrics = await operator?.metrics();
        const total = [
          ...(metrics ?? "").matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm),
        ].reduce((sum, m) => sum + Number(m[1]), 0);
        return total >= GROUPS + 1 ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 15_000));
      expect(describeWrites(operatorWritesSince(before, ns))).toBe("");
      // The operator's own count of what it sent agrees: reads only.
      const metrics = (await operator?.metrics()) ?? "";
      const writeRequests = metrics
        .split("\n")
        .filter((l) => /^rest_client_requests_total\{.*method="(POST|PUT|PATCH|DELETE)"/.test(l))
        .filter((l) => !l.endsWith(" 0"));
      expect(writeRequests).toEqual([]);
      expect((await getGroup(ns, "g-0"))?.status?.state).toBe("Running");
    });
  });
});
