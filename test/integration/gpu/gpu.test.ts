// GPUs: `gpu {count, sku}` becomes an extended resource limit and a node selector through the
// operator's SKU table; the real scheduler places the Pod on the fake GPU node (4 x V100), and a
// SKU or count the cluster cannot offer gives an Unschedulable condition that names the SKU.
import type { V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, kubectlOk } from "../harness.js";
import { applyAll, condition, groupWhen, manifest, onLocalPlane, podWhen } from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

const GPU_NODE = "kwok-gpu-0";
const PRODUCT = "nvidia.com/gpu.product";

let ns = "";
let nsKata = "";
const operators: RunningOperator[] = [];

beforeAll(async () => {
  await applyCrds();
  [ns, nsKata] = await Promise.all([createNamespace("gpu"), createNamespace("gpu-kata")]);
  operators.push(
    ...(await Promise.all([
      startOperator({ namespace: ns }),
      // A cluster with a Kata GPU passthrough class, and a SKU table entry that maps T4 onto the
      // local plane's V100 node with the device plugin's resource.
      startOperator({
        namespace: nsKata,
        args: [
          "--gpu-runtime-class=kata",
          `--gpu-skus=${JSON.stringify({
            T4: { resourceName: "nvidia.com/gpu", nodeSelector: { [PRODUCT]: "Tesla-V100-SXM2-16GB" } },
          })}`,
        ],
      }),
    ])),
  );
});

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await Promise.all([ns, nsKata].filter(Boolean).map(deleteNamespace));
});

const gpuGroup = (name: string, count: number, sku: string) =>
  manifest(name, {
    restartPolicy: "OnFailure",
    containers: [
      {
        name: "train",
        image: "mcr.microsoft.com/azuredocs/samples-tf-mnist-demo:gpu",
        resources: { requests: { cpu: 1, memoryInGB: 2, gpu: { count, sku } } },
      },
    ],
  });

const deleteGroup = (namespace: string, name: string) =>
  kubectlOk(["delete", "containergroup", name, "-n", namespace, "--wait=true", "--timeout=60s"]);

const scheduledOn = (pod: V1Pod) => Boolean(pod.spec?.nodeName);

describe.skipIf(!onLocalPlane)("a GPU group", () => {
  it("asks for nvidia.com/gpu, selects the SKU's nodes, and lands on the GPU node", async () => {
    await applyAll(ns, [gpuGroup("v100", 1, "V100")]);
    const pod = await podWhen(ns, "v100", "scheduled", scheduledOn);
    expect(pod.spec?.nodeName).toBe(GPU_NODE);
    expect(pod.spec?.nodeSelector).toMatchObject({ [PRODUCT]: "Tesla-V100-SXM2-16GB" });
    expect(pod.spec?.containers?.[0]?.resources?.limits?.["nvidia.com/gpu"]).toBe("1");
    expect(pod.spec?.runtimeClassName).toBe("kata");
    const group = await groupWhen(
      ns,
      "v100",
      "Scheduled",
      (g) => condition(g, "Scheduled")?.status === "True",
    );
    expect(group.status?.resources?.gpuCount).toBe(1);
    await deleteGroup(ns, "v100");
  });

  it("a SKU no node has is Unschedulable, with a message that names the SKU", async () => {
    await applyAll(ns, [gpuGroup("k80", 1, "K80")]);
    const pod = await podWhen(ns, "k80", "created", () => true);
    expect(pod.spec?.nodeSelector).toMatchObject({ [PRODUCT]: "Tesla-K80" });
    const group = await groupWhen(
      ns,
      "k80",
      "Unschedulable",
      (g) => condition(g, "Scheduled")?.status === "False",
    );
    const scheduled = condition(group, "Scheduled");
    expect(scheduled?.reason).toBe("Unschedulable");
    expect(scheduled?.message).toContain("K80");
    expect(scheduled?.message).toContain(`${PRODUCT}=Tesla-K80`);
    expect(condition(group, "Ready")).toMatchObject({ status: "False", reason: "Unschedulable" });
    await deleteGroup(ns, "k80");
  });

  it("more GPUs than any node has is Unschedulable too, naming the SKU and the count", async () => {
    await applyAll(ns, [gpuGroup("greedy", 8, "V100")]);
    const group = await groupWhen(
      ns,
      "greedy",
      "Unschedulable",
      (g) => condition(g, "Scheduled")?.status === "False",
    );
    expect(condition(group, "Scheduled")?.message).toMatch(/8 V100 GPUs/);
    expect(condition(group, "Scheduled")?.message).toMatch(/Insufficient nvidia\.com\/gpu/);
    await deleteGroup(ns, "greedy");
  });
});

describe.skipIf(!onLocalPlane)("the operator's GPU settings", () => {
  it("a SKU table entry decides resource and nodes: T4 mapped to the V100 node lands there", async () => {
    await applyAll(nsKata, [gpuGroup("t4", 1, "T4")]);
    const pod = await podWhen(nsKata, "t4", "scheduled", scheduledOn);
    expect(pod.spec?.nodeName).toBe(GPU_NODE);
    expect(pod.spec?.containers?.[0]?.resources?.limits?.["nvidia.com/gpu"]).toBe("1");
    expect(pod.spec?.runtimeClassName).toBe("kata");
    await deleteGroup(nsKata, "t4");
  });

  it("under a Kata GPU class a group asks for passthrough GPUs (nvidia.com/pgpu); a cluster without them says so", async () => {
    await applyAll(nsKata, [gpuGroup("passthrough", 1, "V100")]);
    const pod = await podWhen(nsKata, "passthrough", "created", () => true);
    expect(pod.spec?.runtimeClassName).toBe("kata");
    expect(pod.spec?.containers?.[0]?.resources?.limits?.["nvidia.com/pgpu"]).toBe("1");
    expect(pod.spec?.containers?.[0]?.resources?.limits?.["nvidia.com/gpu"]).toBeUndefined();
    const group = await groupWhen(
      nsKata,
      "passthrough",
      "Unschedulable",
      (g) => condition(g, "Scheduled")?.status === "False",
    );
    expect(condition(group, "Scheduled")?.message).toContain("V100");
    expect(condition(group, "Scheduled")?.message).toContain("nvidia.com/pgpu");
    await deleteGroup(nsKata, "passthrough");
  });
});
