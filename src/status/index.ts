// The group's status from what exists, a clock and what the controller found. Pure: the same
// inputs give the same status, so an unchanged world writes nothing.

import type { V1Pod, V1Service } from "@kubernetes/client-node";
import type {
  Condition,
  ContainerGroup,
  ContainerGroupStatus,
  IpAddressStatus,
  ResourceTotals,
} from "../api/types.js";
import { groupFqdn } from "../render/dns.js";
import { canonicalJson } from "../render/hash.js";
import { containerGpu } from "../render/scheduling.js";
import type { OperatorSettings } from "../render/settings.js";
import {
  DNS_READY,
  dnsReadyCondition,
  NETWORK_READY,
  networkReadyCondition,
  READY,
  readyCondition,
  removeCondition,
  SCHEDULED,
  type StatusProblem,
  scheduledCondition,
  serviceAddress,
  setCondition,
} from "./conditions.js";
import { containerViews, initContainerViews } from "./containers.js";
import { groupState } from "./state.js";
import { computeUsage, usageIsStale } from "./usage.js";

export interface StatusInput {
  group: ContainerGroup;
  /** The group's Pod, if one exists (controlled by the group; the controller checks). */
  pod: V1Pod | undefined;
  /** The group's Service, if one exists. */
  service: V1Service | undefined;
  now: Date;
  settings: OperatorSettings;
  /** What the controller could not do, in the order found; empty when all went well. */
  problems?: readonly StatusProblem[];
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The group's requests summed over its containers: what `kubectl get` shows and usage accrues on. */
export function resourceTotals(group: ContainerGroup): ResourceTotals {
  let cpu = 0;
  let memoryInGB = 0;
  let gpuCount = 0;
  for (const container of group.spec.containers ?? []) {
    cpu += container.resources?.requests?.cpu ?? 0;
    memoryInGB += container.resources?.requests?.memoryInGB ?? 0;
    gpuCount += containerGpu(container)?.count ?? 0;
  }
  return { cpu: round(cpu), memoryInGB: round(memoryInGB), gpuCount };
}

/** The address as observed on the Service, with the FQDN and the ports the group asked for. */
export function ipAddressStatus(
  group: ContainerGroup,
  service: V1Service | undefined,
  settings: OperatorSettings,
): IpAddressStatus | undefined {
  const ipAddress = group.spec.ipAddress;
  if (!ipAddress) return undefined;
  const status: IpAddressStatus = {
    type: ipAddress.type,
    ports: ipAddress.ports.map((port) => ({ port: port.port, protocol: port.protocol ?? "TCP" })),
  };
  const ip = serviceAddress(group, service);
  if (ip) status.ip = ip;
  const fqdn = groupFqdn(group, settings);
  if (fqdn) status.fqdn = fqdn;
  return status;
}

/** Sets the conditions that apply and removes those that no longer do, keeping transition times. */
function nextConditions(
  previous: readonly Condition[],
  updates: Record<string, ReturnType<typeof scheduledCondition>>,
  now: Date,
): Condition[] {
  let conditions = [...previous];
  for (const [type, update] of Object.entries(updates)) {
    conditions = update ? setCondition(conditions, update, now) : removeCondition(conditions, type);
  }
  // Ready first, then the others in a fixed order, so equal statuses serialise equally.
  const order = [READY, SCHEDULED, NETWORK_READY, DNS_READY];
  const rank = (type: string) => {
    const index = order.indexOf(type);
    return index < 0 ? order.length : index;
  };
  return conditions.sort((a, b) => rank(a.type) - rank(b.type));
}

export function computeStatus({
  group,
  pod,
  service,
  now,
  settings,
  problems = [],
}: StatusInput): ContainerGroupStatus {
  const previous = group.status;
  const scheduled = scheduledCondition(pod, group, settings);
  const network = networkReadyCondition(group, service);
  const dns = dnsReadyCondition(group, service, settings, problems);
  const ready = readyCondition({ group, pod, problems, scheduled, network });

  const status: ContainerGroupStatus = {
    state: groupState(pod, group),
    conditions: nextConditions(
      previous?.conditions ?? [],
      { [READY]: ready, [SCHEDULED]: scheduled, [NETWORK_READY]: network, [DNS_READY]: dns },
      now,
    ),
    resources: resourceTotals(group),
    containers: containerViews(pod, group),
    usage: computeUsage(previous?.usage, pod, settings, now),
  };
  if (group.metadata.generation !== undefined) status.observedGeneration = group.metadata.generation;
  const ip = ipAddressStatus(group, service, settings);
  // A name another group holds (DNSNameLabelConflict) is not this group's: it shows no FQDN.
  if (ip?.fqdn && problems.some((p) => p.condition === DNS_READY)) delete ip.fqdn;
  if (ip) status.ipAddress = ip;
  if ((group.spec.initContainers ?? []).length > 0) status.initContainers = initContainerViews(pod, group);
  return status;
}

/** Deep equality that ignores key order and `undefined` members. */
export function statusEqual(
  a: ContainerGroupStatus | undefined,
  b: ContainerGroupStatus | undefined,
): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}

/**
 * Whether the controller should write `next` over `previous`: when anything but the usage totals
 * changed, or when the usage is stale (see usageIsStale).
 */
export function statusNeedsWrite(
  previous: ContainerGroupStatus | undefined,
  next: ContainerGroupStatus,
  usageIntervalSeconds: number,
): boolean {
  const withoutUsage = (s: ContainerGroupStatus | undefined) => ({ ...s, usage: undefined });
  if (!statusEqual(withoutUsage(previous), withoutUsage(next))) return true;
  return usageIsStale(previous?.usage, next.usage, usageIntervalSeconds);
}

export {
  DNS_READY,
  findCondition,
  NETWORK_READY,
  READY,
  removeCondition,
  SCHEDULED,
  type StatusProblem,
  setCondition,
} from "./conditions.js";
export { containerState, containerViews, initContainerViews } from "./containers.js";
export {
  childNameConflict,
  claimNotFound,
  dnsNameLabelConflict,
  quotaExceeded,
  runtimeClassNotFound,
  secretNotFound,
} from "./problems.js";
export { groupState } from "./state.js";
export {
  addUsage,
  computeUsage,
  MAX_COUNTED_POD_UIDS,
  podRunningInterval,
  podUsageRates,
  type UsageTotals,
  usageIsStale,
  usageTotals,
  ZERO_USAGE,
} from "./usage.js";
