// A group's life: its state as ACI reports it (Pending, Running, Succeeded, Failed) with KEP-1623
// conditions, per-container instance views and an Event for every transition; then update, stop,
// start, restart and delete. KWOK runs the Pods and ends them with the exit code a test asks for;
// kube-controller-manager's garbage collector removes what a deleted group owned.

import type { V1NetworkPolicy, V1Secret, V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { eventually, kubectlOk } from "../harness.js";
import { namespaceWithOperator } from "../operator.js";
import {
  applyAll,
  condition,
  eventsAbout,
  eventWith,
  FIELD_MANAGER,
  getGroup,
  getObject,
  getPod,
  groupManifest,
  groupWhen,
  inState,
  onLocalPlane,
  podWhen,
  simulateExit,
} from "./support.js";

const file = namespaceWithOperator("op-states");

const running = (name: string) => podWhen(file.ns, name, "Running", (p) => p.status?.phase === "Running");

describe.concurrent("a group's state", () => {
  it("goes Pending, then Running with Ready True, and says so in Events", async () => {
    await applyAll(file.ns, [groupManifest("web")]);
    const group = await groupWhen(file.ns, "web", "Running", inState("Running"));

    const ready = condition(group, "Ready");
    expect(ready).toMatchObject({ status: "True", reason: "Running", observedGeneration: 1 });
    expect(ready?.lastTransitionTime).toMatch(/Z$/);
    expect(condition(group, "Scheduled")).toMatchObject({ status: "True", observedGeneration: 1 });
    expect(group.status?.observedGeneration).toBe(1);
    expect(group.status?.containers).toEqual([
      {
        name: "main",
        restartCount: 0,
        currentState: { state: "Running", startTime: expect.any(String), detailStatus: "" },
      },
    ]);

    await eventWith(file.ns, "web", "Running");
    const events = await eventsAbout(file.ns, "web");
    const reasons = events.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(["Pending", "Running"]));
    expect(events.find((e) => e.reason === "Running")?.type).toBe("Normal");
  });

  it.skipIf(!onLocalPlane)(
    "with restartPolicy Never ends Succeeded with exit code 0, and its Pod is not run again",
    async () => {
      await applyAll(file.ns, [groupManifest("once-ok", { restartPolicy: "Never" })]);
      const pod = await running("once-ok");
      await simulateExit(file.ns, "once-ok", 0);

      const group = await groupWhen(file.ns, "once-ok", "Succeeded", inState("Succeeded"));
      expect(group.status?.containers?.[0]?.currentState).toMatchObject({
        state: "Terminated",
        exitCode: 0,
        detailStatus: "Completed",
        startTime: expect.any(String),
        finishTime: expect.any(String),
      });
      expect(condition(group, "Ready")).toMatchObject({ status: "False", reason: "Succeeded" });
      await eventWith(file.ns, "once-ok", "Succeeded");
      // The finished Pod stays, the same one: a run-once group is not started again.
      expect((await getPod(file.ns, "once-ok"))?.metadata?.uid).toBe(pod.metadata?.uid);
    },
  );

  it.skipIf(!onLocalPlane)(
    "with restartPolicy Never ends Failed with the container's exit code in status and a Warning",
    async () => {
      await applyAll(file.ns, [groupManifest("once-bad", { restartPolicy: "Never" })]);
      const pod = await running("once-bad");
      await simulateExit(file.ns, "once-bad", 3);

      const group = await groupWhen(file.ns, "once-bad", "Failed", inState("Failed"));
      expect(group.status?.containers?.[0]).toMatchObject({
        name: "main",
        currentState: { state: "Terminated", exitCode: 3, detailStatus: "Error" },
      });
      const ready = condition(group, "Ready");
      expect(ready).toMatchObject({ status: "False", reason: "Failed" });
      expect(ready?.message).toContain("exited with code 3");
      expect(ready?.message).toContain("restartedAt");
      const event = await eventWith(file.ns, "once-bad", "Failed");
      expect(event.type).toBe("Warning");
      expect((await getPod(file.ns, "once-bad"))?.metadata?.uid).toBe(pod.metadata?.uid);
    },
  );

  it.skipIf(!onLocalPlane)("with restartPolicy OnFailure gets a new Pod after a failed one", async () => {
    await applyAll(file.ns, [groupManifest("retry", { restartPolicy: "OnFailure" })]);
    const first = await running("retry");
    await simulateExit(file.ns, "retry", 1);
    const second = await podWhen(
      file.ns,
      "retry",
      "replaced and Running",
      (p) => p.metadata?.uid !== first.metadata?.uid && p.status?.phase === "Running",
    );
    expect(second.metadata?.uid).not.toBe(first.metadata?.uid);
    await groupWhen(file.ns, "retry", "Running again", inState("Running"));
    await eventWith(file.ns, "retry", "Restarting");
  });
});

