// A group's lifecycle with real processes on the real node (issue 12): restart policies, probes,
// stop, start, restart and delete, usage from real run times, and an OOM kill (under runc: gVisor
// keeps its own memory accounting inside the sandbox, so the host's OOM killer does not meet the
// container there).
import { existsSync } from "node:fs";
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ContainerGroup } from "../../../src/api/types.js";
import { usingExternalCluster } from "../env.js";
import { eventually, kubectl, kubectlOk } from "../harness.js";
import { applyAll, getPod, groupManifest, groupWhen, inState } from "../operator/support.js";
import { realNode, realNodeTitle } from "../plane.js";
import { busyboxGroup, realNodeOperator } from "./support.js";

const node = realNode;
const main = (g: ContainerGroup) => g.status?.containers?.find((c) => c.name === "main");

/** The Pod's cgroup on the host exists while any of its processes can. */
function podCgroupExists(pod: V1Pod | undefined): boolean {
  return (
    existsSync(`/sys/fs/cgroup/pids/kubepods/pod${pod?.metadata?.uid}`) ||
    existsSync(`/sys/fs/cgroup/pids/kubepods/burstable/pod${pod?.metadata?.uid}`)
  );
}

describe.skipIf(!node)(realNodeTitle("a group's lifecycle on the real node"), () => {
  const file = realNodeOperator("lifecycle");

  it("restarts an OnFailure group until its process succeeds, with restartCount and previousState", async () => {
    const name = "on-failure";
    // The emptyDir outlives container restarts: the third run succeeds.
    const script =
      "n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo run $n; [ $n -ge 3 ] && exit 0; exit 4";
    await applyAll(file.ns, [
      busyboxGroup(
        name,
        ["sh", "-c", script],
        { restartPolicy: "OnFailure", volumes: [{ name: "data", emptyDir: {} }] },
        {
          volumeMounts: [{ name: "data", mountPath: "/data" }],
        },
      ),
    ]);
    // While it restarts, the failed run is the previous state. The kubelet clears lastState once
    // the Pod has Succeeded; the operator keeps the one it wrote, as ACI does.
    const restarting = await groupWhen(
      file.ns,
      name,
      "restarted once",
      (g) => (main(g)?.restartCount ?? 0) >= 1,
      90_000,
    );
    expect(main(restarting)?.previousState?.exitCode, JSON.stringify(restarting.status?.containers)).toBe(4);
    const g = await groupWhen(file.ns, name, "Succeeded", inState("Succeeded"), 120_000);
    expect(main(g)?.restartCount).toBe(2);
    expect(main(g)?.currentState?.exitCode).toBe(0);
    expect(main(g)?.previousState).toMatchObject({ state: "Terminated", exitCode: 4 });
  });

  it("restarts a crashing container of an Always group", async () => {
    const name = "always";
    await applyAll(file.ns, [
      busyboxGroup(name, ["sh", "-c", "echo crash; exit 1"], { restartPolicy: "Always" }),
    ]);
    const g = await groupWhen(file.ns, name, "restarted", (g) => (main(g)?.restartCount ?? 0) >= 1, 90_000);
    expect(main(g)?.previousState?.exitCode).toBe(1);
  });

  it("restarts a container whose exec liveness probe fails, and counts it", async () => {
    const name = "liveness";
    await applyAll(file.ns, [
      busyboxGroup(
        name,
        ["sh", "-c", "touch /tmp/alive; sleep 2; rm /tmp/alive; sleep 3600"],
        {},
        {
          livenessProbe: { exec: { command: ["cat", "/tmp/alive"] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ),
    ]);
    const g = await groupWhen(
      file.ns,
      name,
      "restarted by its probe",
      (g) => (main(g)?.restartCount ?? 0) >= 2,
      120_000,
    );
    expect(main(g)?.restartCount).toBeGreaterThanOrEqual(2);
  });

  it("holds the group not Ready until its httpGet readiness probe answers", async () => {
    const name = "readiness";
    // httpd answers 404 until index.html exists, which the container writes after 6 s.
    const script = "mkdir -p /www; (sleep 6; echo ok > /www/index.html) & exec httpd -f -p 8080 -h /www";
    await applyAll(file.ns, [
      busyboxGroup(
        name,
        ["sh", "-c", script],
        {},
        {
          ports: [{ port: 8080 }],
          readinessProbe: { httpGet: { path: "/index.html", port: 8080 }, periodSeconds: 1 },
        },
      ),
    ]);
    const running = await groupWhen(
      file.ns,
      name,
      "running",
      (g) => main(g)?.currentState?.state === "Running",
      90_000,
    );
    expect(running.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    const ready = await groupWhen(
      file.ns,
      name,
      "Ready",
      (g) => g.status?.conditions?.find((c) => c.type === "Ready")?.status === "True",
      60_000,
    );
    expect(ready.status?.state).toBe("Running");
  });

  it.skipIf(usingExternalCluster())(
    "stops the processes on stopped: true, runs them again on start and on restart, and ends them on delete",
    async () => {
      const name = "stop-start";
      const manifest = (stopped: boolean, annotations: Record<string, string> = {}) => ({
        ...busyboxGroup(name, ["sh", "-c", "echo started; trap 'exit 0' TERM; sleep 3600 & wait"], {
          stopped,
        }),
        metadata: { name, annotations },
      });
      await applyAll(file.ns, [manifest(false)]);
      await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
      const first = await getPod(file.ns, name);
      expect(podCgroupExists(first)).toBe(true);

      await applyAll(file.ns, [manifest(true)]);
      await groupWhen(file.ns, name, "Stopped", inState("Stopped"), 60_000);
      await eventually(
        "the first Pod's cgroup to go",
        async () => (podCgroupExists(first) ? undefined : true),
        { timeoutMs: 60_000 },
      );

      await applyAll(file.ns, [manifest(false)]);
      await groupWhen(file.ns, name, "Running again", inState("Running"), 90_000);
      const second = await getPod(file.ns, name);
      expect(second?.metadata?.uid).not.toBe(first?.metadata?.uid);

      await applyAll(file.ns, [
        manifest(false, { "containerinstances.dev/restartedAt": "2026-12-02T00:00:00Z" }),
      ]);
      const third = await eventually(
        "a new Pod for the restart",
        async () => {
          const p = await getPod(file.ns, name);
          return p && p.metadata?.uid !== second?.metadata?.uid && p.status?.phase === "Running"
            ? p
            : undefined;
        },
        { timeoutMs: 90_000 },
      );
      expect((await kubectlOk(["-n", file.ns, "logs", name])).trim()).toBe("started");

      await kubectlOk(["-n", file.ns, "delete", "cg", name, "--wait=true", "--timeout=60s"]);
      await eventually(
        "the last Pod's cgroup to go",
        async () => (podCgroupExists(third) ? undefined : true),
        { timeoutMs: 60_000 },
      );
      // The kubelet removes the cgroup before it confirms the Pod's deletion to the API server.
      await eventually(
        "the last Pod to go",
        async () => ((await kubectl(["-n", file.ns, "get", "pod", name])).code !== 0 ? true : undefined),
        { timeoutMs: 60_000 },
      );
    },
  );

  it("reports a run-once group's usage as its requests times its real run time", async () => {
    const name = "usage";
    await applyAll(file.ns, [busyboxGroup(name, ["sleep", "3"], { restartPolicy: "Never" })]);
    const g = await groupWhen(file.ns, name, "Succeeded", inState("Succeeded"), 90_000);
    // Its real run time: from the Pod's start (sandbox included, as ACI bills from the group's
    // start) to the container's finish, both as the kubelet recorded them.
    const pod = await getPod(file.ns, name);
    const finished = pod?.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt;
    const ran = (Date.parse(String(finished)) - Date.parse(String(pod?.status?.startTime))) / 1000;
    const usage = g.status?.usage;
    expect(usage?.runningSeconds ?? 0).toBeGreaterThanOrEqual(3);
    expect(Math.abs((usage?.runningSeconds ?? 0) - ran)).toBeLessThanOrEqual(1);
    expect(usage?.cpuCoreSeconds).toBeCloseTo(0.1 * (usage?.runningSeconds ?? 0), 6);
    expect(usage?.memoryGBSeconds).toBeCloseTo(0.1 * (usage?.runningSeconds ?? 0), 6);
  });

  it("sums a group's usage over three runs when it is restarted twice", async () => {
    const name = "usage-restarts";
    await applyAll(file.ns, [busyboxGroup(name, ["sleep", "2"], { restartPolicy: "Never" })]);
    const runs: number[] = [];
    let podUid: string | undefined;
    for (let run = 0; run < 3; run++) {
      if (run > 0) {
        await kubectlOk([
          "-n",
          file.ns,
          "annotate",
          "cg",
          name,
          "--overwrite",
          `containerinstances.dev/restartedAt=2026-12-02T00:00:0${run}Z`,
        ]);
      }
      const previousUid = podUid;
      const pod = await eventually(
        `run ${run + 1}'s Pod to finish`,
        async () => {
          const p = await getPod(file.ns, name);
          return p && p.metadata?.uid !== previousUid && p.status?.phase === "Succeeded" ? p : undefined;
        },
        { timeoutMs: 90_000 },
      );
      podUid = pod.metadata?.uid;
      const t = pod.status?.containerStatuses?.[0]?.state?.terminated;
      // Usage runs from the Pod's start (sandbox and image included, as ACI bills from the
      // group's start) to its last container's finish.
      runs.push((Date.parse(String(t?.finishedAt)) - Date.parse(String(pod.status?.startTime))) / 1000);
    }
    const g = await groupWhen(
      file.ns,
      name,
      "usage of three runs",
      (g) => inState("Succeeded")(g) && (g.status?.usage?.runningSeconds ?? 0) >= 5,
      60_000,
    );
    const total = runs.reduce((a, b) => a + b, 0);
    expect(runs.every((r) => r >= 2 && r <= 10)).toBe(true);
    expect(Math.abs((g.status?.usage?.runningSeconds ?? 0) - total)).toBeLessThanOrEqual(1);
    expect(g.status?.usage?.cpuCoreSeconds).toBeCloseTo(0.1 * (g.status?.usage?.runningSeconds ?? 0), 6);
  });
});

describe.skipIf(!node)(realNodeTitle("an OOM kill on the real node (runc)"), () => {
  const file = realNodeOperator("oom", { runtimeClass: node?.runcRuntimeClass });

  it("OOM-kills a container that allocates past its memory, and status says so", async () => {
    const name = "oom";
    // tail keeps the line it has not finished in memory: 300 MB of zeros, no newline. It is the
    // container's PID 1 (exec, fed through a fifo), so the OOM kill ends the container itself.
    await applyAll(file.ns, [
      groupManifest(name, {
        restartPolicy: "Never",
        containers: [
          {
            name: "main",
            image: node?.busyboxImage,
            command: [
              "sh",
              "-c",
              "mkfifo /tmp/zeros; (head -c 300000000 /dev/zero > /tmp/zeros; echo survived) & exec tail < /tmp/zeros > /dev/null",
            ],
            resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
          },
        ],
      }),
    ]);
    const g = await groupWhen(file.ns, name, "Failed", inState("Failed"), 90_000);
    expect(main(g)?.currentState?.exitCode).toBe(137);
    expect(main(g)?.currentState?.detailStatus).toBe("OOMKilled");
    const logs = await kubectl(["-n", file.ns, "logs", name]);
    expect(logs.stdout).not.toContain("survived");
  });
});
