// A container that exits in a group with restartPolicy Always is restarted in place by the
// kubelet: the group stays Running and shows ACI's instance view of it, the restart count and the
// previous state with its exit code. (KWOK plays the kubelet: stages/pod-restart.yaml.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usingExternalCluster } from "../env.js";
import { applyCrds, createNamespace, deleteNamespace, kubectlOk } from "../harness.js";
import { type RunningOperator, startOperator } from "../operator.js";
import { applyAll, eventWith, groupManifest, groupWhen, inState, podWhen } from "./support.js";

let ns = "";
let operator: RunningOperator | undefined;

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("restarts");
  operator = await startOperator({ namespace: ns });
});
afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(ns);
});

describe.skipIf(usingExternalCluster())("containers restarted in place", () => {
  it("a group whose container was OOM-killed and restarted reports restartCount and the previous state", async () => {
    await applyAll(ns, [groupManifest("oom")]);
    await groupWhen(ns, "oom", "Running", inState("Running"));
    await kubectlOk(["-n", ns, "annotate", "pod", "oom", "sim.containerinstances.dev/restart-exit-code=137"]);
    await podWhen(ns, "oom", "restarted once", (p) => p.status?.containerStatuses?.[0]?.restartCount === 1);

    const group = await groupWhen(
      ns,
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
    const event = await eventWith(ns, "oom", "ContainerRestarted");
    expect(event.type).toBe("Warning");
    expect(event.note).toContain("exit code 137 (OOMKilled)");
  });
});
