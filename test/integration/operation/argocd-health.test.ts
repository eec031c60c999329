// docs/argocd.md's Argo CD health check on real groups: every state the doc's table names is
// produced by the operator on the shared plane, and each group's object, as read from the API
// server, goes through the doc's own Lua in gopher-lua with Argo CD's conversion
// (test/tools/lua). The message must be the Ready condition's `reason: message`, which says what
// to do, wherever the group has a Ready condition.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, PLURAL } from "../../../src/api/constants.js";
import type { ContainerGroup } from "../../../src/api/types.js";
import {
  applyCrds,
  createNamespace,
  deleteNamespace,
  eventually,
  kubectl,
  kubectlOk,
  loadKubeConfig,
  repoRoot,
} from "../harness.js";
import { busyboxGroup, realNodeOperator, SMALL } from "../node/support.js";
import {
  applyAll,
  condition,
  getGroup,
  groupManifest,
  groupWhen,
  inState,
  readyBecause,
  simulateExit,
} from "../operator/support.js";
import { namespaceWithOperator, startOperator } from "../operator.js";
import { realNode, realNodeTitle } from "../plane.js";
import {
  ARGOCD_DOC,
  type ArgoHealth,
  argoHealth,
  docYamlBlocks,
  HEALTH_KEY,
  healthScriptFromDoc,
} from "./argocd.js";

/** What the doc promises Argo CD shows: the Ready condition's `reason: message`. */
function readyExplained(group: ContainerGroup): string {
  const ready = condition(group, "Ready");
  if (!ready) throw new Error(`the group has no Ready condition: ${JSON.stringify(group.status)}`);
  return `${ready.reason}: ${ready.message}`;
}

/** Argo CD's verdict on the group as it is, with the message the Ready condition gives. */
async function expectHealth(group: ContainerGroup, status: ArgoHealth["status"]): Promise<void> {
  const health = await argoHealth(group);
  expect(health, JSON.stringify(group.status)).toEqual({ status, message: readyExplained(group) });
}

describe("docs/argocd.md's script", () => {
  it("is under the argocd-cm key Argo CD reads for ContainerGroups, and the Helm values use that key", () => {
    expect(healthScriptFromDoc()).toContain("return hs");
    const helmValues = docYamlBlocks().find(
      (doc): doc is { configs: { cm: Record<string, unknown> } } =>
        typeof doc === "object" && doc !== null && "configs" in doc,
    );
    expect(Object.keys(helmValues?.configs.cm ?? {})).toEqual([HEALTH_KEY]);
  });
});

/** The reasons the script's `needsUser` table makes Degraded. */
function scriptDegradedReasons(): string[] {
  const table = /local needsUser = \{([\s\S]*?)\n\s*\}/.exec(healthScriptFromDoc())?.[1] ?? "";
  return [...table.matchAll(/(\w+) = true/g)].map((m) => m[1] ?? "").sort();
}

/** The reasons the doc's table lists under Degraded. */
function tableDegradedReasons(): string[] {
  const row = readFileSync(ARGOCD_DOC, "utf8")
    .split("\n")
    .find((line) => line.startsWith("| **Degraded** |"));
  return [...(row ?? "").matchAll(/`(\w+)`/g)].map((m) => m[1] ?? "").sort();
}

describe("docs/argocd.md's reason list", () => {
  it("is the same in the table and in the script", () => {
    expect(scriptDegradedReasons().length).toBeGreaterThan(10);
    expect(tableDegradedReasons()).toEqual(scriptDegradedReasons());
  });

  it("has every problem reason the operator reports (they all need a person)", () => {
    // The reasons worded in these files are problems only a person can fix (src/status/problems.ts
    // says so of itself; pods.ts and checks.ts add the API server's refusals and port clashes).
    const sources = ["src/status/problems.ts", "src/controller/pods.ts", "src/controller/checks.ts"];
    const reasons = sources.flatMap((path) =>
      [...readFileSync(`${repoRoot}/${path}`, "utf8").matchAll(/reason: "(\w+)"/g)].map((m) => m[1] ?? ""),
    );
    expect(reasons.length).toBeGreaterThan(5);
    const missing = [...new Set(reasons)].filter((reason) => !scriptDegradedReasons().includes(reason));
    expect(missing, `add them to needsUser and the table in ${ARGOCD_DOC}`).toEqual([]);
  });
});

