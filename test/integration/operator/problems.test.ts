// What only the cluster can judge: a missing RuntimeClass, a missing Secret, a quota that forbids
// the Pod, no node that fits. Each becomes Ready=False with a reason and a message that says what
// to do, a Warning Event, and a retry with backoff that succeeds once the cluster is fixed. One
// bad group never holds up the others.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, kubectl, kubectlOk } from "../harness.js";
import { type RunningOperator, startOperator } from "../operator.js";
import {
  applyAll,
  condition,
  eventWith,
  getPod,
  groupManifest,
  groupWhen,
  inState,
  readyBecause,
  runnableHandler,
} from "./support.js";

// Cluster-scoped, so unique to this run: no other file or run can create it for us.
const missingRuntimeClass = `cio-missing-${randomBytes(3).toString("hex")}`;

let ns = "";
let rcNs = "";
const operators: RunningOperator[] = [];

beforeAll(async () => {
  await applyCrds();
  [ns, rcNs] = await Promise.all([createNamespace("op-problems"), createNamespace("op-problems-rc")]);
  operators.push(
    ...(await Promise.all([
      startOperator({ namespace: ns }),
      startOperator({ namespace: rcNs, args: [`--runtime-class=${missingRuntimeClass}`] }),
    ])),
  );
});

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await kubectl(["delete", "runtimeclass", missingRuntimeClass, "--ignore-not-found"]);
  await Promise.all([ns, rcNs].filter(Boolean).map(deleteNamespace));
});

function withSecretFromRef(name: string, secret: string) {
  return groupManifest(name, {
    containers: [
      {
        name: "app",
        image: "busybox:1.36",
        environmentVariables: [
          { name: "DB_PASSWORD", secureValueFrom: { secretKeyRef: { name: secret, key: "password" } } },
        ],
      },
    ],
  });
}

function withGpus(name: string, count: number) {
  return groupManifest(name, {
    containers: [
      {
        name: "train",
        image: "cuda:12",
        resources: { requests: { cpu: 1, memoryInGB: 4, gpu: { count, sku: "V100" } } },
      },
    ],
  });
}

