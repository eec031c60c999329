// KEP-1623 conditions: Ready summarises; Scheduled, NetworkReady and DNSReady explain. A condition
// keeps its lastTransitionTime while its status holds, and there are no heartbeat timestamps, so
// a reconcile that sees nothing new writes nothing.

import type { V1ContainerStatus, V1Pod, V1Service } from "@kubernetes/client-node";
import type { Condition, ConditionStatus, ContainerGroup } from "../api/types.js";
import { groupFqdn } from "../render/dns.js";
import { gitRepoInitContainerName } from "../render/pod.js";
import { gpuResourceName, gpuSkuSettings, groupGpu } from "../render/scheduling.js";
import type { OperatorSettings } from "../render/settings.js";
import { imagePullAdvice } from "./image-pull.js";
import { rfc3339 } from "./time.js";

export const READY = "Ready";
export const SCHEDULED = "Scheduled";
export const NETWORK_READY = "NetworkReady";
export const DNS_READY = "DNSReady";

/** A condition about to be set: lastTransitionTime is decided by setCondition. */
export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

/**
 * Something only the controller could find out (a missing RuntimeClass or Secret, a quota denial,
 * a DNS label another group holds). It makes Ready False, and also the condition it names.
 */
export interface StatusProblem {
  /** CamelCase, e.g. RuntimeClassNotFound, SecretNotFound, QuotaExceeded, DNSNameLabelConflict. */
  reason: string;
  /** What is wrong and what to do about it. No secure value may appear here. */
  message: string;
  /** A condition besides Ready that the problem is about, e.g. DNSReady for a label conflict. */
  condition?: string;
  /**
   * Retrying cannot help until the group or its namespace changes (a policy refused the Pod):
   * retried on a slow timer instead of the fast backoff, so the refusal is not asked again and again.
   */
  slowRetry?: boolean;
}

/**
 * `conditions` with `next` set: lastTransitionTime stays when the status is unchanged (reason and
 * message may still change) and becomes `now` when it changes or the condition is new.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: ConditionUpdate,
  now: Date,
): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    existing && existing.status === next.status ? existing.lastTransitionTime : rfc3339(now);
  const condition: Condition = { ...next, lastTransitionTime };
  return existing
    ? conditions.map((c) => (c.type === next.type ? condition : c))
    : [...conditions, condition];
}

export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

function podCondition(pod: V1Pod | undefined, type: string) {
  return pod?.status?.conditions?.find((c) => c.type === type);
}

/** Waiting reasons of a failed pull, whose advice depends on what the registry answered. */
const PULL_REASONS = new Set(["ErrImagePull", "ImagePullBackOff"]);

/** Other waiting reasons that need the user, with what to do about each. */
const WAITING_ADVICE: Record<string, string> = {
  InvalidImageName: "correct the image reference",
  CrashLoopBackOff: "the container keeps exiting; check its logs and its command",
  CreateContainerConfigError:
    "a Secret or key named in secureValueFrom is missing; create it in the group's namespace",
  CreateContainerError: "the runtime could not create the container; check its command and volume mounts",
  RunContainerError: "the runtime could not start the container; check its command",
};

/**
 * The kubelet refuses `runAsNonRoot` (rendered by --pod-security for restricted namespaces) for an
 * image whose user is root, or is a name it cannot check: "container has runAsNonRoot and image
 * will run as root" / "... has non-numeric user (nginx), cannot verify user is non-root".
 */
function waitingAdvice(reason: string, message: string | undefined): string | undefined {
  if (reason === "CreateContainerConfigError" && message?.includes("runAsNonRoot")) {
    return (
      "the namespace's Pod Security level (restricted) lets no container run as root: set the container's " +
      "securityContext.runAsUser to a non-zero user the image works with, or use an image whose USER is a non-root number"
    );
  }
  return WAITING_ADVICE[reason];
}

function describeGpuNeed(group: ContainerGroup, settings: OperatorSettings): string | undefined {
  const gpu = groupGpu(group);
  if (!gpu) return undefined;
  const labels = Object.entries(gpuSkuSettings(gpu.sku, settings).nodeSelector)
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
  const plural = gpu.count === 1 ? "GPU" : "GPUs";
  return (
    `The group asks for ${gpu.count} ${gpu.sku} ${plural} (${gpuResourceName(gpu.sku, settings)} on nodes ` +
    `labelled ${labels}): add nodes with ${gpu.sku} GPUs, or choose a GPU SKU this cluster has.`
  );
}

