// Where the real node cannot run, the plane says why in one line and the real-node tests skip
// with that reason (issue 11). Run as an unprivileged user, the node script's own check says so.
import { describe, expect, it } from "vitest";
import { repoRoot, usingExternalCluster } from "../env.js";
import { run } from "../harness.js";
import { hostHas } from "../node/support.js";
import { parsePlaneEnv } from "../plane.js";

const isRoot = process.getuid?.() === 0;
const hasSetpriv = hostHas("setpriv");

describe.skipIf(usingExternalCluster() || !isRoot || !hasSetpriv)("the real node's fallback", () => {
  it("says in one line that a non-root user cannot run a real node", async () => {
    const r = await run("setpriv", [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      `${repoRoot}/hack/node.sh`,
      "check",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["not root (a kubelet and containerd need root)"]);
  });

  it("says nothing when this host can run it", async () => {
    const r = await run(`${repoRoot}/hack/node.sh`, ["check"]);
    expect(r.stdout).toBe("");
  });

  it("reads the reason back from plane.env as the node script writes it (printf %q)", async () => {
    const r = await run("bash", [
      "-c",
      'printf "REAL_NODE=\\nREAL_NODE_UNAVAILABLE=%q\\n" "not root (a kubelet and containerd need root)"',
    ]);
    expect(parsePlaneEnv(r.stdout)).toEqual({
      REAL_NODE: "",
      REAL_NODE_UNAVAILABLE: "not root (a kubelet and containerd need root)",
    });
  });
});
