// ACI's per-container instance view from the Pod's container statuses.

import type { V1ContainerState, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { ContainerGroup, ContainerInstanceView, ContainerState } from "../api/types.js";
import { formatTimestamp } from "./time.js";

/**
 * A Kubernetes container state as ACI's: Waiting, Running or Terminated with times, exit code and
 * the reason as detailStatus. Messages are left out: a termination message is whatever the
 * container wrote, and status must never carry what a container might print.
 */
export function containerState(state: V1ContainerState | undefined): ContainerState | undefined {
  if (state?.terminated) {
    const { terminated } = state;
    return prune({
      state: "Terminated",
      startTime: formatTimestamp(terminated.startedAt),
      finishTime: formatTimestamp(terminated.finishedAt),
      exitCode: terminated.exitCode,
      detailStatus: terminated.reason ?? (terminated.exitCode === 0 ? "Completed" : "Error"),
    });
  }
  if (state?.running) {
    return prune({ state: "Running", startTime: formatTimestamp(state.running.startedAt), detailStatus: "" });
  }
  if (state?.waiting) {
    return { state: "Waiting", detailStatus: state.waiting.reason ?? "" };
  }
  return undefined;
}

function prune(state: ContainerState): ContainerState {
  return Object.fromEntries(
    Object.entries(state).filter(([, value]) => value !== undefined),
  ) as ContainerState;
}

function isScheduled(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "PodScheduled" && c.status === "True");
}

/** What a container with no status yet is waiting for. */
function notStartedState(pod: V1Pod | undefined, group: ContainerGroup): ContainerState | undefined {
  if (group.spec.stopped) return undefined;
  if (!pod) return { state: "Waiting", detailStatus: "Creating" };
  return { state: "Waiting", detailStatus: isScheduled(pod) ? "ContainerCreating" : "Scheduling" };
}

/**
 * The run before the current one. The kubelet clears lastState once the Pod has Succeeded or
 * Failed, while ACI keeps showing the last failed run: so when the kubelet reports none for a
 * container that has restarted, the previousState already in status stays, as long as it was
 * written at the same restart count.
 */
function previousState(
  name: string,
  status: V1ContainerStatus | undefined,
  written: readonly ContainerInstanceView[] | undefined,
): ContainerState | undefined {
  if (!status) return undefined;
  const reported = containerState(status.lastState);
  if (reported || status.restartCount === 0) return reported;
  const last = written?.find((view) => view.name === name);
  return last?.restartCount === status.restartCount ? last.previousState : undefined;
}

function instanceView(
  name: string,
  status: V1ContainerStatus | undefined,
  pod: V1Pod | undefined,
  group: ContainerGroup,
  written: readonly ContainerInstanceView[] | undefined,
): ContainerInstanceView {
  const view: ContainerInstanceView = { name, restartCount: status?.restartCount ?? 0 };
  const current = status ? containerState(status.state) : notStartedState(pod, group);
  if (current) view.currentState = current;
  const previous = previousState(name, status, written);
  if (previous) view.previousState = previous;
  return view;
}

/** The instance views of the group's containers, in spec order. */
export function containerViews(pod: V1Pod | undefined, group: ContainerGroup): ContainerInstanceView[] {
  const statuses = new Map((pod?.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const written = group.status?.containers;
  return (group.spec.containers ?? []).map((c) =>
    instanceView(c.name, statuses.get(c.name), pod, group, written),
  );
}

/**
 * The instance views of the group's own init containers, in spec order. The operator's gitRepo
 * cloners are not the user's and are not listed; a failing clone shows in the Ready condition.
 */
export function initContainerViews(pod: V1Pod | undefined, group: ContainerGroup): ContainerInstanceView[] {
  const statuses = new Map((pod?.status?.initContainerStatuses ?? []).map((s) => [s.name, s]));
  const written = group.status?.initContainers;
  return (group.spec.initContainers ?? []).map((c) =>
    instanceView(c.name, statuses.get(c.name), pod, group, written),
  );
}
