// A container that exits in a group with restartPolicy Always is restarted in place by the
// kubelet: the group stays Running and shows ACI's instance view of it, the restart count and the
// previous state with its exit code. (KWOK plays the kubelet: stages/pod-restart.yaml.)
import { describe, expect, it } from "vitest";
import { usingExternalCluster } from "../env.js";
import { kubectlOk } from "../harness.js";
import { namespaceWithOperator } from "../operator.js";
import { applyAll, eventWith, groupManifest, groupWhen, inState, podWhen } from "./support.js";

const file = namespaceWithOperator("restarts");

describe.skipIf(usingExternalCluster())("containers restarted in place", () => {
  it("a group whose container was OOM-killed and restarted reports restartCount and the previous state", async () => {
    await applyAll(file.ns, [groupManifest("oom")]);
    await groupWhen(file.ns, "oom", "Running", inState("Running"));
    await kubectlOk([
      "-n",
      file.ns,
      "annotate",
      "pod",
      "oom",
      "sim.containerinstances.dev/restart-exit-code=137",
    ]);
    await podWhen(
      file.ns,
      "oom",
      "restarted once",
      (p) => p.status?.containerStatuses?.[0]?.restartCount === 1,
    );

    const group = await groupWhen(
      file.ns,
      "oom",
      "restartCount 1 in status",
      (g) => g.status?.containers?.[0]?.restartCount === 1,
    );
    const view = group.status?.containers?.[0];
    expect(group.status?.state).toBe("Running");
    expect(view?.currentState?.state).toBe("Running");
    expect(view?.previousState).toMatchObject({
      state: "Terminated",
      exitCode: 137,
      detailStatus: "OOMKilled",
    });
    expect(view?.previousState?.finishTime).toBeDefined();
    const event = await eventWith(file.ns, "oom", "ContainerRestarted");
    expect(event.type).toBe("Warning");
    expect(event.note).toContain("exit code 137 (OOMKilled)");
  });
});
