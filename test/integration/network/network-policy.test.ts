// Isolation between tenants: each group gets a NetworkPolicy that admits ingress only on its
// ipAddress ports (none at all without an ipAddress); an operator setting turns it off.
import type { V1NetworkPolicy } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, eventually } from "../harness.js";
import { applyAll, getObject, groupWhen, manifest, podWhen } from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

let ns = "";
let nsOff = "";
const operators: RunningOperator[] = [];

beforeAll(async () => {
  await applyCrds();
  [ns, nsOff] = await Promise.all([createNamespace("net-policy"), createNamespace("net-policy-off")]);
  operators.push(
    ...(await Promise.all([
      startOperator({ namespace: ns }),
      startOperator({ namespace: nsOff, args: ["--network-policy=false"] }),
    ])),
  );
});

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await Promise.all([ns, nsOff].filter(Boolean).map(deleteNamespace));
});

const server = (name: string, ipAddress?: Record<string, unknown>) =>
  manifest(name, {
    containers: [
      {
        name: "server",
        image: "nginx:1.27",
        ports: [{ port: 80 }, { port: 9000 }, { port: 53, protocol: "UDP" }],
        resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
      },
    ],
    ...(ipAddress ? { ipAddress } : {}),
  });

const policy = (namespace: string, name: string) =>
  getObject<V1NetworkPolicy>("networking.k8s.io/v1", "NetworkPolicy", namespace, name);

describe("the group's NetworkPolicy", () => {
  it("selects the group's Pod and admits ingress only on the ipAddress ports", async () => {
    // Port 9000 is a container port but not in ipAddress: it stays closed.
    await applyAll(ns, [
      server("exposed", { type: "Private", ports: [{ port: 80 }, { port: 53, protocol: "UDP" }] }),
    ]);
    const np = await eventually("the NetworkPolicy", () => policy(ns, "exposed"));
    const pod = await podWhen(ns, "exposed", "created", () => true);
    expect(np.spec?.policyTypes).toEqual(["Ingress"]);
    expect(np.spec?.podSelector?.matchLabels).toEqual({
      "app.kubernetes.io/managed-by": "container-instances-operator",
      "containerinstances.dev/group": "exposed",
    });
    // The selector matches the group's Pod and nothing else's.
    for (const [k, v] of Object.entries(np.spec?.podSelector?.matchLabels ?? {}))
      expect(pod.metadata?.labels?.[k]).toBe(v);
    expect(np.spec?.ingress).toEqual([
      {
        ports: [
          { port: 80, protocol: "TCP" },
          { port: 53, protocol: "UDP" },
        ],
      },
    ]);
    expect(np.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ContainerGroup",
      name: "exposed",
      controller: true,
    });
  });

  it("follows a change of the ipAddress ports", async () => {
    await applyAll(ns, [server("exposed", { type: "Private", ports: [{ port: 9000 }] })]);
    await eventually("the new ports", async () => {
      const ports = (await policy(ns, "exposed"))?.spec?.ingress?.flatMap((rule) => rule.ports ?? []);
      return ports?.length === 1 && ports[0]?.port === 9000 && ports[0]?.protocol === "TCP"
        ? ports
        : undefined;
    });
  });

  it("admits no ingress at all for a group without an ipAddress", async () => {
    await applyAll(ns, [server("closed")]);
    const np = await eventually("the NetworkPolicy", () => policy(ns, "closed"));
    expect(np.spec?.policyTypes).toEqual(["Ingress"]);
    expect(np.spec?.ingress ?? []).toEqual([]);
  });

  it("is not made when the operator's network-policy setting is off", async () => {
    await applyAll(nsOff, [server("open", { type: "Private", ports: [{ port: 80 }] })]);
    await groupWhen(nsOff, "open", "its address", (g) => g.status?.ipAddress?.ip !== undefined);
    await podWhen(nsOff, "open", "created", () => true);
    expect(await policy(nsOff, "open")).toBeUndefined();
  });
});
