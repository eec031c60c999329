import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** True when the suite runs against a cluster the caller named (e.g. kind), not the local plane. */
export function usingExternalCluster(): boolean {
  return Boolean(process.env.TEST_KUBECONFIG);
}

/** The kubeconfig the suite uses; never the user's default one. */
export function kubeconfigPath(): string {
  return process.env.TEST_KUBECONFIG || `${repoRoot}/.local/kubeconfig`;
}

let kubectlPath: string | undefined;
/** The project's pinned kubectl (built by hack/tools.sh), whatever kubectl the machine has. */
export function kubectlBinary(): string {
  kubectlPath ??= `${execFileSync(`${repoRoot}/hack/tools.sh`, ["bindir", "kubernetes"], { encoding: "utf8" }).trim()}/kubectl`;
  return kubectlPath;
}
