// Per-second usage, as ACI bills it: requested cores, GB and GPUs times the seconds the group's
// Pods ran. Derived from timestamps, never from counting reconciles, so it is exact to the second
// whenever it is computed and the same no matter how often it is.

import type { V1Pod } from "@kubernetes/client-node";
import type { FinishedUsage, Usage } from "../api/types.js";
import { gpuResourceNames } from "../render/scheduling.js";
import type { OperatorSettings } from "../render/settings.js";
import { parseQuantity } from "./quantity.js";
import { rfc3339, toDate, wholeSecondsBetween } from "./time.js";

/** How many finished Pods' uids are remembered; Pods share the group's name, so older ones are gone. */
export const MAX_COUNTED_POD_UIDS = 32;

/** What a Pod requests per second of running. */
export interface UsageRates {
  cpu: number;
  memoryInGB: number;
  gpu: number;
}

/** A Pod's running interval; `final` when it can no longer grow. */
export interface RunningInterval {
  start: Date;
  end: Date;
  final: boolean;
}

/** The four running totals of a usage, every one present. */
export type UsageTotals = Required<FinishedUsage>;
type Totals = UsageTotals;

export const ZERO_USAGE: Totals = { cpuCoreSeconds: 0, memoryGBSeconds: 0, gpuSeconds: 0, runningSeconds: 0 };

/** Rounds away binary noise (0.1 + 0.2) while keeping far more precision than a second of a milli-core. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function addUsage(a: Totals, b: Totals): Totals {
  return {
    cpuCoreSeconds: round(a.cpuCoreSeconds + b.cpuCoreSeconds),
    memoryGBSeconds: round(a.memoryGBSeconds + b.memoryGBSeconds),
    gpuSeconds: round(a.gpuSeconds + b.gpuSeconds),
    runningSeconds: a.runningSeconds + b.runningSeconds,
  };
}

export function usageTotals(usage: FinishedUsage | undefined): Totals {
  return {
    cpuCoreSeconds: usage?.cpuCoreSeconds ?? 0,
    memoryGBSeconds: usage?.memoryGBSeconds ?? 0,
    gpuSeconds: usage?.gpuSeconds ?? 0,
    runningSeconds: usage?.runningSeconds ?? 0,
  };
}

/** The Pod's requests summed over its containers (init containers run before them and are not billed). */
export function podUsageRates(pod: V1Pod, settings: OperatorSettings): UsageRates {
  const gpuNames = gpuResourceNames(settings);
  const rates: UsageRates = { cpu: 0, memoryInGB: 0, gpu: 0 };
  for (const container of pod.spec?.containers ?? []) {
    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    rates.cpu += parseQuantity(requests.cpu ?? limits.cpu) ?? 0;
    rates.memoryInGB += (parseQuantity(requests.memory ?? limits.memory) ?? 0) / 1e9;
    for (const name of gpuNames) rates.gpu += parseQuantity(requests[name] ?? limits[name]) ?? 0;
  }
  return { cpu: round(rates.cpu), memoryInGB: round(rates.memoryInGB), gpu: round(rates.gpu) };
}

function latest(dates: (Date | undefined)[]): Date | undefined {
  let result: Date | undefined;
  for (const date of dates) if (date && (!result || date > result)) result = date;
  return result;
}

/**
 * From the kubelet's start time (before image pulls, as ACI bills from the first pull) to the last
 * container's finish; a deleted Pod ends at its deletion deadline at the latest; a running Pod at
 * `now`. Undefined for a Pod that never started.
 */
