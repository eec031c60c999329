// Proves the test cluster is a real one: scheduling, extended resources, garbage collection and
// admission all come from the real control plane, not from us.
import { execFileSync } from "node:child_process";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, usingExternalCluster } from "../env.js";
import { createNamespace, deleteNamespace, eventually, kubectlOk, loadKubeConfig } from "../harness.js";
import { realNode } from "../plane.js";

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
let ns = "";

beforeAll(async () => {
  ns = await createNamespace("plane");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

function pod(
  name: string,
  extra: Partial<k8s.V1PodSpec> = {},
  annotations: Record<string, string> = {},
): k8s.V1Pod {
  return {
    metadata: { name, annotations },
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "main", image: "busybox:1.36" }],
      ...extra,
    },
  };
}

async function podWhen(name: string, what: string, ok: (p: k8s.V1Pod) => boolean): Promise<k8s.V1Pod> {
  return eventually(`${name}: ${what}`, async () => {
    const p = await core.readNamespacedPod({ name, namespace: ns });
    return ok(p) ? p : undefined;
  });
}

// The local plane's fake nodes (GPU node, exit-code Stage) exist only there; on another cluster
// (kind) these checks of the plane itself are skipped, and the operator's suite still runs.
describe.skipIf(usingExternalCluster())("the local control plane", () => {
  it("schedules a Pod onto a fake node, where it becomes Running with an IP", async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod("runs") });
    const p = await podWhen(
      "runs",
      "Running with an IP",
      (p) => p.status?.phase === "Running" && !!p.status.podIP,
    );
    expect(p.spec?.nodeName).toMatch(/^kwok-/);
  });

  it("places a Pod that requests a GPU on the GPU node", async () => {
    const gpu = { limits: { "nvidia.com/gpu": "1" } };
    await core.createNamespacedPod({
      namespace: ns,
      body: pod("gpu", { containers: [{ name: "main", image: "cuda:12", resources: gpu }] }),
    });
    const p = await podWhen("gpu", "Running", (p) => p.status?.phase === "Running");
    expect(p.spec?.nodeName).toBe("kwok-gpu-0");
  });

  it("leaves a Pod that asks for more GPUs than exist Pending as Unschedulable", async () => {
    const tooMany = { limits: { "nvidia.com/gpu": "5" } };
    await core.createNamespacedPod({
      namespace: ns,
      body: pod("too-many-gpus", { containers: [{ name: "main", image: "cuda:12", resources: tooMany }] }),
    });
    const p = await podWhen("too-many-gpus", "Unschedulable", (p) =>
      (p.status?.conditions ?? []).some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"),
    );
    expect(p.status?.phase).toBe("Pending");
    const cond = p.status?.conditions?.find((c) => c.type === "PodScheduled");
    expect(cond?.message).toContain("nvidia.com/gpu");
  });

  it("garbage-collects an object whose owner is deleted", async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "owner" } },
    });
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: {
          name: "owned",
          ownerReferences: [
            { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata?.uid ?? "" },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ name: "owner", namespace: ns });
    await eventually(
      "the owned ConfigMap to be collected",
      async () => {
        try {
          await core.readNamespacedConfigMap({ name: "owned", namespace: ns });
          return undefined;
        } catch (e) {
          return e instanceof k8s.ApiException && e.code === 404 ? true : undefined;
        }
      },
      { timeoutMs: 60_000 },
    );
  });

  it("rejects at admission a Pod that names a RuntimeClass that does not exist", async () => {
    const err = await core
      .createNamespacedPod({ namespace: ns, body: pod("no-rc", { runtimeClassName: "does-not-exist" }) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(k8s.ApiException);
    const e = err as k8s.ApiException<unknown>;
    expect(e.code).toBe(403);
    expect(String(e.body)).toContain("does-not-exist");
  });

  it("admits a Pod with the kata RuntimeClass, adds its overhead and runs it on a Kata node", async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod("kata", { runtimeClassName: "kata" }) });
    const p = await podWhen("kata", "Running", (p) => p.status?.phase === "Running");
    expect(p.spec?.overhead).toEqual({ cpu: "250m", memory: "160Mi" });
    const node = await core.readNode({ name: p.spec?.nodeName ?? "" });
    expect(node.metadata?.labels?.["katacontainers.io/kata-runtime"]).toBe("true");
  });

  it("terminates a Pod's containers with the exit code a test asks for", async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: pod("exits", {}, { "sim.containerinstances.dev/exit-code": "3" }),
    });
    const p = await podWhen("exits", "Failed", (p) => p.status?.phase === "Failed");
    const term = p.status?.containerStatuses?.[0]?.state?.terminated;
    expect(term?.exitCode).toBe(3);
    expect(term?.startedAt).toBeDefined();
  });

  // The version matrix (make test-matrix): KUBE_VERSION picks the build, and the whole plane,
  // the real node's kubelet and kubectl included, must be that build.
  it("runs the Kubernetes that hack/tools.sh pins for KUBE_VERSION, on every component", async () => {
    const pinned = execFileSync(`${repoRoot}/hack/tools.sh`, ["version", "kubernetes"], {
      encoding: "utf8",
    }).trim();
    const versions = JSON.parse(await kubectlOk(["version", "-o", "json"])) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(versions.serverVersion.gitVersion).toBe(pinned);
    expect(versions.clientVersion.gitVersion).toBe(pinned);
    if (realNode) {
      const node = await core.readNode({ name: realNode.node });
      expect(node.status?.nodeInfo?.kubeletVersion).toBe(pinned);
    }
  });
});