describe("what only the cluster can judge", () => {
  it("a missing RuntimeClass makes Ready False with RuntimeClassNotFound, and the group runs once it exists", async () => {
    await applyAll(rcNs, [groupManifest("isolated")]);
    const group = await groupWhen(
      rcNs,
      "isolated",
      "RuntimeClassNotFound",
      readyBecause("RuntimeClassNotFound"),
    );
    expect(group.status?.state).toBe("Pending");
    expect(condition(group, "Ready")?.message).toContain(missingRuntimeClass);
    expect(condition(group, "Ready")?.message).toMatch(/Install Kata|runtime class setting/);
    const event = await eventWith(rcNs, "isolated", "RuntimeClassNotFound");
    expect(event.type).toBe("Warning");
    expect(await getPod(rcNs, "isolated")).toBeUndefined();

    await kubectlOk(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "node.k8s.io/v1",
        kind: "RuntimeClass",
        metadata: { name: missingRuntimeClass },
        handler: runnableHandler,
      }),
    });
    const running = await groupWhen(rcNs, "isolated", "Running", inState("Running"));
    expect(condition(running, "Ready")).toMatchObject({ status: "True", reason: "Running" });
    expect((await getPod(rcNs, "isolated"))?.spec?.runtimeClassName).toBe(missingRuntimeClass);
  });

  it("a missing Secret for secureValueFrom makes Ready False with SecretNotFound, and the group runs once it exists", async () => {
    await applyAll(ns, [withSecretFromRef("needs-secret", "db-later")]);
    const group = await groupWhen(ns, "needs-secret", "SecretNotFound", readyBecause("SecretNotFound"));
    const message = condition(group, "Ready")?.message ?? "";
    expect(message).toContain('"db-later"');
    expect(message).toContain('"password"');
    expect(message).toContain("create it");
    expect((await eventWith(ns, "needs-secret", "SecretNotFound")).type).toBe("Warning");
    expect(await getPod(ns, "needs-secret")).toBeUndefined();

    await kubectlOk(["create", "secret", "generic", "db-later", "-n", ns, "--from-literal=password=pw"]);
    await groupWhen(ns, "needs-secret", "Running", inState("Running"));
  });

  it("a ResourceQuota that forbids the Pod makes Ready False with QuotaExceeded, and the group runs once the quota allows it", async () => {
    await kubectlOk(["create", "quota", "memory", "-n", ns, "--hard=requests.memory=20G"]);
    await applyAll(ns, [
      groupManifest("too-big", {
        containers: [
          { name: "big", image: "busybox:1.36", resources: { requests: { cpu: 1, memoryInGB: 30 } } },
        ],
      }),
    ]);
    const group = await groupWhen(ns, "too-big", "QuotaExceeded", readyBecause("QuotaExceeded"));
    const message = condition(group, "Ready")?.message ?? "";
    expect(message).toContain("memory");
    expect(message).toContain("raise the quota");
    expect((await eventWith(ns, "too-big", "QuotaExceeded")).type).toBe("Warning");

    await kubectlOk([
      "patch",
      "quota",
      "memory",
      "-n",
      ns,
      "-p",
      '{"spec":{"hard":{"requests.memory":"100G"}}}',
    ]);
    await groupWhen(ns, "too-big", "Running", inState("Running"), 60_000);
  });

  it("more GPUs than any node has makes Ready False with Unschedulable, naming the GPU SKU", async () => {
    await applyAll(ns, [withGpus("gpu-hungry", 8)]);
    const group = await groupWhen(ns, "gpu-hungry", "Unschedulable", readyBecause("Unschedulable"));
    expect(group.status?.state).toBe("Pending");
    const scheduled = condition(group, "Scheduled");
    expect(scheduled).toMatchObject({ status: "False", reason: "Unschedulable" });
    expect(scheduled?.message).toContain("8 V100 GPUs");
    expect(scheduled?.message).toContain("nvidia.com/gpu");
    expect(condition(group, "Ready")?.message).toContain("V100");
    expect((await eventWith(ns, "gpu-hungry", "Unschedulable")).type).toBe("Warning");
  });

  it("a group that fits on the GPU node runs there", async () => {
    await applyAll(ns, [withGpus("gpu-ok", 1)]);
    await groupWhen(ns, "gpu-ok", "Running", inState("Running"));
    const pod = await getPod(ns, "gpu-ok");
    expect(pod?.spec?.nodeName).toBe("kwok-gpu-0");
    expect(pod?.spec?.containers[0]?.resources?.limits?.["nvidia.com/gpu"]).toBe("1");
    expect(pod?.spec?.nodeSelector).toMatchObject({ "nvidia.com/gpu.product": "Tesla-V100-SXM2-16GB" });
  });
});

describe("one bad group", () => {
  it("never holds up a good one applied with it", async () => {
    const bad = [
      withSecretFromRef("bad-secret", "never-created"),
      withGpus("bad-gpus", 16),
      // No confidential RuntimeClass (kata-qemu-snp) exists on this plane.
      groupManifest("bad-confidential", { sku: "Confidential" }),
      groupManifest("bad-quota", {
        containers: [
          { name: "big", image: "busybox:1.36", resources: { requests: { cpu: 1, memoryInGB: 500 } } },
        ],
      }),
    ];
    const started = Date.now();
    await applyAll(ns, [...bad, groupManifest("good")]);
    await groupWhen(ns, "good", "Running", inState("Running"), 10_000);
    const elapsedMs = Date.now() - started;
    expect(elapsedMs).toBeLessThan(5_000);

    await Promise.all([
      groupWhen(ns, "bad-secret", "SecretNotFound", readyBecause("SecretNotFound")),
      groupWhen(ns, "bad-gpus", "Unschedulable", readyBecause("Unschedulable")),
      groupWhen(ns, "bad-confidential", "RuntimeClassNotFound", readyBecause("RuntimeClassNotFound")),
      groupWhen(ns, "bad-quota", "QuotaExceeded", readyBecause("QuotaExceeded")),
    ]);
    // The operator is still up and reconciling.
    expect(operators[0]?.process.exitCode).toBeNull();
  });
});
