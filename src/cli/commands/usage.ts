// `usage`: per-second usage to the second, as the operator's metrics give it: the totals the
// operator wrote plus what the running Pod accrued since (status.usage is written on state
// changes only). Per group, or summed per namespace; priced when the user passes rates.
import type { V1Pod } from "@kubernetes/client-node";
import type { ContainerGroup } from "../../api/types.js";
import { parseOperatorSettings, renderSettings } from "../../config.js";
import { addUsage, computeUsage, type UsageTotals, usageTotals, ZERO_USAGE } from "../../status/index.js";
import { getGroup, getPod, listGroups } from "../groups.js";
import { type OutputFormat, serialize, table } from "../output.js";
import { type Session, UsageError } from "../session.js";

export interface UsageFlags {
  byNamespace?: boolean;
  pricePerCoreSecond?: string;
  pricePerGbSecond?: string;
  pricePerGpuSecond?: string;
  currency?: string;
}

export interface Rates {
  core: number;
  gb: number;
  gpu: number;
}

export interface UsageRow {
  namespace: string;
  /** Undefined for a namespace's sum. */
  name?: string;
  usage: UsageTotals;
  cost?: number;
}

function rate(flag: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${flag}=${value}: expected a price, a number >= 0`);
  return n;
}

/** The rates the user passed, or undefined when they passed none (no cost column). */
export function usageRates(flags: UsageFlags): Rates | undefined {
  if (
    flags.pricePerCoreSecond === undefined &&
    flags.pricePerGbSecond === undefined &&
    flags.pricePerGpuSecond === undefined
  ) {
    return undefined;
  }
  return {
    core: rate("price-per-core-second", flags.pricePerCoreSecond),
    gb: rate("price-per-gb-second", flags.pricePerGbSecond),
    gpu: rate("price-per-gpu-second", flags.pricePerGpuSecond),
  };
}

export const cost = (u: UsageTotals, r: Rates): number =>
  Math.round((u.cpuCoreSeconds * r.core + u.memoryGBSeconds * r.gb + u.gpuSeconds * r.gpu) * 1e6) / 1e6;

// The operator's own accounting, with its default settings (GPU resource names): the same figures
// its containerinstances_usage_* metrics export.
const settings = (() => {
  const parsed = parseOperatorSettings([], {});
  if (!parsed.ok)
    throw new Error(`the operator's default settings do not parse: ${parsed.errors.join("; ")}`);
  return renderSettings(parsed.values);
})();

export function liveUsage(group: ContainerGroup, pod: V1Pod | undefined, now: Date): UsageTotals {
  return usageTotals(computeUsage(group.status?.usage, pod, settings, now));
}

/** Per group, then one sum per namespace; or only the sums. */
export function usageRows(
  groups: readonly { group: ContainerGroup; usage: UsageTotals }[],
  byNamespace: boolean,
  rates: Rates | undefined,
): UsageRow[] {
  const priced = (row: UsageRow): UsageRow => (rates ? { ...row, cost: cost(row.usage, rates) } : row);
  const sums = new Map<string, UsageTotals>();
  const rows: UsageRow[] = [];
  for (const { group, usage } of groups) {
    const namespace = group.metadata.namespace ?? "";
    sums.set(namespace, addUsage(sums.get(namespace) ?? ZERO_USAGE, usage));
    if (!byNamespace) rows.push(priced({ namespace, name: group.metadata.name ?? "", usage }));
  }
  for (const [namespace, usage] of sums) rows.push(priced({ namespace, usage }));
  return rows;
}

export function usageTable(rows: readonly UsageRow[], currency: string | undefined): string {
  const priced = rows.some((r) => r.cost !== undefined);
  const headers = ["namespace", "name", "core-seconds", "gb-seconds", "gpu-seconds", "running-seconds"];
  if (priced) headers.push(currency ? `cost(${currency})` : "cost");
  return table(
    headers,
    rows.map((r) => {
      const cells = [
        r.namespace,
        r.name ?? "(total)",
        String(r.usage.cpuCoreSeconds),
        String(r.usage.memoryGBSeconds),
        String(r.usage.gpuSeconds),
        String(r.usage.runningSeconds),
      ];
      if (priced) cells.push(String(r.cost ?? ""));
      return cells;
    }),
  );
}

export async function usage(
  session: Session,
  name: string | undefined,
  flags: UsageFlags,
  format: OutputFormat,
  now = new Date(),
): Promise<string> {
  const rates = usageRates(flags);
  const groups = name ? [await getGroup(session, name)] : await listGroups(session);
  const measured = await Promise.all(
    groups.map(async (group) => ({ group, usage: liveUsage(group, await getPod(session, group), now) })),
  );
  const rows = usageRows(measured, flags.byNamespace ?? false, rates);
  if (format !== "table") {
    return serialize(
      [
        {
          apiVersion: "v1",
          kind: "List",
          asOf: now.toISOString(),
          ...(flags.currency ? { currency: flags.currency } : {}),
          items: rows,
        },
      ],
      format,
    );
  }
  return usageTable(rows, flags.currency);
}