/** A Running group with a Service, an owned Secret and a NetworkPolicy, and its Pod. */
async function runningWebGroup(name: string, spec: Record<string, unknown> = {}) {
  const manifest = groupManifest(name, {
    containers: [
      {
        name: "web",
        image: "nginx:1.27",
        ports: [{ port: 80 }],
        environmentVariables: [{ name: "TOKEN", secureValue: "s3cr3t" }],
      },
    ],
    ipAddress: { type: "Private", ports: [{ port: 80 }] },
    ...spec,
  });
  await applyAll(file.ns, [manifest]);
  await groupWhen(file.ns, name, "Running", inState("Running"));
  const pod = await running(name);
  return { manifest, pod };
}

const gone = (what: string, read: () => Promise<unknown>) =>
  eventually(`${what} to be gone`, async () => ((await read()) === undefined ? true : undefined), {
    timeoutMs: 60_000,
  });

describe.concurrent("changing a group", () => {
  it("replaces the Pod when the image changes, and reports the new generation", async () => {
    const { manifest, pod } = await runningWebGroup("update");
    const spec = manifest.spec as { containers: { image: string }[] };
    spec.containers[0] = { ...spec.containers[0], image: "nginx:1.28" } as { image: string };
    await applyAll(file.ns, [manifest]);

    const replaced = await podWhen(
      file.ns,
      "update",
      "replaced and Running",
      (p) => p.metadata?.uid !== pod.metadata?.uid && p.status?.phase === "Running",
    );
    expect(replaced.spec?.containers[0]?.image).toBe("nginx:1.28");
    const group = await groupWhen(file.ns, "update", "Running at generation 2", inState("Running"));
    expect(group.status?.observedGeneration).toBe(2);
    expect(condition(group, "Ready")).toMatchObject({ status: "True", observedGeneration: 2 });
    await eventWith(file.ns, "update", "Redeploying");
  });

  it("changes the Service in place and keeps the Pod when only the ipAddress type changes", async () => {
    const { manifest, pod } = await runningWebGroup("expose");
    const before = await getObject<V1Service>("v1", "Service", file.ns, "expose");
    (manifest.spec as { ipAddress: { type: string } }).ipAddress.type = "Public";
    await applyAll(file.ns, [manifest]);

    const service = await eventually("the Service to become a LoadBalancer", async () => {
      const s = await getObject<V1Service>("v1", "Service", file.ns, "expose");
      return s?.spec?.type === "LoadBalancer" ? s : undefined;
    });
    expect(service.metadata?.uid).toBe(before?.metadata?.uid);
    await groupWhen(file.ns, "expose", "generation 2 observed", (g) => g.status?.observedGeneration === 2);
    expect((await getPod(file.ns, "expose"))?.metadata?.uid).toBe(pod.metadata?.uid);
  });

  it("stopped: true deletes the Pod and keeps the Service and Secrets; stopped: false starts a new Pod", async () => {
    const { manifest, pod } = await runningWebGroup("power");
    (manifest.spec as { stopped?: boolean }).stopped = true;
    await applyAll(file.ns, [manifest]);

    const stopped = await groupWhen(file.ns, "power", "Stopped", inState("Stopped"));
    expect(condition(stopped, "Ready")).toMatchObject({ status: "False", reason: "Stopped" });
    await gone("the stopped group's Pod", () => getPod(file.ns, "power"));
    expect(await getObject<V1Service>("v1", "Service", file.ns, "power")).toBeDefined();
    expect(await getObject<V1Secret>("v1", "Secret", file.ns, "power-env")).toBeDefined();
    expect(
      await getObject<V1NetworkPolicy>("networking.k8s.io/v1", "NetworkPolicy", file.ns, "power"),
    ).toBeDefined();
    await eventWith(file.ns, "power", "Stopping");
    await eventWith(file.ns, "power", "Stopped");

    (manifest.spec as { stopped?: boolean }).stopped = false;
    await applyAll(file.ns, [manifest]);
    const started = await running("power");
    expect(started.metadata?.uid).not.toBe(pod.metadata?.uid);
    await groupWhen(file.ns, "power", "Running again", inState("Running"));
  });

  it("recreates the Pod when the restartedAt annotation changes, as az container restart", async () => {
    const { pod } = await runningWebGroup("restart");
    const generation = (await getGroup(file.ns, "restart"))?.metadata.generation;
    await kubectlOk([
      "annotate",
      "-n",
      file.ns,
      "containergroup",
      "restart",
      `containerinstances.dev/restartedAt=${new Date().toISOString()}`,
    ]);
    const again = await podWhen(
      file.ns,
      "restart",
      "recreated and Running",
      (p) => p.metadata?.uid !== pod.metadata?.uid && p.status?.phase === "Running",
    );
    expect(again.metadata?.name).toBe("restart");
    const group = await groupWhen(file.ns, "restart", "Running again", inState("Running"));
    // An annotation is metadata, not spec: the generation stays.
    expect(group.metadata.generation).toBe(generation);
  });
});