describe("docs/argocd.md's health check on groups on KWOK's nodes", () => {
  const file = namespaceWithOperator("argocd-health");

  it("no status yet: Progressing, waiting for the operator", async () => {
    // A namespace no operator watches: the group stays as the API server stored it.
    const unwatched = await createNamespace("argocd-health-none");
    try {
      await applyAll(unwatched, [groupManifest("unseen")]);
      const group = await groupWhen(unwatched, "unseen", "stored", () => true);
      expect(group.status).toBeUndefined();
      expect(await argoHealth(group)).toEqual({
        status: "Progressing",
        message: "Waiting for the operator to report the group's status",
      });
    } finally {
      await deleteNamespace(unwatched);
    }
  });

  it("every version of a new group, from no status to Running and Ready: Progressing, then Healthy", async () => {
    const name = "watched";
    const seen: ContainerGroup[] = [];
    let failure: unknown;
    const watch = await new k8s.Watch(loadKubeConfig()).watch(
      `/apis/${API_VERSION}/namespaces/${file.ns}/${PLURAL}`,
      { fieldSelector: `metadata.name=${name}` },
      (phase: string, obj: ContainerGroup) => {
        if (phase === "ADDED" || phase === "MODIFIED") seen.push(obj);
      },
      (err: unknown) => {
        failure = err;
      },
    );
    try {
      await applyAll(file.ns, [groupManifest(name)]);
      await eventually("a Running, Ready version of the group", async () => {
        if (failure) throw failure;
        return seen.some((g) => inState("Running")(g) && readyBecause("Running", "True")(g))
          ? true
          : undefined;
      });
    } finally {
      watch.abort();
    }
    // The verdicts in the order the versions came: never Degraded on the way, Healthy at the end.
    const verdicts: ArgoHealth[] = [];
    for (const group of seen) verdicts.push(await argoHealth(group));
    expect(verdicts[0]?.status).toBe("Progressing");
    expect(verdicts.at(-1)).toEqual({
      status: "Healthy",
      message: readyExplained(seen.at(-1) as ContainerGroup),
    });
    seen.forEach((group, i) => {
      const verdict = verdicts[i];
      const ready = condition(group, "Ready");
      const current = group.status?.observedGeneration === group.metadata.generation;
      if (!group.status || !current || !ready) {
        expect(verdict?.status, JSON.stringify(group.status)).toBe("Progressing");
      } else if (ready.status === "True" && group.status.state === "Running") {
        expect(verdict).toEqual({ status: "Healthy", message: readyExplained(group) });
      } else {
        // Creating, Pending, Scheduling, ...: whichever of them this run's operator wrote.
        expect(verdict, JSON.stringify(group.status)).toEqual({
          status: "Progressing",
          message: readyExplained(group),
        });
      }
    });
  });

  it("Running and Ready=True: Healthy", async () => {
    await applyAll(file.ns, [groupManifest("running")]);
    const group = await groupWhen(file.ns, "running", "Running and Ready", (g) =>
      inState("Running")(g) ? readyBecause("Running", "True")(g) : false,
    );
    await expectHealth(group, "Healthy");
  });

  it("Running, waiting for a load balancer address: Progressing", async () => {
    // Services of no class get no address on this plane, as on a cluster without a load balancer.
    await applyAll(file.ns, [
      groupManifest("no-lb", {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            ports: [{ port: 80 }],
            resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
          },
        ],
        ipAddress: { type: "Public", ports: [{ port: 80 }] },
      }),
    ]);
    const group = await groupWhen(
      file.ns,
      "no-lb",
      "LoadBalancerPending",
      readyBecause("LoadBalancerPending"),
    );
    expect(group.status?.state).toBe("Running");
    await expectHealth(group, "Progressing");
  });

  it("stopped (spec.stopped): Suspended", async () => {
    await applyAll(file.ns, [groupManifest("stopped", { stopped: true })]);
    const group = await groupWhen(file.ns, "stopped", "Stopped", (g) =>
      inState("Stopped")(g) ? readyBecause("Stopped")(g) : false,
    );
    await expectHealth(group, "Suspended");
  });

  it("a missing RuntimeClass: Degraded (RuntimeClassNotFound)", async () => {
    // No confidential RuntimeClass (kata-qemu-snp) exists on this plane.
    await applyAll(file.ns, [groupManifest("no-runtime-class", { sku: "Confidential" })]);
    const group = await groupWhen(
      file.ns,
      "no-runtime-class",
      "RuntimeClassNotFound",
      readyBecause("RuntimeClassNotFound"),
    );
    await expectHealth(group, "Degraded");
  });

  it("a missing Secret: Degraded (SecretNotFound)", async () => {
    await applyAll(file.ns, [
      groupManifest("no-secret", {
        containers: [
          {
            name: "app",
            image: "busybox:1.36",
            environmentVariables: [
              { name: "TOKEN", secureValueFrom: { secretKeyRef: { name: "never-created", key: "token" } } },
            ],
          },
        ],
      }),
    ]);
    const group = await groupWhen(file.ns, "no-secret", "SecretNotFound", readyBecause("SecretNotFound"));
    await expectHealth(group, "Degraded");
  });

  it("no node that fits: Degraded (Unschedulable)", async () => {
    await applyAll(file.ns, [
      groupManifest("no-node", {
        containers: [
          {
            name: "train",
            image: "cuda:12",
            resources: { requests: { cpu: 1, memoryInGB: 4, gpu: { count: 16, sku: "V100" } } },
          },
        ],
      }),
    ]);
    const group = await groupWhen(file.ns, "no-node", "Unschedulable", readyBecause("Unschedulable"));
    expect(group.status?.state).toBe("Pending");
    await expectHealth(group, "Degraded");
  });

  it("a run-once group whose containers exited 0: Healthy (Succeeded)", async () => {
    await applyAll(file.ns, [groupManifest("sim-done", { restartPolicy: "Never" })]);
    await groupWhen(file.ns, "sim-done", "Running", inState("Running"));
    // KWOK ends the Pod's containers with this exit code (the plane's pod-exit Stage).
    await simulateExit(file.ns, "sim-done", 0);
    const group = await groupWhen(file.ns, "sim-done", "Succeeded", inState("Succeeded"));
    await expectHealth(group, "Healthy");
  });

  it("a run-once group whose container failed: Degraded (Failed)", async () => {
    await applyAll(file.ns, [groupManifest("sim-failed", { restartPolicy: "Never" })]);
    await groupWhen(file.ns, "sim-failed", "Running", inState("Running"));
    await simulateExit(file.ns, "sim-failed", 2);
    const group = await groupWhen(file.ns, "sim-failed", "Failed", inState("Failed"));
    await expectHealth(group, "Degraded");
  });

  it("two containers on one port: Degraded (PortConflict)", async () => {
    const web = (name: string) => ({
      name,
      image: "nginx:1.27",
      ports: [{ port: 80 }],
      resources: { requests: { cpu: 0.5, memoryInGB: 0.5 } },
    });
    await applyAll(file.ns, [groupManifest("same-port", { containers: [web("a"), web("b")] })]);
    const group = await groupWhen(file.ns, "same-port", "PortConflict", readyBecause("PortConflict"));
    await expectHealth(group, "Degraded");
  });

  it("a Pod of the group's name that is not the group's: Degraded (ChildNameConflict)", async () => {
    await kubectlOk(["-n", file.ns, "run", "taken", "--image=busybox:1.36", "--restart=Never"]);
    await applyAll(file.ns, [groupManifest("taken")]);
    const group = await groupWhen(file.ns, "taken", "ChildNameConflict", readyBecause("ChildNameConflict"));
    await expectHealth(group, "Degraded");
  });

  it("a DNS name label another group holds: Degraded (DNSNameLabelConflict)", async () => {
    // Unsecure labels are claimed cluster-wide: one of this run's own.
    const label = `argocd-${randomBytes(3).toString("hex")}`;
    const publicWeb = (name: string) =>
      groupManifest(name, {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            ports: [{ port: 80 }],
            resources: { requests: { cpu: 0.5, memoryInGB: 0.5 } },
          },
        ],
        ipAddress: { type: "Public", ports: [{ port: 80 }], dnsNameLabel: label },
      });
    await applyAll(file.ns, [publicWeb("label-holder")]);
    await groupWhen(file.ns, "label-holder", "its fqdn", (g) => g.status?.ipAddress?.fqdn !== undefined);
    await applyAll(file.ns, [publicWeb("label-taker")]);
    const group = await groupWhen(
      file.ns,
      "label-taker",
      "DNSNameLabelConflict",
      readyBecause("DNSNameLabelConflict"),
    );
    await expectHealth(group, "Degraded");
    // Deleted while the operator runs: their finalizer releases the label's claim, and with the
    // operator gone they would hold the namespace in Terminating.
    await kubectlOk([
      "-n",
      file.ns,
      "delete",
      "cg",
      "label-holder",
      "label-taker",
      "--wait=true",
      "--timeout=60s",
    ]);
  });

  it("a quota that forbids the Pod: Degraded (QuotaExceeded)", async () => {
    // Last in the namespace: the quota applies to every Pod created after it.
    await kubectlOk(["create", "quota", "memory", "-n", file.ns, "--hard=requests.memory=40G"]);
    await applyAll(file.ns, [
      groupManifest("over-quota", {
        containers: [
          { name: "big", image: "busybox:1.36", resources: { requests: { cpu: 1, memoryInGB: 50 } } },
        ],
      }),
    ]);
    const group = await groupWhen(file.ns, "over-quota", "QuotaExceeded", readyBecause("QuotaExceeded"));
    await expectHealth(group, "Degraded");
  });
});

