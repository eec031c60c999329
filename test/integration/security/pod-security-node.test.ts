// On the real node, in a namespace that enforces restricted: what runAsNonRoot does to an image
// whose user is root (busybox). Admission takes the Pod, the kubelet refuses to start the
// container, and the group says why and what to do; with a runAsUser it runs, gitRepo clone
// included (the operator's git init container runs as that user). runc, the lighter class, and
// every group deleted after its test (realNodeOperator), as the node has 2 cores.
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl, kubectlOk } from "../harness.js";
import { busyboxGroup, realNodeOperator } from "../node/support.js";
import { applyAll, condition, getPod, groupWhen, inState, readyBecause } from "../operator/support.js";
import { realNode, realNodeTitle } from "../plane.js";

const node = realNode;

describe.skipIf(!node)(realNodeTitle("restricted Pods on the real node"), () => {
  const file = realNodeOperator("psa-node", { runtimeClass: node?.runcRuntimeClass });

  beforeAll(async () => {
    await kubectlOk(["label", "namespace", file.ns, "pod-security.kubernetes.io/enforce=restricted"]);
  });

  it("a root image is admitted but not started: Ready=False/CreateContainerConfigError saying to set a runAsUser", async () => {
    await applyAll(file.ns, [busyboxGroup("root", ["sleep", "3600"])]);
    const group = await groupWhen(
      file.ns,
      "root",
      "CreateContainerConfigError",
      readyBecause("CreateContainerConfigError"),
      90_000,
    );
    const message = condition(group, "Ready")?.message ?? "";
    expect(message).toContain("runAsNonRoot");
    expect(message).toContain("securityContext.runAsUser");
    expect((await getPod(file.ns, "root"))?.spec?.nodeName).toBe(node?.node);
  });

  it("with a runAsUser it runs as that user, and its gitRepo volume is cloned by a non-root init container", async () => {
    await applyAll(file.ns, [
      busyboxGroup(
        "nonroot",
        ["sh", "-c", "id -u; cat /src/VERSION; sleep 3600"],
        {
          volumes: [
            {
              name: "src",
              gitRepo: { repository: node?.gitRepoUrl, directory: ".", revision: node?.gitRepoTag },
            },
          ],
        },
        { securityContext: { runAsUser: 1000 }, volumeMounts: [{ name: "src", mountPath: "/src" }] },
      ),
    ]);
    await groupWhen(file.ns, "nonroot", "Running", inState("Running"), 90_000);
    const logs = await eventually("the container's output", async () => {
      const r = await kubectl(["-n", file.ns, "logs", "nonroot", "-c", "main"]);
      return r.stdout.includes("first") ? r.stdout : undefined;
    });
    expect(logs.split("\n").slice(0, 2)).toEqual(["1000", "first"]);
  });
});
