// An update that drops something drops it from the children too: a port the group no longer
// lists leaves its Service and NetworkPolicy, a secure value it no longer has leaves its Secret.
// (Children are created with `create`, whose fields server-side apply would otherwise not own.)
import type { V1NetworkPolicy, V1Secret, V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { eventually } from "../harness.js";
import { applyAll, getObject, getPod, groupManifest, podWhen } from "../operator/support.js";
import { namespaceWithOperator } from "../operator.js";

const file = namespaceWithOperator("upd");

const group = (ports: { port: number; protocol?: string }[], env: Record<string, unknown>[]) =>
  groupManifest("shrinks", {
    containers: [{ name: "main", image: "busybox:1.36", ports, environmentVariables: env }],
    ipAddress: { type: "Private", ports },
  });

describe("an update that removes things", () => {
  it("removes a dropped port from the Service and the NetworkPolicy, and a dropped secure value from the Secret", async () => {
    await applyAll(file.ns, [
      group(
        [{ port: 80 }, { port: 53, protocol: "UDP" }],
        [
          { name: "A", secureValue: "alpha" },
          { name: "B", secureValue: "bravo" },
        ],
      ),
    ]);
    await podWhen(file.ns, "shrinks", "Running", (p) => p.status?.phase === "Running");
    const secretName = (await getPod(file.ns, "shrinks"))?.spec?.containers[0]?.env?.find(
      (e) => e.name === "A",
    )?.valueFrom?.secretKeyRef?.name;
    expect(secretName).toBeDefined();

    await applyAll(file.ns, [group([{ port: 9000 }], [{ name: "A", secureValue: "alpha" }])]);

    const ports = await eventually("the Service to list only port 9000", async () => {
      const svc = await getObject<V1Service>("v1", "Service", file.ns, "shrinks");
      const p = (svc?.spec?.ports ?? []).map((x) => `${x.port}/${x.protocol}`);
      return p.length === 1 ? p : undefined;
    });
    expect(ports).toEqual(["9000/TCP"]);
    const admitted = await eventually("the NetworkPolicy to admit only port 9000", async () => {
      const policy = await getObject<V1NetworkPolicy>(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        file.ns,
        "shrinks",
      );
      const p = (policy?.spec?.ingress ?? []).flatMap((r) => r.ports ?? []).map((x) => x.port);
      return p.length === 1 ? p : undefined;
    });
    expect(admitted).toEqual([9000]);
    const keys = await eventually("the Secret to lose B", async () => {
      const secret = await getObject<V1Secret>("v1", "Secret", file.ns, secretName ?? "");
      const k = Object.keys(secret?.data ?? {});
      return k.length === 1 ? k : undefined;
    });
    expect(keys).toEqual(["main.A"]);
  });
});
