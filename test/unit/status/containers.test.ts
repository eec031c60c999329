import { describe, expect, it } from "vitest";
import { containerViews, initContainerViews } from "../../../src/status/containers.js";
import {
  aContainer,
  aGroup,
  anInitContainer,
  aPod,
  containerStatus,
  podCondition,
  running,
  terminated,
  waiting,
} from "../fixtures.js";

describe("containerViews", () => {
  it("reports a running container with its start time", () => {
    const group = aGroup();
    const pod = aPod(group, {
      phase: "Running",
      containerStatuses: [containerStatus("web", running("2026-05-01T10:00:05Z"))],
    });
    expect(containerViews(pod, group)).toEqual([
      {
        name: "web",
        restartCount: 0,
        currentState: { state: "Running", startTime: "2026-05-01T10:00:05Z", detailStatus: "" },
      },
    ]);
  });

  it("a group with restartPolicy Never reports the exit code of a failed container", () => {
    const group = aGroup({ restartPolicy: "Never" });
    const pod = aPod(group, {
      phase: "Failed",
      containerStatuses: [
        containerStatus("web", terminated(2, "2026-05-01T10:00:05Z", "2026-05-01T10:01:00Z")),
      ],
    });
    expect(containerViews(pod, group)[0]?.currentState).toEqual({
      state: "Terminated",
      startTime: "2026-05-01T10:00:05Z",
      finishTime: "2026-05-01T10:01:00Z",
      exitCode: 2,
      detailStatus: "Error",
    });
  });

  it("reports the state before the last restart as previousState, e.g. an OOM kill", () => {
    const group = aGroup();
    const pod = aPod(group, {
      phase: "Running",
      containerStatuses: [
        containerStatus("web", running("2026-05-01T10:05:00Z"), {
          restartCount: 3,
          lastState: terminated(137, "2026-05-01T10:00:00Z", "2026-05-01T10:04:59Z", "OOMKilled"),
        }),
      ],
    });
    const [view] = containerViews(pod, group);
    expect(view?.restartCount).toBe(3);
    expect(view?.previousState).toEqual({
      state: "Terminated",
      startTime: "2026-05-01T10:00:00Z",
      finishTime: "2026-05-01T10:04:59Z",
      exitCode: 137,
      detailStatus: "OOMKilled",
    });
  });

  it("keeps the previousState it wrote when the kubelet clears lastState as the Pod succeeds", () => {
    const failedRun = terminated(4, "2026-05-01T10:00:01Z", "2026-05-01T10:00:02Z");
    const group = aGroup({ restartPolicy: "OnFailure" });
    const restarting = aPod(group, {
      phase: "Running",
      containerStatuses: [
        containerStatus("web", running("2026-05-01T10:00:03Z"), { restartCount: 2, lastState: failedRun }),
      ],
    });
    group.status = { containers: containerViews(restarting, group) } as typeof group.status;
    const succeeded = aPod(group, {
      phase: "Succeeded",
      containerStatuses: [
        containerStatus("web", terminated(0, "2026-05-01T10:00:03Z", "2026-05-01T10:00:04Z"), {
          restartCount: 2,
        }),
      ],
    });
    const [view] = containerViews(succeeded, group);
    expect(view?.currentState?.exitCode).toBe(0);
    expect(view?.previousState).toMatchObject({ state: "Terminated", exitCode: 4 });
    // A new Pod (no restarts yet) has no previous run.
    const fresh = aPod(group, {
      phase: "Running",
      containerStatuses: [containerStatus("web", running("2026-05-01T11:00:00Z"))],
    });
    expect(containerViews(fresh, group)[0]?.previousState).toBeUndefined();
  });

  it("reports a waiting container's reason but not the kubelet's message", () => {
    const group = aGroup();
    const pod = aPod(group, {
      containerStatuses: [
        containerStatus("web", waiting("ImagePullBackOff", 'Back-off pulling image "nginx:nope"')),
      ],
    });
    expect(containerViews(pod, group)[0]?.currentState).toEqual({
      state: "Waiting",
      detailStatus: "ImagePullBackOff",
    });
  });

  it("lists containers in the group's order, with what a container without status waits for", () => {
    const group = aGroup({ containers: [aContainer({ name: "b" }), aContainer({ name: "a" })] });
    const unscheduled = aPod(group, {
      conditions: [podCondition("PodScheduled", "False", { reason: "Unschedulable" })],
    });
    expect(containerViews(unscheduled, group)).toEqual([
      { name: "b", restartCount: 0, currentState: { state: "Waiting", detailStatus: "Scheduling" } },
      { name: "a", restartCount: 0, currentState: { state: "Waiting", detailStatus: "Scheduling" } },
    ]);
    const scheduled = aPod(group, { conditions: [podCondition("PodScheduled", "True")] });
    expect(containerViews(scheduled, group)[0]?.currentState?.detailStatus).toBe("ContainerCreating");
    expect(containerViews(undefined, group)[0]?.currentState?.detailStatus).toBe("Creating");
  });

  it("reports only names for a stopped group, which has no Pod", () => {
    expect(containerViews(undefined, aGroup({ stopped: true }))).toEqual([{ name: "web", restartCount: 0 }]);
  });

  it("reads timestamps given as strings as well as Dates", () => {
    const group = aGroup();
    const pod = aPod(group, { phase: "Running" });
    pod.status = {
      ...pod.status,
      containerStatuses: [
        {
          name: "web",
          image: "",
          imageID: "",
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: "2026-05-01T10:00:05Z" as unknown as Date } },
        },
      ],
    };
    expect(containerViews(pod, group)[0]?.currentState?.startTime).toBe("2026-05-01T10:00:05Z");
  });
});

describe("initContainerViews", () => {
  it("reports the group's own init containers and not the operator's gitRepo cloners", () => {
    const group = aGroup({
      initContainers: [anInitContainer()],
      volumes: [{ name: "src", gitRepo: { repository: "https://example.net/r.git" } }],
    });
    const pod = aPod(group, {
      initContainerStatuses: [
        containerStatus("gitrepo-src", terminated(0, "2026-05-01T10:00:00Z", "2026-05-01T10:00:03Z")),
        containerStatus("migrate", running("2026-05-01T10:00:04Z")),
      ],
    });
    const views = initContainerViews(pod, group);
    expect(views.map((v) => v.name)).toEqual(["migrate"]);
    expect(views[0]?.currentState?.state).toBe("Running");
  });
});
