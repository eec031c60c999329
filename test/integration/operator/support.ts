// Helpers for the operator's integration tests (issue 4). The tests write with kubectl only, so
// every write the API server's audit log attributes to client-node's user agent in a test's
// namespace is the operator's own; they read with client-node (reads are not audited).
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type { KubernetesListObject, KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { stringify } from "yaml";
import type { Condition, ContainerGroup } from "../../../src/api/types.js";
import { KubeClient } from "../../../src/runtime/apply.js";
import { usingExternalCluster } from "../env.js";
import { eventually, kubectlOk, loadKubeConfig, repoRoot } from "../harness.js";
import { TEST_OPERATOR_ARGS } from "../operator.js";

/**
 * The local plane's KWOK Stages simulate container exits and restarts and it has a GPU node; on
 * another cluster (kind) tests that need them are skipped.
 */
export const onLocalPlane = !usingExternalCluster();

/**
 * The RuntimeClass the suite's operators put on Pods: `kata` (the local plane's), unless
 * TEST_OPERATOR_ARGS sets `--runtime-class` (empty on kind, which has no Kata: then none).
 */
export const expectedRuntimeClass: string | undefined = (() => {
  const flag = TEST_OPERATOR_ARGS.find((arg) => arg.startsWith("--runtime-class="));
  const value = flag === undefined ? "kata" : flag.slice("--runtime-class=".length);
  return value || undefined;
})();

/** A RuntimeClass handler the cluster's nodes can run: KWOK's nodes accept any; kind's containerd has runc. */
export const runnableHandler = onLocalPlane ? "kata" : "runc";

export const EXIT_CODE_ANNOTATION = "sim.containerinstances.dev/exit-code";
export const RUN_FOR_ANNOTATION = "sim.containerinstances.dev/run-for";
export const FIELD_MANAGER = "container-instances-operator";

/** Reads only: the tests never write through client-node, whose user agent is the operator's. */
export const reader = new KubeClient(loadKubeConfig());

/** A spec as a user writes it: defaults (protocols, readOnly, ...) left to the API server. */
type SpecInput = Record<string, unknown>;

/** A ContainerGroup manifest; one small container unless `spec.containers` says otherwise. */
export function groupManifest(
  name: string,
  spec: SpecInput = {},
  metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } = {},
): Record<string, unknown> {
  return {
    apiVersion: "containerinstances.dev/v1alpha1",
    kind: "ContainerGroup",
    metadata: { name, ...metadata },
    spec: {
      containers: [
        { name: "main", image: "busybox:1.36", resources: { requests: { cpu: 1, memoryInGB: 1.5 } } },
      ],
      ...spec,
    },
  };
}

/** A ContainerGroup manifest as a user writes it (loosely typed: the API server judges it). */
export const manifest = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "containerinstances.dev/v1alpha1",
  kind: "ContainerGroup",
  metadata: { name },
  spec,
});

/** Applies manifests (server-side, as a GitOps tool would) in one kubectl call. */
export async function applyAll(namespace: string, manifests: unknown[]): Promise<string> {
  const input = manifests.map((m) => stringify(m)).join("---\n");
  return kubectlOk(["apply", "--server-side", "--field-manager=gitops", "-n", namespace, "-f", "-"], {
    input,
  });
}

export async function getGroup(namespace: string, name: string): Promise<ContainerGroup | undefined> {
  return reader.getIfExists<ContainerGroup & KubernetesObject>({
    apiVersion: "containerinstances.dev/v1alpha1",
    kind: "ContainerGroup",
    metadata: { name, namespace },
  });
}

export async function getObject<T extends KubernetesObject>(
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  return reader.getIfExists<T>({ apiVersion, kind, metadata: { name, namespace } });
}

export const getPod = (namespace: string, name: string) => getObject<V1Pod>("v1", "Pod", namespace, name);

export function condition(group: ContainerGroup | undefined, type: string): Condition | undefined {
  return group?.status?.conditions?.find((c) => c.type === type);
}

/** Polls the group until `ok` holds; fails with the group's last status. */
export async function groupWhen(
  namespace: string,
  name: string,
  what: string,
  ok: (g: ContainerGroup) => boolean,
  timeoutMs = 30_000,
): Promise<ContainerGroup> {
  let last: ContainerGroup | undefined;
  try {
    return await eventually(
      `${name}: ${what}`,
      async () => {
        last = await getGroup(namespace, name);
        return last && ok(last) ? last : undefined;
      },
      { timeoutMs },
    );
  } catch (e) {
    throw new Error(`${String(e)}\nlast status: ${JSON.stringify(last?.status)}`);
  }
}

/** The group in `state`, with status observed for its current generation. */
export function inState(state: string): (g: ContainerGroup) => boolean {
  return (g) => g.status?.state === state && g.status.observedGeneration === g.metadata.generation;
}

