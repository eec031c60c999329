// The reconciler: from a group's key to the children it should have and the status it reports.
// It reads the present state from the caches and acts on it, never on the event that woke it, so
// a missed event cannot hurt it and running it twice in a row writes nothing the second time.
import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { API_VERSION, FIELD_MANAGER, FINALIZER, KIND } from "../api/constants.js";
import type { ContainerGroup, ContainerGroupStatus } from "../api/types.js";
import { type DesiredChildren, renderChildren, specHashOf } from "../render/index.js";
import type { ReconcileResult } from "../runtime/workqueue.js";
import { computeStatus, type StatusProblem, statusNeedsWrite } from "../status/index.js";
import { clusterProblems, resolveInputs } from "./checks.js";
import { ensureChildren, prunePersistentVolumes } from "./children.js";
import type { ReconcilerDeps } from "./context.js";
import { wantsDnsClaim } from "./dns-claims.js";
import { createPod, deletePod } from "./pods.js";
import { transitionEvents } from "./transitions.js";

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Groups with Azure Files volumes own cluster-scoped PersistentVolumes, and groups with an Unsecure
 * DNS name label a claim in the operator's namespace: no ownerReference can collect either.
 */
function needsFinalizer(group: ContainerGroup): boolean {
  return (group.spec.volumes ?? []).some((v) => v.azureFile !== undefined) || wantsDnsClaim(group);
}

export async function reconcile(key: string, deps: ReconcilerDeps): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const cached = deps.caches.groups.get(namespace, name);
  if (!cached) {
    // Gone: its namespaced children go with it through their ownerReferences.
    deps.tombstones.forget(key);
    deps.written.forget(key);
    deps.podSecurity.retries.forget(key);
    return {};
  }
  const group = deps.written.overlay(key, cached);
  if (group.metadata.deletionTimestamp) return finalize(group, deps);
  if (needsFinalizer(group) && !(group.metadata.finalizers ?? []).includes(FINALIZER)) {
    await setFinalizers(group, [...(group.metadata.finalizers ?? []), FINALIZER], deps);
    return {}; // the update wakes us again with the new resourceVersion
  }

  const problems: StatusProblem[] = [];
  const resolved = await resolveInputs(group, deps.client, problems);
  problems.push(...clusterProblems(group, deps.caches, deps.settings));
  // An Unsecure DNS name label goes to the first group that claims it; until this one holds the
  // claim it reports DNSNameLabelConflict, gets no Pod, and its Service asks external-dns for nothing.
  const dns = await deps.dnsClaims.ensure(group, deps);
  if (dns.problem) problems.push(dns.problem);
  // --pod-security=auto: the namespace's enforce label decides (the same settings otherwise).
  const renderSettings = await deps.podSecurity.settingsFor(namespace, deps.settings);
  const desired = renderChildren(group, renderSettings, resolved);
  if (!dns.held) await deps.dnsClaims.withholdHostname(group, desired.service, deps);
  problems.push(...(await ensureChildren(group, desired, deps)));

  const now = deps.now();
  const podForStatus = await reconcilePod(group, desired, problems, now, deps);
  deps.podSecurity.explain(namespace, problems);
  const service = desired.service
    ? deps.caches.services.get(namespace, desired.service.metadata?.name ?? "")
    : undefined;

  const next = computeStatus({ group, pod: podForStatus, service, now, settings: deps.settings, problems });
  // 0 turns the periodic refresh off: usage is then written (exact) on state changes only.
  const usageInterval = deps.usageIntervalSeconds > 0 ? deps.usageIntervalSeconds : Number.POSITIVE_INFINITY;
  if (statusNeedsWrite(group.status, next, usageInterval)) {
    await writeStatus(group, next, deps);
    for (const event of transitionEvents(group.status, next)) {
      deps.recorder.record(group as unknown as KubernetesObject, event);
    }
  }

  if (problems.length > 0) {
    // A refusal only a change can lift (Pod Security) is asked again slowly, not on the fast
    // backoff: the group's or its namespace's change wakes it at once anyway.
    if (problems.every((p) => p.slowRetry)) {
      return { requeueAfter: deps.podSecurity.retries.next(key, group.metadata.generation ?? 0) };
    }
    return { requeue: true };
  }
  deps.podSecurity.retries.forget(key);
  if (next.state === "Running" && deps.usageIntervalSeconds > 0) {
    return { requeueAfter: deps.usageIntervalSeconds * 1000 };
  }
  return {};
}

/**
 * Creates, replaces or deletes the group's Pod, and returns the Pod its status should be computed
 * from. A Pod the controller deletes is returned closed at `now`, so its usage is counted to the
 * second before it goes, not lost with it.
 */
