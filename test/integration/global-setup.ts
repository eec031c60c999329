import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { repoRoot, usingExternalCluster } from "./env.js";

// The integration suite talks to a real API server: the cluster named by TEST_KUBECONFIG when it
// is set (kind, or any cluster), otherwise the local plane, which this brings up (idempotently;
// the first run on a machine builds it). The plane is left running for the next run;
// `make cluster-down` stops it.
export default function setup(): void {
  if (usingExternalCluster()) {
    const path = process.env.TEST_KUBECONFIG ?? "";
    if (!existsSync(path)) throw new Error(`TEST_KUBECONFIG=${path} does not exist`);
    return;
  }
  execFileSync(`${repoRoot}/hack/cluster.sh`, ["up"], { stdio: "inherit" });
}