export function podRunningInterval(pod: V1Pod, now: Date): RunningInterval | undefined {
  const start = toDate(pod.status?.startTime);
  if (!start) return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const finishedAt = latest(statuses.map((s) => toDate(s.state?.terminated?.finishedAt)));
  const clamp = (end: Date) => (end < start ? start : end);

  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") {
    // Without container finish times (an eviction), the phase change moved the Ready condition.
    const conditionTimes = (pod.status?.conditions ?? []).map((c) => toDate(c.lastTransitionTime));
    return { start, end: clamp(finishedAt ?? latest(conditionTimes) ?? now), final: true };
  }
  const containers = pod.status?.containerStatuses ?? [];
  const allTerminated = containers.length > 0 && containers.every((s) => s.state?.terminated);
  const deletion = toDate(pod.metadata?.deletionTimestamp);
  if (deletion) {
    if (allTerminated && finishedAt) return { start, end: clamp(finishedAt), final: true };
    if (now >= deletion) return { start, end: clamp(deletion), final: true };
  }
  return { start, end: clamp(now), final: false };
}

function share(rates: UsageRates, seconds: number): Totals {
  return {
    cpuCoreSeconds: round(rates.cpu * seconds),
    memoryGBSeconds: round(rates.memoryInGB * seconds),
    gpuSeconds: round(rates.gpu * seconds),
    runningSeconds: seconds,
  };
}

/**
 * The group's usage at `now`, from the previous usage and the group's current Pod (if any).
 *
 * Finished Pods are added to `finished` once, remembered by uid in countedPodUIDs. The running Pod's
 * share is recomputed from its start time each time, and only named in runningPodUID. A running
 * Pod that vanished unseen (deleted while the operator was away) is closed at the totals last
 * written, so it is never counted twice; what it accrued since that write (at most one
 * `--usage-interval-seconds` when that is set) is lost.
 */
export function computeUsage(
  previous: Usage | undefined,
  pod: V1Pod | undefined,
  settings: OperatorSettings,
  now: Date,
): Usage {
  let finished = usageTotals(previous?.finished);
  const counted = [...(previous?.countedPodUIDs ?? [])];
  let since = previous?.since;
  const uid = pod?.metadata?.uid;

  const vanished = previous?.runningPodUID;
  if (vanished && vanished !== uid && !counted.includes(vanished)) {
    finished = usageTotals(previous);
    counted.push(vanished);
  }

  let running: Totals = ZERO_USAGE;
  let runningPodUID: string | undefined;
  if (pod && uid && !counted.includes(uid)) {
    const interval = podRunningInterval(pod, now);
    if (interval) {
      since ??= rfc3339(interval.start);
      const podShare = share(podUsageRates(pod, settings), wholeSecondsBetween(interval.start, interval.end));
      if (interval.final) {
        finished = addUsage(finished, podShare);
        counted.push(uid);
      } else {
        running = podShare;
        runningPodUID = uid;
      }
    }
  }

  const totals = addUsage(finished, running);
  const usage: Usage = { ...totals, lastUpdateTime: rfc3339(now), finished };
  if (since) usage.since = since;
  const recent = counted.slice(-MAX_COUNTED_POD_UIDS);
  if (recent.length > 0) usage.countedPodUIDs = recent;
  if (runningPodUID) usage.runningPodUID = runningPodUID;
  return usage;
}

/**
 * Whether a newly computed usage must be written: always when the bookkeeping changed (a Pod
 * started, finished or vanished), and for growing totals only once `intervalSeconds` passed since
 * the last write, so a running group costs one write a minute, not one a reconcile.
 */
export function usageIsStale(
  previous: Usage | undefined,
  next: Usage | undefined,
  intervalSeconds: number,
): boolean {
  if (!previous || !next) return previous !== next;
  const bookkeeping = (u: Usage) =>
    JSON.stringify([usageTotals(u.finished), u.countedPodUIDs ?? [], u.runningPodUID ?? "", u.since ?? ""]);
  if (bookkeeping(previous) !== bookkeeping(next)) return true;
  const totalsChanged = JSON.stringify(usageTotals(previous)) !== JSON.stringify(usageTotals(next));
  if (!totalsChanged) return false;
  const last = toDate(previous.lastUpdateTime);
  const current = toDate(next.lastUpdateTime);
  if (!last || !current) return true;
  return (current.getTime() - last.getTime()) / 1000 >= intervalSeconds;
}
