// Creating and deleting the group's Pod, and turning what the API server says about a Pod it
// refused into a condition the user can act on.
import type { KubernetesObject, V1Pod } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../api/constants.js";
import type { ContainerGroup } from "../api/types.js";
import { isControlledBy, podName } from "../render/index.js";
import { errorCode, errorMessage, isConflict, isRbacDenial } from "../runtime/apply.js";
import type { StatusProblem } from "../status/index.js";
import { childNameConflict, podSecurityViolation, quotaExceeded } from "../status/problems.js";
import type { ReconcilerDeps } from "./context.js";

/** Creates the Pod; returns a problem when the cluster refuses it for a reason the user must fix. */
export async function createPod(
  group: ContainerGroup,
  pod: V1Pod,
  deps: Pick<ReconcilerDeps, "client" | "recorder" | "log">,
): Promise<StatusProblem | undefined> {
  try {
    await deps.client.create(pod, { fieldManager: FIELD_MANAGER });
  } catch (e) {
    if (isConflict(e)) return alreadyExists(group, deps);
    const problem = podProblemOf(e);
    if (problem) return problem;
    throw e;
  }
  // No event here: the state change this causes (to Pending) is recorded with the status.
  return undefined;
}

/** A Pod with the group's name exists but the cache has not seen it: ours (a stale cache) or someone else's. */
async function alreadyExists(
  group: ContainerGroup,
  deps: Pick<ReconcilerDeps, "client">,
): Promise<StatusProblem | undefined> {
  const existing = await deps.client.getIfExists<V1Pod>({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName(group), namespace: group.metadata.namespace },
  });
  if (!existing || isControlledBy(existing, group)) return undefined;
  return childNameConflict("Pod", podName(group));
}

/** The API server's refusal of a Pod as a problem the user can act on; undefined for other errors. */
export function podProblemOf(e: unknown): StatusProblem | undefined {
  const code = errorCode(e);
  const message = errorMessage(e);
  // The operator's own RBAC is missing a rule: not the user's to fix. Retried, and logged as an error.
  if (isRbacDenial(e)) return undefined;
  if (code === 403 && /exceeded quota|forbidden: failed quota/i.test(message)) {
    return quotaExceeded(message);
  }
  // Before the RuntimeClass test: the violation's words may name a container "runtimeclass".
  if (code === 403 && /violates PodSecurity/.test(message)) return podSecurityViolation(message);
  if (code === 403 && /RuntimeClass/i.test(message)) {
    return {
      reason: "RuntimeClassNotFound",
      message: `The cluster refused the group's RuntimeClass: ${message}. Install it (e.g. kata-deploy) or set the operator's runtime class setting.`,
    };
  }
  if (code === 403 || code === 422 || code === 400) {
    return {
      reason: "PodRejected",
      message: `The cluster refused the group's Pod: ${message}. Change the group so that it is allowed here.`,
    };
  }
  return undefined;
}

export async function deletePod(
  group: ContainerGroup,
  pod: V1Pod,
  reason: string,
  deps: Pick<ReconcilerDeps, "client" | "recorder">,
): Promise<void> {
  // The uid precondition never deletes a successor that took the name meanwhile.
  await deps.client
    .delete(pod, { uid: pod.metadata?.uid ?? "", propagationPolicy: "Background" })
    .catch((e: unknown) => {
      if (errorCode(e) !== 404 && errorCode(e) !== 409) throw e;
    });
  deps.recorder.record(group as unknown as KubernetesObject, {
    type: "Normal",
    reason,
    action: "DeletingPod",
    note:
      reason === "Stopping"
        ? `Deleted Pod ${pod.metadata?.name}: the group is stopped.`
        : `Deleted Pod ${pod.metadata?.name} to run the group again (${reason}).`,
  });
}