/** Scheduled, from the Pod's PodScheduled; undefined when there is no Pod. */
export function scheduledCondition(
  pod: V1Pod | undefined,
  group: ContainerGroup,
  settings: OperatorSettings,
): ConditionUpdate | undefined {
  if (!pod || group.spec.stopped) return undefined;
  const generation = group.metadata.generation;
  const scheduled = podCondition(pod, "PodScheduled");
  if (scheduled?.status === "True") {
    return {
      type: SCHEDULED,
      status: "True",
      reason: "Scheduled",
      message: "The group's Pod is placed on a node.",
      observedGeneration: generation,
    };
  }
  if (scheduled?.status === "False") {
    const scheduler = scheduled.message ? `The scheduler says: ${scheduled.message}` : "";
    const advice =
      describeGpuNeed(group, settings) ??
      "Free capacity or add nodes, or lower the group's requests, zones or pool constraints.";
    return {
      type: SCHEDULED,
      status: "False",
      reason: scheduled.reason || "Unschedulable",
      message: [`No node can run the group's Pod.`, scheduler, advice].filter(Boolean).join(" "),
      observedGeneration: generation,
    };
  }
  return {
    type: SCHEDULED,
    status: "Unknown",
    reason: "Scheduling",
    message: "The group's Pod waits for the scheduler.",
    observedGeneration: generation,
  };
}

/** The address the group's Service has: the load balancer's for Public, the cluster IP for Private. */
export function serviceAddress(group: ContainerGroup, service: V1Service | undefined): string | undefined {
  if (!service) return undefined;
  if (group.spec.ipAddress?.type === "Public") {
    return service.status?.loadBalancer?.ingress?.find((ingress) => ingress.ip)?.ip;
  }
  const clusterIP = service.spec?.clusterIP;
  return clusterIP && clusterIP !== "None" ? clusterIP : undefined;
}

/** NetworkReady, when the group has an ipAddress. */
export function networkReadyCondition(
  group: ContainerGroup,
  service: V1Service | undefined,
): ConditionUpdate | undefined {
  const ipAddress = group.spec.ipAddress;
  if (!ipAddress) return undefined;
  const observedGeneration = group.metadata.generation;
  if (!service) {
    return {
      type: NETWORK_READY,
      status: "False",
      reason: "ServiceNotCreated",
      message: "The operator is creating the group's Service.",
      observedGeneration,
    };
  }
  const address = serviceAddress(group, service);
  if (!address) {
    return ipAddress.type === "Public"
      ? {
          type: NETWORK_READY,
          status: "False",
          reason: "LoadBalancerPending",
          message:
            "Waiting for the cluster to give the Service a load balancer address. A cluster without a " +
            "load balancer (e.g. kind without cloud-provider-kind or MetalLB) never does: install one, " +
            "or use ipAddress.type Private.",
          observedGeneration,
        }
      : {
          type: NETWORK_READY,
          status: "False",
          reason: "AddressPending",
          message: "Waiting for the Service's cluster IP.",
          observedGeneration,
        };
  }
  return {
    type: NETWORK_READY,
    status: "True",
    reason: "AddressAssigned",
    message: `The group is reachable at ${address}.`,
    observedGeneration,
  };
}

/** DNSReady, when the group has a dnsNameLabel. */
export function dnsReadyCondition(
  group: ContainerGroup,
  service: V1Service | undefined,
  settings: OperatorSettings,
  problems: readonly StatusProblem[],
): ConditionUpdate | undefined {
  const fqdn = groupFqdn(group, settings);
  if (!fqdn) return undefined;
  const observedGeneration = group.metadata.generation;
  const problem = problems.find((p) => p.condition === DNS_READY);
  if (problem) {
    return {
      type: DNS_READY,
      status: "False",
      reason: problem.reason,
      message: problem.message,
      observedGeneration,
    };
  }
  if (!serviceAddress(group, service)) {
    return {
      type: DNS_READY,
      status: "False",
      reason: "AddressPending",
      message: `${fqdn} gets a record once the group's Service has an address.`,
      observedGeneration,
    };
  }
  return {
    type: DNS_READY,
    status: "True",
    reason: "HostnameRequested",
    message: `${fqdn} is requested from external-dns on the group's Service; it resolves once external-dns has written the record.`,
    observedGeneration,
  };
}