describe("deleting a group", () => {
  it("lets the garbage collector remove its Pod, Service, Secrets and NetworkPolicy", async () => {
    await runningWebGroup("doomed", {
      volumes: [{ name: "config", secret: { "app.conf": Buffer.from("x=1").toString("base64") } }],
    });
    const group = await getGroup(file.ns, "doomed");
    expect(group?.metadata.finalizers ?? []).toEqual([]); // ownerReferences suffice
    const secrets = ["doomed-env", "doomed-secret-config"];
    for (const name of secrets)
      expect(await getObject<V1Secret>("v1", "Secret", file.ns, name), name).toBeDefined();

    await kubectlOk(["delete", "-n", file.ns, "containergroup", "doomed", "--wait=true"]);
    await Promise.all([
      gone("Pod", () => getPod(file.ns, "doomed")),
      gone("Service", () => getObject("v1", "Service", file.ns, "doomed")),
      gone("NetworkPolicy", () => getObject("networking.k8s.io/v1", "NetworkPolicy", file.ns, "doomed")),
      ...secrets.map((name) => gone(`Secret ${name}`, () => getObject("v1", "Secret", file.ns, name))),
    ]);
  });
});

describe("a group with an Azure Files share", () => {
  it("carries the operator's finalizer, the operator's only write outside status, which deletes the PersistentVolume", async () => {
    await applyAll(file.ns, [
      groupManifest("files", {
        containers: [
          {
            name: "app",
            image: "busybox:1.36",
            volumeMounts: [{ name: "share", mountPath: "/mnt/share" }],
          },
        ],
        volumes: [
          {
            name: "share",
            azureFile: { shareName: "data", storageAccountName: "acct", storageAccountKey: "a2V5" },
          },
        ],
      }),
    ]);
    const group = await groupWhen(file.ns, "files", "finalizer added", (g) =>
      (g.metadata.finalizers ?? []).includes("containerinstances.dev/cleanup"),
    );
    const pvs = () =>
      kubectlOk([
        "get",
        "pv",
        "-l",
        `containerinstances.dev/namespace=${file.ns},containerinstances.dev/group=files`,
        "-o",
        "name",
      ]);
    await eventually("the share's PersistentVolume", async () => ((await pvs()).trim() ? true : undefined));

    // The operator owns metadata.finalizers on the group and, besides, only status.
    const ours = (group.metadata.managedFields ?? []).filter((m) => m.manager === FIELD_MANAGER);
    for (const entry of ours) {
      const fields = Object.keys(entry.fieldsV1 as Record<string, unknown>);
      if (entry.subresource === "status") expect(fields).toEqual(["f:status"]);
      else expect(entry.fieldsV1).toEqual({ "f:metadata": { "f:finalizers": expect.any(Object) } });
    }
    expect(ours.some((m) => !m.subresource)).toBe(true);

    await kubectlOk(["delete", "-n", file.ns, "containergroup", "files", "--wait=false"]);
    await gone("the group", () => getGroup(file.ns, "files"));
    expect((await pvs()).trim()).toBe("");
  });
});
