// Helpers shared by the real-node tests: the operator as `make run` starts it on the local plane,
// and a small busybox group.
import { execFileSync } from "node:child_process";
import { afterEach } from "vitest";
import { kubectl } from "../harness.js";
import { groupManifest } from "../operator/support.js";
import { namespaceWithOperator, type OperatorNamespace } from "../operator.js";
import { realNode } from "../plane.js";

/** A size that leaves room on a 2-core node for every test's groups at once. */
export const SMALL = { requests: { cpu: 0.1, memoryInGB: 0.1 } };

/**
 * The usual file setup, with the operator configured as `make run` configures it: groups in the
 * plane's sandbox (or another of its RuntimeClasses), gitRepo volumes cloned with its git image,
 * fileShare claims in its StorageClass that keeps data on the node, Public groups' Services of
 * the class its load balancer serves.
 */
export function realNodeOperator(
  prefix: string,
  {
    runtimeClass = realNode?.sandboxRuntimeClass,
    groupsLiveFor = "test",
    args = [],
  }: {
    runtimeClass?: string | undefined;
    /** More operator flags. */
    args?: string[];
    /** "file": the tests build on each other's groups, which live until the file ends. */
    groupsLiveFor?: "test" | "file";
  } = {},
): OperatorNamespace {
  const file = namespaceWithOperator(prefix, {
    args: [
      `--runtime-class=${runtimeClass}`,
      `--git-image=${realNode?.gitImage}`,
      `--file-share-storage-class=${realNode?.fileShareStorageClass ?? ""}`,
      `--load-balancer-class=${realNode?.loadBalancerClass ?? ""}`,
      ...args,
    ],
  });
  // Every test's groups go when it ends: the node has 2 cores and a gVisor Pod holds at least 0.35
  // of them (the group's 0.1 and the sandbox's overhead), so a file's groups left to its end add
  // up until a later test's Pod has no room to run (Unschedulable: Insufficient cpu).
  afterEach(async () => {
    if (!file.ns || groupsLiveFor === "file") return;
    await kubectl(["-n", file.ns, "delete", "cg", "--all", "--wait=true", "--timeout=60s"]);
    // Their Pods go with them; a short grace period, as `sleep` as PID 1 ignores SIGTERM.
    await kubectl([
      "-n",
      file.ns,
      "delete",
      "pod",
      "--all",
      "--grace-period=1",
      "--wait=true",
      "--timeout=60s",
    ]);
  });
  return file;
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

/** An HTTP GET from this host, bounded in time (2 s); undefined when nothing answered. */
export async function httpGet(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return r.ok ? await r.text() : undefined;
  } catch {
    return undefined;
  }
}

/** IPv4 CIDR as [first address, last address] in 32-bit integers. */
function range(cidr: string): [number, number] {
  const [ip = "", bits = "32"] = cidr.split("/");
  const base = ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  const first = base - (base % size);
  return [first, first + size - 1];
}

/** Whether two IPv4 CIDRs share an address (`a.b.c.d/32` for one address). */
export function overlaps(a: string, b: string): boolean {
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}