function waitingProblem(
  statuses: V1ContainerStatus[],
): { container: string; image: string; reason: string; message?: string } | undefined {
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && (PULL_REASONS.has(waiting.reason) || WAITING_ADVICE[waiting.reason])) {
      return {
        container: status.name,
        image: status.image,
        reason: waiting.reason,
        message: waiting.message,
      };
    }
  }
  return undefined;
}

function failedContainer(pod: V1Pod): { name: string; exitCode: number; reason?: string } | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const terminated = status.state?.terminated;
    if (terminated && terminated.exitCode !== 0) {
      return { name: status.name, exitCode: terminated.exitCode, reason: terminated.reason };
    }
  }
  return undefined;
}

function displayName(group: ContainerGroup, container: string): string {
  const gitRepo = (group.spec.volumes ?? []).find(
    (volume) => volume.gitRepo && gitRepoInitContainerName(volume.name) === container,
  );
  return gitRepo ? `the clone of gitRepo volume ${gitRepo.name}` : `container ${container}`;
}

interface ReadyInput {
  group: ContainerGroup;
  pod: V1Pod | undefined;
  problems: readonly StatusProblem[];
  scheduled: ConditionUpdate | undefined;
  network: ConditionUpdate | undefined;
}

/** Ready, the summary: the first thing that keeps the group from serving, or True. */
export function readyCondition({ group, pod, problems, scheduled, network }: ReadyInput): ConditionUpdate {
  const observedGeneration = group.metadata.generation;
  const ready = (status: ConditionStatus, reason: string, message: string): ConditionUpdate => ({
    type: READY,
    status,
    reason,
    message,
    observedGeneration,
  });
  const first = problems[0];
  if (first) {
    return ready("False", first.reason, problems.map((p) => p.message).join(" "));
  }
  if (group.spec.stopped) {
    return ready("False", "Stopped", "The group is stopped; set spec.stopped to false to start it.");
  }
  if (!pod) return ready("False", "Creating", "The operator is creating the group's Pod.");
  if (pod.metadata?.deletionTimestamp) {
    return ready(
      "False",
      "Redeploying",
      "The group's Pod is being replaced after a change or a restart request.",
    );
  }
  if (scheduled?.status === "False") return ready("False", scheduled.reason, scheduled.message);

  const phase = pod.status?.phase;
  const restartPolicy = group.spec.restartPolicy ?? "Always";
  if (phase === "Succeeded") {
    return ready(
      "False",
      "Succeeded",
      `Every container exited 0 and restartPolicy ${restartPolicy} ends the group.`,
    );
  }
  if (phase === "Failed") {
    const failed = failedContainer(pod);
    const why = failed
      ? `${displayName(group, failed.name)} exited with code ${failed.exitCode}${failed.reason ? ` (${failed.reason})` : ""}`
      : `the Pod failed${pod.status?.reason ? ` (${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ""})` : ""}`;
    return ready(
      "False",
      "Failed",
      `The group failed: ${why}, and restartPolicy ${restartPolicy} does not restart it. Check the logs; ` +
        "restart the group (annotation containerinstances.dev/restartedAt) or update it to run again.",
    );
  }

  const waiting = waitingProblem([
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]);
  if (waiting) {
    const detail = waiting.message ? ` (${waiting.message})` : "";
    const advice = PULL_REASONS.has(waiting.reason)
      ? imagePullAdvice(group, waiting.image, waiting.message)
      : waitingAdvice(waiting.reason, waiting.message);
    return ready(
      "False",
      waiting.reason,
      `${displayName(group, waiting.container)} is waiting: ${waiting.reason}${detail}; ${advice}.`,
    );
  }
  if (phase !== "Running") {
    const initializing = podCondition(pod, "Initialized")?.status === "False";
    return initializing
      ? ready("False", "Initializing", "The group's init containers are running.")
      : ready("False", "Pending", "The group's Pod is starting: pulling images and creating containers.");
  }
  if (podCondition(pod, "Ready")?.status !== "True") {
    const notReady = (pod.status?.containerStatuses ?? []).filter((s) => !s.ready).map((s) => s.name);
    const names = notReady.length > 0 ? notReady.join(", ") : "some containers";
    return ready(
      "False",
      "ContainersNotReady",
      `Not ready yet: ${names}; check their readiness probes and logs.`,
    );
  }
  if (network?.status === "False") return ready("False", network.reason, network.message);
  return ready("True", "Running", "Every container is running and ready.");
}
