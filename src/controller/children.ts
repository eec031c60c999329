// The group's children other than its Pod: Secrets, claims, volumes, its Service and its
// NetworkPolicy. Each is created when missing, applied when a field we set differs, left alone
// when it matches, and deleted when the group no longer needs it.
import type { KubernetesObject } from "@kubernetes/client-node";
import { FIELD_MANAGER, GROUP_LABEL } from "../api/constants.js";
import type { ContainerGroup } from "../api/types.js";
import { type DesiredChildren, isControlledBy, NAMESPACE_LABEL, VOLUME_LABEL } from "../render/index.js";
import { errorCode, errorMessage, isConflict, isRbacDenial } from "../runtime/apply.js";
import type { InformerCache } from "../runtime/multi-namespace-informer.js";
import type { StatusProblem } from "../status/index.js";
import { childNameConflict } from "../status/problems.js";
import { BY_GROUP } from "./caches.js";
import type { ReconcilerDeps } from "./context.js";
import { isSubset, sameKeys } from "./subset.js";

/** Fields whose every key is the operator's: a key it stops rendering must be removed. */
const WHOLLY_OWNED_MAPS = ["data"];

type Deps = Pick<ReconcilerDeps, "client" | "caches" | "log">;

const groupKey = (group: ContainerGroup) => `${group.metadata.namespace}/${group.metadata.name}`;

/**
 * Whether an existing object with a child's name is this group's to manage: controlled by it, or,
 * for what outlives its group (retained claims, volumes), labelled for the same group and volume.
 */
function belongsTo(observed: KubernetesObject, desired: KubernetesObject, group: ContainerGroup): boolean {
  if (isControlledBy(observed, group)) return true;
  if ((desired.metadata?.ownerReferences ?? []).length > 0) return false;
  const want = desired.metadata?.labels ?? {};
  const have = observed.metadata?.labels ?? {};
  return [GROUP_LABEL, NAMESPACE_LABEL, VOLUME_LABEL].every((label) => want[label] === have[label]);
}

/**
 * Brings one child to its desired state. `createOnly` children (claims, volumes) are never updated:
 * their specs are immutable once bound.
 */
async function ensure<T extends KubernetesObject>(
  group: ContainerGroup,
  desired: T,
  cached: T | undefined,
  createOnly: boolean,
  deps: Deps,
): Promise<StatusProblem | undefined> {
  let observed = cached;
  if (!observed) {
    try {
      await deps.client.create(desired, { fieldManager: FIELD_MANAGER });
      return undefined;
    } catch (e) {
      if (!isConflict(e)) return refusal(e, desired);
      // Ours with a cache that lags, or someone else's.
      observed = await deps.client.getIfExists<T>(desired);
      if (!observed) throw e;
    }
  }
  if (!belongsTo(observed, desired, group))
    return childNameConflict(desired.kind ?? "", desired.metadata?.name ?? "");
  if (createOnly || (isSubset(desired, observed) && sameKeys(desired, observed, WHOLLY_OWNED_MAPS))) {
    return undefined;
  }
  try {
    // Created with `create`: let the apply own those fields too, or dropped ones would linger.
    await deps.client.adoptFieldsForApply(desired, FIELD_MANAGER);
    await deps.client.apply(desired, { fieldManager: FIELD_MANAGER, force: true });
  } catch (e) {
    return refusal(e, desired);
  }
  return undefined;
}

/** A child the API server refuses (quota, admission, validation) becomes a problem; others are retried. */
function refusal(e: unknown, obj: KubernetesObject): StatusProblem | undefined {
  const code = errorCode(e);
  if ((code !== 403 && code !== 422 && code !== 400) || isRbacDenial(e)) throw e;
  return {
    reason: code === 403 ? "Forbidden" : "Invalid",
    message: `The cluster refused the group's ${obj.kind} ${obj.metadata?.name}: ${errorMessage(e)}.`,
  };
}

/** Deletes children of `kind` that the group controls but no longer wants. */
async function prune<T extends KubernetesObject>(
  group: ContainerGroup,
  informer: InformerCache<T>,
  keep: readonly KubernetesObject[],
  deps: Deps,
): Promise<void> {
  const wanted = new Set(keep.map((o) => o.metadata?.name));
  for (const obj of informer.byIndex(BY_GROUP, groupKey(group))) {
    if (wanted.has(obj.metadata?.name) || !isControlledBy(obj, group)) continue;
    await deleteChild(obj, deps);
  }
}

async function deleteChild(obj: KubernetesObject, deps: Deps): Promise<void> {
  await deps.client
    .delete(obj as Parameters<Deps["client"]["delete"]>[0], { uid: obj.metadata?.uid ?? "" })
    .catch((e: unknown) => {
      if (errorCode(e) !== 404 && errorCode(e) !== 409) throw e;
    });
  deps.log.info("deleted a child the group no longer needs", { kind: obj.kind, name: obj.metadata?.name });
}

/** Deletes the group's PersistentVolumes except those named in `keep` (cluster-scoped: no ownerReference). */
export async function prunePersistentVolumes(
  group: ContainerGroup,
  keep: readonly KubernetesObject[],
  deps: Deps,
): Promise<void> {
  const wanted = new Set(keep.map((o) => o.metadata?.name));
  for (const pv of deps.caches.volumes.byIndex(BY_GROUP, groupKey(group))) {
    if (!wanted.has(pv.metadata?.name))
      await deleteChild({ ...pv, apiVersion: "v1", kind: "PersistentVolume" }, deps);
  }
}

/** Ensures every desired child but the Pod, prunes the unwanted ones, and returns what went wrong. */
export async function ensureChildren(
  group: ContainerGroup,
  desired: DesiredChildren,
  deps: Deps,
): Promise<StatusProblem[]> {
  const ns = group.metadata.namespace;
  const { caches } = deps;
  const name = (o: KubernetesObject) => o.metadata?.name ?? "";
  const problems: (StatusProblem | undefined)[] = [];
  for (const secret of desired.secrets)
    problems.push(await ensure(group, secret, caches.secrets.get(ns, name(secret)), false, deps));
  // Without PersistentVolume access the group reports PermissionDenied (checks.ts): a create would
  // only be refused, and that refusal, the operator's own RBAC, would fail the whole reconcile.
  const volumesAllowed = caches.volumes.unavailable() === undefined;
  for (const pv of volumesAllowed ? desired.pvs : [])
    problems.push(await ensure(group, pv, caches.volumes.get(undefined, name(pv)), true, deps));
  for (const pvc of desired.pvcs)
    problems.push(await ensure(group, pvc, caches.claims.get(ns, name(pvc)), true, deps));
  if (desired.service) {
    problems.push(
      await ensure(group, desired.service, caches.services.get(ns, name(desired.service)), false, deps),
    );
  }
  if (desired.networkPolicy) {
    const np = desired.networkPolicy;
    problems.push(await ensure(group, np, caches.networkPolicies.get(ns, name(np)), false, deps));
  }
  await prune(group, caches.secrets, desired.secrets, deps);
  await prune(group, caches.claims, desired.pvcs, deps);
  await prune(group, caches.services, desired.service ? [desired.service] : [], deps);
  await prune(group, caches.networkPolicies, desired.networkPolicy ? [desired.networkPolicy] : [], deps);
  await prunePersistentVolumes(group, desired.pvs, deps);
  return problems.filter((p): p is StatusProblem => p !== undefined);
}
