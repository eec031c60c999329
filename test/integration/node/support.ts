// Helpers shared by the real-node tests: the operator as `make run` starts it on the local plane,
// and a small busybox group.
import { execFileSync } from "node:child_process";
import { groupManifest } from "../operator/support.js";
import { namespaceWithOperator, type OperatorNamespace } from "../operator.js";
import { realNode } from "../plane.js";

/** A size that leaves room on a 2-core node for every test's groups at once. */
export const SMALL = { requests: { cpu: 0.1, memoryInGB: 0.1 } };

/**
 * The usual file setup, with the operator configured as `make run` configures it: groups in the
 * plane's sandbox (or another of its RuntimeClasses), gitRepo volumes cloned with its git image.
 */
export function realNodeOperator(
  prefix: string,
  runtimeClass = realNode?.sandboxRuntimeClass,
): OperatorNamespace {
  return namespaceWithOperator(prefix, {
    args: [`--runtime-class=${runtimeClass}`, `--git-image=${realNode?.gitImage}`],
  });
}

/** A group of one busybox container named `main`, SMALL unless `container` says otherwise. */
export function busyboxGroup(
  name: string,
  command: string[],
  spec: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
): Record<string, unknown> {
  return groupManifest(name, {
    containers: [{ name: "main", image: realNode?.busyboxImage, command, resources: SMALL, ...container }],
    ...spec,
  });
}

/** True when `command --version` runs on this host. */
export function hostHas(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