async function reconcilePod(
  group: ContainerGroup,
  desired: DesiredChildren,
  problems: StatusProblem[],
  now: Date,
  deps: ReconcilerDeps,
): Promise<V1Pod | undefined> {
  const key = `${group.metadata.namespace}/${group.metadata.name}`;
  const observed = deps.caches.podOf(group);
  if (!observed) {
    const tombstone = deps.tombstones.get(key, group.metadata.uid ?? "");
    const blocked = problems.length > 0 || !desired.pod;
    if (desired.pod && !blocked && !(tombstone && isFinishedForGood(group, tombstone, desired.pod))) {
      const problem = await createPod(group, desired.pod, deps);
      if (problem) problems.push(problem);
    }
    return tombstone;
  }
  if (observed.metadata?.deletionTimestamp) return observed;

  const reason = replacementReason(group, desired.pod, observed);
  if (!reason) return observed;
  const closed = closeAt(observed, now);
  // Count the Pod's usage up to now before it goes: a status written from `closed` includes it.
  const status = computeStatus({
    group,
    pod: closed,
    service: undefined,
    now,
    settings: deps.settings,
    problems,
  });
  if (statusNeedsWrite(group.status, status, 0))
    await writeStatus(group, { ...group.status, usage: status.usage }, deps);
  await deletePod(group, observed, reason, deps);
  deps.tombstones.remember(key, group.metadata.uid ?? "", closed);
  return closed;
}

/** Why the observed Pod must go, or undefined when it may stay. */
function replacementReason(
  group: ContainerGroup,
  desired: V1Pod | undefined,
  observed: V1Pod,
): string | undefined {
  if (!desired) return "Stopping";
  if (specHashOf(desired) !== specHashOf(observed)) return "Redeploying";
  // A kubelet restarts containers in place; a Pod that ended anyway (evicted, node lost) is
  // replaced when the restart policy says it should run again.
  const phase = observed.status?.phase;
  const policy = group.spec.restartPolicy ?? "Always";
  if (phase === "Failed" && policy !== "Never") return "Restarting";
  if (phase === "Succeeded" && policy === "Always") return "Restarting";
  return undefined;
}

/**
 * A finished run-once group keeps its last Pod's outcome and is not started again, unless the
 * user changed it or asked for a restart (either changes the spec hash).
 */
function isFinishedForGood(group: ContainerGroup, pod: V1Pod, desired: V1Pod): boolean {
  // Starting a stopped group is a new deployment of the same configuration (az container start),
  // whatever its last Pod did: stopping a Never group ends its Pod Failed (exit 143, SIGTERM).
  if (group.status?.state === "Stopped") return false;
  if (specHashOf(pod) !== specHashOf(desired)) return false;
  const phase = pod.status?.phase;
  const policy = group.spec.restartPolicy ?? "Always";
  return (phase === "Succeeded" && policy !== "Always") || (phase === "Failed" && policy === "Never");
}

function closeAt(pod: V1Pod, now: Date): V1Pod {
  return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: now } };
}

async function writeStatus(
  group: ContainerGroup,
  status: ContainerGroupStatus,
  deps: ReconcilerDeps,
): Promise<void> {
  const written = await deps.client.applyStatus<KubernetesObject>(
    { ...groupRef(group), status } as KubernetesObject,
    { fieldManager: FIELD_MANAGER, force: true },
  );
  const key = `${group.metadata.namespace}/${group.metadata.name}`;
  deps.written.remember(key, group, written.metadata?.resourceVersion, status);
}

/** Enough of a group to address it in a request. */
function groupRef(group: ContainerGroup) {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: group.metadata.name, namespace: group.metadata.namespace },
  };
}

async function setFinalizers(
  group: ContainerGroup,
  finalizers: string[],
  deps: ReconcilerDeps,
): Promise<void> {
  // The resourceVersion makes this a compare-and-swap: another writer's finalizer is never lost.
  await deps.client.patch(
    groupRef(group),
    { metadata: { finalizers, resourceVersion: group.metadata.resourceVersion } },
    { type: "merge", fieldManager: FIELD_MANAGER },
  );
}

/** A deleted group: remove what no ownerReference collects, then let it go. */
async function finalize(group: ContainerGroup, deps: ReconcilerDeps): Promise<ReconcileResult> {
  if (!(group.metadata.finalizers ?? []).includes(FINALIZER)) return {};
  await prunePersistentVolumes(group, [], deps);
  await deps.dnsClaims.releaseAll(group, deps); // its deletion wakes the groups waiting for the name
  await setFinalizers(
    group,
    (group.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
    deps,
  );
  deps.log.info("released the group's cluster-scoped volumes and DNS name claims", {
    group: `${group.metadata.namespace}/${group.metadata.name}`,
  });
  return {};
}
