// What the plane offers for tests that need running containers: the real node, its images, its
// registry and its git repository. On the local plane `make cluster-up` writes them to
// .local/plane.env; on another cluster (TEST_KUBECONFIG) the same names come from the
// environment, and without REAL_NODE those tests are skipped.
import { existsSync, readFileSync } from "node:fs";
import { repoRoot, usingExternalCluster } from "./env.js";

export interface RealNode {
  /** The node's name. */
  node: string;
  /** RuntimeClass of the sandbox (gVisor on the local plane) that schedules onto the node. */
  sandboxRuntimeClass: string;
  /** RuntimeClass of plain runc on the node, for what the sandbox cannot do. */
  runcRuntimeClass: string;
  busyboxImage: string;
  gitImage: string;
  /** host:port of the private registry. */
  registry: string;
  registryUsername: string;
  registryPassword: string;
  /** A full image reference that needs the registry's credentials. */
  privateImage: string;
  gitRepoUrl: string;
  gitRepoTag: string;
  /** The plane's address ranges (local plane only: empty elsewhere). */
  podCidr: string;
  serviceCidr: string;
  fakePodCidr: string;
  /** Where LoadBalancer Services get their addresses (MetalLB's pool on the local plane). */
  lbCidr: string;
  /** The loadBalancerClass that load balancer serves. */
  loadBalancerClass: string;
  /** A StorageClass whose claims keep their data on the node (local-path on the local plane). */
  fileShareStorageClass: string;
  nodeIp: string;
  bridge: string;
}

export const PLANE_ENV = `${repoRoot}/.local/plane.env`;

/** Reads `KEY=value` lines as bash's printf %q writes them (single quotes or backslash escapes). */
export function parsePlaneEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const raw = m[2] ?? "";
    out[m[1]] = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw.replace(/\\(.)/g, "$1");
  }
  return out;
}

function planeValues(): Record<string, string> {
  if (usingExternalCluster())
    return Object.fromEntries(Object.entries(process.env).map(([k, v]) => [k, v ?? ""]));
  if (!existsSync(PLANE_ENV))
    return { REAL_NODE_UNAVAILABLE: `${PLANE_ENV} is missing (run make cluster-up)` };
  return parsePlaneEnv(readFileSync(PLANE_ENV, "utf8"));
}

/** Reads the plane's offer now (the bench calls this after bringing the plane up). */
export function loadRealNode(): { node: RealNode | undefined; reason: string } {
  const values = planeValues();
  if (!values.REAL_NODE) {
    const fallback = usingExternalCluster() ? "REAL_NODE is not set for this cluster" : "no real node";
    return { node: undefined, reason: values.REAL_NODE_UNAVAILABLE || fallback };
  }
  const node: RealNode = {
    node: values.REAL_NODE,
    sandboxRuntimeClass: values.SANDBOX_RUNTIME_CLASS ?? "",
    runcRuntimeClass: values.RUNC_RUNTIME_CLASS ?? "",
    busyboxImage: values.BUSYBOX_IMAGE ?? "",
    gitImage: values.GIT_IMAGE ?? "",
    registry: values.REGISTRY ?? "",
    registryUsername: values.REGISTRY_USERNAME ?? "",
    registryPassword: values.REGISTRY_PASSWORD ?? "",
    privateImage: values.PRIVATE_IMAGE ?? "",
    gitRepoUrl: values.GIT_REPO_URL ?? "",
    gitRepoTag: values.GIT_REPO_TAG ?? "",
    podCidr: values.POD_CIDR ?? "",
    serviceCidr: values.SERVICE_CIDR ?? "",
    fakePodCidr: values.FAKE_POD_CIDR ?? "",
    lbCidr: values.LB_CIDR ?? "",
    loadBalancerClass: values.LOAD_BALANCER_CLASS ?? "",
    fileShareStorageClass: values.FILE_SHARE_STORAGE_CLASS ?? "",
    nodeIp: values.NODE_IP ?? "",
    bridge: values.BRIDGE ?? "",
  };
  return { node, reason: "" };
}

const loaded = loadRealNode();

/** The real node, or undefined when this cluster has none (then `realNodeSkipReason` says why). */
export const realNode: RealNode | undefined = loaded.node;
export const realNodeSkipReason: string = loaded.reason;

/** A describe title that carries the skip reason when the real node is missing. */
export function realNodeTitle(title: string): string {
  return realNode ? title : `${title} (skipped: ${realNodeSkipReason})`;
}
