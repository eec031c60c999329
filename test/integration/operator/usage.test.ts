// Per-second usage, as ACI bills it: requested cores, GB and GPUs times the seconds the group's
// Pods ran, summed over every Pod it had, exact to the second whenever written. The expected
// figures come from the Pods' own timestamps (startTime, the containers' finishedAt), which KWOK
// sets as a kubelet would.
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ContainerGroup } from "../../../src/api/types.js";
import { eventually } from "../harness.js";
import { namespaceWithOperator } from "../operator.js";
import {
  applyAll,
  getGroup,
  groupManifest,
  groupWhen,
  inState,
  onLocalPlane,
  podWhen,
  simulateExit,
} from "./support.js";

const file = namespaceWithOperator("op-usage");

const CPU = 2;
const MEMORY_GB = 1.5;

function runOnce(name: string, image = "busybox:1.36") {
  return groupManifest(name, {
    restartPolicy: "Never",
    containers: [{ name: "job", image, resources: { requests: { cpu: CPU, memoryInGB: MEMORY_GB } } }],
  });
}

/** Whole seconds from the Pod's start to its last container's finish, as billed. */
function billedSeconds(pod: V1Pod): number {
  const start = new Date(String(pod.status?.startTime)).getTime();
  const finishes = (pod.status?.containerStatuses ?? []).map((s) =>
    new Date(String(s.state?.terminated?.finishedAt)).getTime(),
  );
  return Math.floor((Math.max(...finishes) - start) / 1000);
}