describe("docs/argocd.md's health check on a change the operator has not acted on yet", () => {
  let ns = "";
  beforeAll(async () => {
    await applyCrds();
    ns = await createNamespace("argocd-health-gen");
  });
  afterAll(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it("metadata.generation ahead of status.observedGeneration: Progressing, whatever the old status says", async () => {
    const operator = await startOperator({ namespace: ns });
    try {
      await applyAll(ns, [groupManifest("changed")]);
      await groupWhen(ns, "changed", "Running", inState("Running"));
    } finally {
      // Stopped, so the change below stays unobserved for as long as the test looks.
      await operator.stop();
    }
    await applyAll(ns, [
      groupManifest("changed", {
        containers: [
          {
            name: "main",
            image: "busybox:1.36",
            resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
            environmentVariables: [{ name: "CHANGED", value: "by-git" }],
          },
        ],
      }),
    ]);
    const group = (await getGroup(ns, "changed")) as ContainerGroup;
    expect(group.metadata.generation).toBe(2);
    expect(group.status?.observedGeneration).toBe(1);
    expect(readyBecause("Running", "True")(group)).toBe(true);
    expect(await argoHealth(group)).toEqual({
      status: "Progressing",
      message: "Waiting for the operator to act on generation 2",
    });

    // Once an operator acts on it, Healthy again; it also removes its finalizer on delete, so the
    // namespace goes.
    const again = await startOperator({ namespace: ns });
    try {
      const acted = await groupWhen(ns, "changed", "Running at generation 2", (g) =>
        inState("Running")(g) ? readyBecause("Running", "True")(g) : false,
      );
      await expectHealth(acted, "Healthy");
      await kubectlOk(["-n", ns, "delete", "cg", "--all", "--wait=true", "--timeout=60s"]);
    } finally {
      await again.stop();
    }
  });
});

describe.skipIf(!realNode)(realNodeTitle("docs/argocd.md's health check on groups on the real node"), () => {
  // Each test's groups are deleted when it ends (the node has 2 cores).
  const file = realNodeOperator("argocd-health-node");

  it("a run-once group that ran to completion: Healthy (Succeeded)", async () => {
    await applyAll(file.ns, [busyboxGroup("done", ["true"], { restartPolicy: "Never" })]);
    const group = await groupWhen(file.ns, "done", "Succeeded", inState("Succeeded"), 90_000);
    expect(condition(group, "Ready")?.reason).toBe("Succeeded");
    await expectHealth(group, "Healthy");
  });

  it("a run-once group whose container failed: Degraded (Failed)", async () => {
    await applyAll(file.ns, [busyboxGroup("broken", ["sh", "-c", "exit 3"], { restartPolicy: "Never" })]);
    const group = await groupWhen(file.ns, "broken", "Failed", inState("Failed"), 90_000);
    expect(condition(group, "Ready")?.message).toContain("exited with code 3");
    await expectHealth(group, "Degraded");
  });

  it("an image the registry refuses: Degraded (ErrImagePull or ImagePullBackOff)", async () => {
    // The plane's private image without the registry's credentials.
    await applyAll(file.ns, [
      groupManifest("no-pull", {
        containers: [
          { name: "main", image: realNode?.privateImage, command: ["sleep", "3600"], resources: SMALL },
        ],
      }),
    ]);
    const group = await groupWhen(
      file.ns,
      "no-pull",
      "Ready=False because the pull failed",
      (g) => ["ErrImagePull", "ImagePullBackOff"].includes(condition(g, "Ready")?.reason ?? ""),
      90_000,
    );
    await expectHealth(group, "Degraded");
  });

  it("a container that keeps exiting: Degraded (CrashLoopBackOff)", async () => {
    await applyAll(file.ns, [busyboxGroup("crashing", ["sh", "-c", "exit 1"], { restartPolicy: "Always" })]);
    const group = await groupWhen(
      file.ns,
      "crashing",
      "CrashLoopBackOff",
      readyBecause("CrashLoopBackOff"),
      90_000,
    );
    await expectHealth(group, "Degraded");
  });

  it("init containers still running: Progressing (state Pending)", async () => {
    await applyAll(file.ns, [
      busyboxGroup("initializing", ["sleep", "3600"], {
        initContainers: [{ name: "wait", image: realNode?.busyboxImage, command: ["sleep", "3600"] }],
      }),
    ]);
    const group = await groupWhen(
      file.ns,
      "initializing",
      "Initializing",
      (g) => inState("Pending")(g) && readyBecause("Initializing")(g),
      90_000,
    );
    await expectHealth(group, "Progressing");
    // `sleep` as PID 1 ignores SIGTERM: a short grace period, so the cleanup does not wait 30 s.
    await kubectl(["-n", file.ns, "delete", "pod", "--all", "--grace-period=1", "--wait=false"]);
  });
});
