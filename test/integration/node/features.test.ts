// ACI features proven by what happens in running containers and on the host (issue 12, a first
// part): exact sizes in the Pod's cgroup, real exit codes, init containers in order, a shared
// emptyDir, secret files and secure environment values that reach the process and nowhere else.
import { readFileSync } from "node:fs";
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { usingExternalCluster } from "../env.js";
import { eventually, kubectl, kubectlOk } from "../harness.js";
import {
  applyAll,
  eventsAbout,
  getGroup,
  getPod,
  groupManifest,
  groupWhen,
  inState,
} from "../operator/support.js";
import { realNode, realNodeTitle } from "../plane.js";
import { realNodeOperator, SMALL } from "./support.js";

const node = realNode;

/** Cores in a Kubernetes CPU quantity ("250m", "1"); 0 when absent. */
function cores(q: string | undefined): number {
  if (!q) return 0;
  return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

/** Bytes in a memory quantity with a binary or decimal suffix ("128Mi", "300M"); 0 when absent. */
function bytes(q: string | undefined): number {
  const m = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(q ?? "");
  if (!m) return 0;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ""] ?? 1;
  return Number(m[1]) * unit;
}

function container(name: string, command: string[], extra: Record<string, unknown> = {}) {
  return { name, image: node?.busyboxImage, command, resources: SMALL, ...extra };
}

async function logsOf(ns: string, pod: string, c: string, until: string): Promise<string> {
  return eventually(`${pod}/${c} to print ${until}`, async () => {
    const r = await kubectl(["-n", ns, "logs", pod, "-c", c]);
    return r.code === 0 && r.stdout.includes(until) ? r.stdout : undefined;
  });
}