export function readyBecause(reason: string, status = "False"): (g: ContainerGroup) => boolean {
  return (g) => {
    const ready = condition(g, "Ready");
    return ready?.status === status && ready.reason === reason;
  };
}

export async function podWhen(
  namespace: string,
  name: string,
  what: string,
  ok: (p: V1Pod) => boolean,
  timeoutMs = 30_000,
): Promise<V1Pod> {
  return eventually(
    `Pod ${name}: ${what}`,
    async () => {
      const pod = await getPod(namespace, name);
      return pod && ok(pod) ? pod : undefined;
    },
    { timeoutMs },
  );
}

export interface EventsV1Event extends KubernetesObject {
  type?: string;
  reason?: string;
  note?: string;
  action?: string;
  regarding?: { kind?: string; name?: string; uid?: string };
}

/** Events (events.k8s.io) about the group named `name` in the namespace. */
export async function eventsAbout(namespace: string, name: string): Promise<EventsV1Event[]> {
  const list = await reader.getPath<KubernetesListObject<EventsV1Event>>(
    `/apis/events.k8s.io/v1/namespaces/${namespace}/events`,
    { fieldSelector: `regarding.kind=ContainerGroup,regarding.name=${name}` },
  );
  return list.items;
}

export async function eventWith(namespace: string, name: string, reason: string): Promise<EventsV1Event> {
  return eventually(`an Event ${reason} about ${name}`, async () =>
    (await eventsAbout(namespace, name)).find((e) => e.reason === reason),
  );
}

/**
 * Annotates a Pod so that KWOK ends its containers with `exitCode` `runMs` after the annotation.
 * KWOK parses the run-for value with Go's time.ParseDuration: a bare "3000" does not parse and
 * counts as 0, so the value carries its unit ("3000ms").
 */
export async function simulateExit(namespace: string, pod: string, exitCode: number, runMs = 0) {
  await kubectlOk([
    "annotate",
    "-n",
    namespace,
    "pod",
    pod,
    `${EXIT_CODE_ANNOTATION}=${exitCode}`,
    `${RUN_FOR_ANNOTATION}=${runMs}ms`,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Counting writes. The local plane's API server logs every create, update, patch and delete (test/
// cluster/audit-policy.yaml) with its user agent. The operator and kubectl share the admin
// identity, so writes are told apart by user agent: the operator names itself
// (src/runtime/user-agent.ts), kubectl too.

export const AUDIT_LOG = `${repoRoot}/.local/kwok/clusters/cio/logs/audit.log`;
export const OPERATOR_USER_AGENT = /^container-instances-operator\//;
const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);

export interface AuditEntry {
  verb: string;
  userAgent?: string;
  requestURI: string;
  requestReceivedTimestamp: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string };
  responseStatus?: { code?: number };
}

export function auditLogAvailable(): boolean {
  return existsSync(AUDIT_LOG);
}

/** A position in the audit log, from which later writes are counted. */
export interface AuditMark {
  offset: number;
  time: string;
}

export function auditMark(): AuditMark {
  return { offset: statSync(AUDIT_LOG).size, time: new Date().toISOString() };
}

function readFrom(offset: number): string {
  const size = statSync(AUDIT_LOG).size;
  // A rotated log is shorter than the mark: read all of it and filter by time instead.
  const start = size >= offset ? offset : 0;
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(AUDIT_LOG, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString("utf8");
}

/** The operator's writes in `namespace` since `mark`. */
export function operatorWritesSince(mark: AuditMark, namespace: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const line of readFrom(mark.offset).split("\n")) {
    if (!line.trim()) continue;
    let entry: AuditEntry;
    try {
      entry = JSON.parse(line) as AuditEntry;
    } catch {
      continue; // a line the API server is still writing
    }
    if (entry.requestReceivedTimestamp < mark.time) continue;
    if (!WRITE_VERBS.has(entry.verb)) continue;
    if (entry.objectRef?.namespace !== namespace) continue;
    if (!OPERATOR_USER_AGENT.test(entry.userAgent ?? "")) continue;
    entries.push(entry);
  }
  return entries;
}

/** One line per write, for a failure message. */
export function describeWrites(entries: AuditEntry[]): string {
  return entries
    .map(
      (e) =>
        `${e.requestReceivedTimestamp} ${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ""} ${e.objectRef?.name ?? ""} -> ${e.responseStatus?.code}`,
    )
    .join("\n");
}

/**
 * Waits until the operator has made no write in `namespace` for `quietMs` (it converged, and its
 * Events are flushed); returns a mark from which any further write counts.
 */
export async function operatorQuiet(namespace: string, quietMs = 2_000, timeoutMs = 60_000) {
  let mark = auditMark();
  let since = Date.now();
  return eventually(
    `the operator to stop writing in ${namespace}`,
    async () => {
      const writes = operatorWritesSince(mark, namespace);
      if (writes.length > 0) {
        mark = auditMark();
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? mark : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}