const finished = (p: V1Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** Runs the group's current Pod for `runMs` after it is Running, and returns the finished Pod. */
async function measuredRun(name: string, runMs: number, exitCode = 0, notUid?: string): Promise<V1Pod> {
  const pod = await podWhen(
    file.ns,
    name,
    "Running",
    (p) => p.status?.phase === "Running" && p.metadata?.uid !== notUid,
  );
  await simulateExit(file.ns, name, exitCode, runMs);
  return podWhen(
    file.ns,
    name,
    "finished",
    (p) => p.metadata?.uid === pod.metadata?.uid && finished(p),
    20_000,
  );
}

describe.skipIf(!onLocalPlane).concurrent("usage", () => {
  it("after a measured run equals the requests times the seconds the Pod ran, to the second", async () => {
    await applyAll(file.ns, [runOnce("measured")]);
    const pod = await measuredRun("measured", 3000);
    const seconds = billedSeconds(pod);
    // KWOK ends the containers 3 s after the annotation, which follows the Pod's start.
    expect(seconds).toBeGreaterThanOrEqual(3);
    expect(seconds).toBeLessThanOrEqual(6);

    const group = await groupWhen(file.ns, "measured", "Succeeded", inState("Succeeded"));
    expect(group.status?.usage).toMatchObject({
      runningSeconds: seconds,
      cpuCoreSeconds: CPU * seconds,
      memoryGBSeconds: MEMORY_GB * seconds,
      gpuSeconds: 0,
      since: pod.status?.startTime,
    });
    expect(group.status?.usage?.runningPodUID).toBeUndefined();
  });

  it("counts GPU-seconds for a group with a GPU, on the GPU node", async () => {
    await applyAll(file.ns, [
      groupManifest("gpu-job", {
        restartPolicy: "Never",
        containers: [
          {
            name: "train",
            image: "cuda:12",
            resources: { requests: { cpu: 1, memoryInGB: 4, gpu: { count: 1, sku: "V100" } } },
          },
        ],
      }),
    ]);
    const pod = await measuredRun("gpu-job", 2000);
    expect(pod.spec?.nodeName).toBe("kwok-gpu-0");
    const seconds = billedSeconds(pod);
    const group = await groupWhen(file.ns, "gpu-job", "Succeeded", inState("Succeeded"));
    expect(group.status?.usage).toMatchObject({
      runningSeconds: seconds,
      cpuCoreSeconds: seconds,
      memoryGBSeconds: 4 * seconds,
      gpuSeconds: seconds,
    });
    expect(seconds).toBeGreaterThanOrEqual(2);
  });

  it("is summed over every Pod the group had: a run, an update that replaces the Pod, and a second run", async () => {
    await applyAll(file.ns, [runOnce("twice")]);
    const first = await measuredRun("twice", 2000);
    const afterFirst = await groupWhen(file.ns, "twice", "Succeeded", inState("Succeeded"));
    expect(afterFirst.status?.usage?.runningSeconds).toBe(billedSeconds(first));

    // A new image redeploys the finished group (ACI redeploys on update) with a new Pod.
    await applyAll(file.ns, [runOnce("twice", "busybox:1.37")]);
    const second = await measuredRun("twice", 2000, 1, first.metadata?.uid);
    expect(second.metadata?.uid).not.toBe(first.metadata?.uid);

    const group = await groupWhen(
      file.ns,
      "twice",
      "Failed at generation 2",
      (g) => inState("Failed")(g) && g.status?.observedGeneration === 2,
    );
    const seconds = billedSeconds(first) + billedSeconds(second);
    expect(group.status?.usage).toMatchObject({
      runningSeconds: seconds,
      cpuCoreSeconds: CPU * seconds,
      memoryGBSeconds: MEMORY_GB * seconds,
      since: first.status?.startTime,
    });
    expect(group.status?.usage?.countedPodUIDs).toEqual(
      expect.arrayContaining([first.metadata?.uid, second.metadata?.uid]),
    );
  });

  it("stops growing while the group is stopped, and goes on from there when it starts again", async () => {
    const manifest = groupManifest("paused", {
      containers: [
        { name: "web", image: "nginx:1.27", resources: { requests: { cpu: CPU, memoryInGB: MEMORY_GB } } },
      ],
    });
    await applyAll(file.ns, [manifest]);
    const pod = await podWhen(file.ns, "paused", "Running", (p) => p.status?.phase === "Running");
    // Let the Pod run past its first whole second, so there is usage to keep.
    const startedAt = new Date(String(pod.status?.startTime)).getTime();
    await eventually("the Pod to have run 2 s", async () =>
      Date.now() - startedAt >= 2_000 ? true : undefined,
    );

    (manifest.spec as { stopped?: boolean }).stopped = true;
    await applyAll(file.ns, [manifest]);
    const stopped = await groupWhen(file.ns, "paused", "Stopped with the Pod counted", (g) => {
      const usage = g.status?.usage;
      return (
        inState("Stopped")(g) &&
        !usage?.runningPodUID &&
        (usage?.countedPodUIDs ?? []).includes(pod.metadata?.uid ?? "")
      );
    });
    const usage = stopped.status?.usage;
    expect(usage?.runningSeconds).toBeGreaterThanOrEqual(2);
    expect(usage?.cpuCoreSeconds).toBe(CPU * (usage?.runningSeconds ?? 0));
    // Everything counted is final: the totals are the finished Pods' and nothing runs.
    expect(usage?.finished).toMatchObject({
      runningSeconds: usage?.runningSeconds,
      cpuCoreSeconds: usage?.cpuCoreSeconds,
    });

    (manifest.spec as { stopped?: boolean }).stopped = false;
    await applyAll(file.ns, [manifest]);
    const again = await podWhen(
      file.ns,
      "paused",
      "Running again",
      (p) => p.status?.phase === "Running" && p.metadata?.uid !== pod.metadata?.uid,
    );
    const running: ContainerGroup = await groupWhen(
      file.ns,
      "paused",
      "Running with the new Pod",
      (g) => inState("Running")(g) && g.status?.usage?.runningPodUID === again.metadata?.uid,
    );
    // The stopped interval is not billed: the new Pod's share starts from its own start.
    expect(running.status?.usage?.finished?.runningSeconds).toBe(usage?.runningSeconds);
    expect(running.status?.usage?.runningSeconds).toBeGreaterThanOrEqual(usage?.runningSeconds ?? 0);
    expect((await getGroup(file.ns, "paused"))?.status?.usage?.since).toBe(usage?.since);
  });
});