describe.skipIf(!node)(realNodeTitle("ACI features on running containers"), () => {
  const file = realNodeOperator("features");

  // The host's cgroup v1 files; elsewhere (kind, cgroup v2) the Pod's cgroup is not ours to read.
  it.skipIf(usingExternalCluster())(
    "puts the group's cores in the Pod cgroup's CFS quota and its GB (10^9 bytes) in its memory limit",
    async () => {
      const name = "sized";
      await applyAll(file.ns, [
        groupManifest(name, {
          containers: [
            container("main", ["sleep", "3600"], { resources: { requests: { cpu: 0.5, memoryInGB: 0.3 } } }),
          ],
        }),
      ]);
      await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
      const pod = (await getPod(file.ns, name)) as V1Pod;
      // A missing limit equals the request, so the Pod is Guaranteed: kubepods/pod<uid>.
      expect(pod.status?.qosClass).toBe("Guaranteed");
      const dir = `kubepods/pod${pod.metadata?.uid}`;
      const read = (path: string) => Number(readFileSync(`/sys/fs/cgroup/${path}`, "utf8").trim());
      // The Pod cgroup holds the sandbox too (gVisor's kernel runs in it), so it carries the
      // group's size plus the RuntimeClass's declared overhead, and the group keeps all it asked.
      const overheadCpu = cores(pod.spec?.overhead?.cpu);
      const overheadBytes = bytes(pod.spec?.overhead?.memory);
      const period = read(`cpu/${dir}/cpu.cfs_period_us`);
      expect(read(`cpu/${dir}/cpu.cfs_quota_us`) / period).toBeCloseTo(0.5 + overheadCpu, 6);
      // 0.3 GB is 300,000,000 bytes (ACI's GB); the kernel keeps whole pages of the limit.
      expect(read(`memory/${dir}/memory.limit_in_bytes`)).toBe(
        Math.floor((300_000_000 + overheadBytes) / 4096) * 4096,
      );
      // And the container itself is limited to exactly the group's size.
      const limits = pod.spec?.containers?.[0]?.resources?.limits;
      expect(limits).toEqual({ cpu: "500m", memory: "300M" });
    },
  );

  it("ends a run-once group Failed with the exit code its process returned", async () => {
    const name = "exits";
    await applyAll(file.ns, [
      groupManifest(name, {
        restartPolicy: "Never",
        containers: [container("main", ["sh", "-c", "echo bye; exit 3"])],
      }),
    ]);
    const g = await groupWhen(file.ns, name, "Failed", inState("Failed"), 90_000);
    expect(g.status?.containers?.[0]?.currentState?.exitCode).toBe(3);
  });

  it("runs init containers one after another, before the main container, over a shared emptyDir", async () => {
    const name = "ordered";
    const mount = { volumeMounts: [{ name: "shared", mountPath: "/shared" }] };
    await applyAll(file.ns, [
      groupManifest(name, {
        initContainers: [
          {
            name: "first",
            image: node?.busyboxImage,
            command: ["sh", "-c", "echo first >> /shared/order"],
            ...mount,
          },
          {
            name: "second",
            image: node?.busyboxImage,
            command: ["sh", "-c", "echo second >> /shared/order"],
            ...mount,
          },
        ],
        containers: [
          container("writer", ["sh", "-c", "echo from-the-sidecar > /shared/note; sleep 3600"], mount),
          container(
            "main",
            [
              "sh",
              "-c",
              "until [ -f /shared/note ]; do sleep 0.2; done; cat /shared/order /shared/note; sleep 3600",
            ],
            mount,
          ),
        ],
        volumes: [{ name: "shared", emptyDir: {} }],
      }),
    ]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    const out = await logsOf(file.ns, name, "main", "from-the-sidecar");
    expect(out.trim().split("\n")).toEqual(["first", "second", "from-the-sidecar"]);
  });

  it("blocks the main containers behind a failing init container, with the reason in status", async () => {
    const name = "blocked";
    await applyAll(file.ns, [
      groupManifest(name, {
        restartPolicy: "Never",
        initContainers: [{ name: "setup", image: node?.busyboxImage, command: ["sh", "-c", "exit 7"] }],
        containers: [container("main", ["sh", "-c", "echo should-not-run"])],
      }),
    ]);
    const g = await groupWhen(file.ns, name, "Failed", inState("Failed"), 90_000);
    expect(g.status?.initContainers?.[0]?.currentState?.exitCode).toBe(7);
    const ready = g.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready?.message).toContain("setup");
    const logs = await kubectl(["-n", file.ns, "logs", name, "-c", "main"]);
    expect(logs.stdout).not.toContain("should-not-run");
  });

  it("gives the process its secret files decoded and its secure values, and shows those values nowhere else", async () => {
    const name = "secrets";
    const secureValue = "s3cure-value-7f3a";
    const fileContent = "log_level=debug\n";
    await applyAll(file.ns, [
      groupManifest(name, {
        containers: [
          container("main", ["sh", "-c", "echo MODE=$MODE TOKEN=$TOKEN; cat /etc/app/app.conf; sleep 3600"], {
            environmentVariables: [
              { name: "MODE", value: "plain" },
              { name: "TOKEN", secureValue },
            ],
            volumeMounts: [{ name: "conf", mountPath: "/etc/app", readOnly: true }],
          }),
        ],
        volumes: [{ name: "conf", secret: { "app.conf": Buffer.from(fileContent).toString("base64") } }],
      }),
    ]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    const out = await logsOf(file.ns, name, "main", "log_level");
    expect(out).toBe(`MODE=plain TOKEN=${secureValue}\n${fileContent}`);
    const pod = await kubectlOk(["-n", file.ns, "get", "pod", name, "-o", "json"]);
    expect(pod).not.toContain(secureValue);
    expect(JSON.stringify((await getGroup(file.ns, name))?.status)).not.toContain(secureValue);
    expect(JSON.stringify(await eventsAbout(file.ns, name))).not.toContain(secureValue);
    // The operator logs at debug level in tests: the most it ever says.
    expect(file.operatorLogs()).toContain(file.ns);
    expect(file.operatorLogs()).not.toContain(secureValue);
  });

  // A fileShare claim provisioned by a provisioner that really stores data (local-path on the
  // local plane, in a directory on this host): what one group wrote is there for the next.
  it.skipIf(!node?.fileShareStorageClass)(
    "keeps a fileShare's data when the group is deleted, and gives it back to a group recreated under its name",
    async () => {
      const name = "shared-data";
      const token = `written-${Date.now()}`;
      const group = (command: string) =>
        groupManifest(name, {
          restartPolicy: "Never",
          containers: [
            container("main", ["sh", "-c", command], {
              volumeMounts: [{ name: "data", mountPath: "/data" }],
            }),
          ],
          volumes: [
            {
              name: "data",
              // No class named: the operator's --file-share-storage-class, as make run sets it.
              fileShare: {
                sizeInGB: 1,
                deletePolicy: "Retain",
              },
            },
          ],
        });
      await applyAll(file.ns, [group(`echo ${token} > /data/token`)]);
      await groupWhen(file.ns, name, "Succeeded", inState("Succeeded"), 120_000);
      const claims = JSON.parse(await kubectlOk(["-n", file.ns, "get", "pvc", "-o", "json"])) as {
        items: { metadata: { name: string; uid: string }; spec: { volumeName: string } }[];
      };
      const claim = claims.items[0];
      expect(claims.items).toHaveLength(1);

      await kubectlOk(["-n", file.ns, "delete", "cg", name, "--wait=true", "--timeout=60s"]);
      await eventually("the group's Pod gone", async () =>
        (await getPod(file.ns, name)) === undefined ? true : undefined,
      );
      // Retain: the claim (so the volume and its data) outlives the group.
      const kept = JSON.parse(
        await kubectlOk(["-n", file.ns, "get", "pvc", claim?.metadata.name ?? "", "-o", "json"]),
      ) as {
        metadata: { uid: string; ownerReferences?: unknown[] };
        status: { phase: string };
      };
      expect(kept.metadata.uid).toBe(claim?.metadata.uid);
      expect(kept.status.phase).toBe("Bound");
      expect(kept.metadata.ownerReferences ?? []).toEqual([]);

      await applyAll(file.ns, [group("cat /data/token")]);
      await groupWhen(file.ns, name, "Succeeded", inState("Succeeded"), 120_000);
      const logs = await kubectlOk(["-n", file.ns, "logs", name, "-c", "main"]);
      expect(logs.trim()).toBe(token);
      const again = JSON.parse(await kubectlOk(["-n", file.ns, "get", "pvc", "-o", "json"])) as {
        items: { metadata: { uid: string } }[];
      };
      expect(again.items.map((c) => c.metadata.uid)).toEqual([claim?.metadata.uid]);
    },
  );
});
