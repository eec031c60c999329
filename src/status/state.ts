// The group's state, ACI's instanceView.state, from its Pod.

import type { V1Pod } from "@kubernetes/client-node";
import type { ContainerGroup, GroupState } from "../api/types.js";

/**
 * Stopped when asked to stop (even while the old Pod terminates); Pending while there is no Pod or
 * the Pod is being replaced; otherwise the Pod's phase (Unknown, a lost node, reads as Pending).
 */
export function groupState(pod: V1Pod | undefined, group: ContainerGroup): GroupState {
  if (group.spec.stopped) return "Stopped";
  if (!pod || pod.metadata?.deletionTimestamp) return "Pending";
  switch (pod.status?.phase) {
    case "Running":
      return "Running";
    case "Succeeded":
      return "Succeeded";
    case "Failed":
      return "Failed";
    default:
      return "Pending";
  }
}
