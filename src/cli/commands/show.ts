// `show` and `list`: az's verbs, printed as kubectl prints (table, or the objects as JSON/YAML).
import type { ContainerGroup } from "../../api/types.js";
import { getGroup, listGroups } from "../groups.js";
import { age, type OutputFormat, serialize, table } from "../output.js";
import type { Session } from "../session.js";

const cell = (value: string | number | undefined): string =>
  value === undefined || value === "" ? "<none>" : String(value);

export function listTable(groups: readonly ContainerGroup[], withNamespace: boolean, now: Date): string {
  const headers = ["name", "state", "ip", "fqdn", "cpu", "memory(gb)", "gpu", "age"];
  const rows = groups.map((g) => [
    g.metadata.name ?? "",
    cell(g.status?.state),
    cell(g.status?.ipAddress?.ip),
    cell(g.status?.ipAddress?.fqdn),
    cell(g.status?.resources?.cpu),
    cell(g.status?.resources?.memoryInGB),
    cell(g.status?.resources?.gpuCount ?? 0),
    age(g.metadata.creationTimestamp, now),
  ]);
  return withNamespace
    ? table(
        ["namespace", ...headers],
        rows.map((r, i) => [groups[i]?.metadata.namespace ?? "", ...r]),
      )
    : table(headers, rows);
}

/** `show` as a table: what `az container show` tells, in the order a user reads it. */
export function showText(g: ContainerGroup, now: Date): string {
  const lines: string[] = [];
  const add = (label: string, value: string | number | undefined) =>
    lines.push(`${`${label}:`.padEnd(16)}${cell(value)}`);
  add("Name", g.metadata.name);
  add("Namespace", g.metadata.namespace);
  add("State", g.status?.state);
  add("OS type", g.spec.osType);
  add("SKU", g.spec.sku);
  add("Priority", g.spec.priority);
  add("Restart policy", g.spec.restartPolicy);
  add(
    "IP address",
    g.status?.ipAddress?.ip ? `${g.status.ipAddress.ip} (${g.spec.ipAddress?.type ?? "none"})` : undefined,
  );
  add("FQDN", g.status?.ipAddress?.fqdn);
  add("Age", age(g.metadata.creationTimestamp, now));
  lines.push("Containers:");
  const views = new Map((g.status?.containers ?? []).map((c) => [c.name, c]));
  for (const c of g.spec.containers) {
    const view = views.get(c.name);
    const ports = (c.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(",");
    lines.push(
      `  ${c.name}: ${c.image}  cpu ${c.resources.requests.cpu}, memory ${c.resources.requests.memoryInGB} GB${ports ? `, ports ${ports}` : ""}`,
    );
    const state = view?.currentState;
    if (state) {
      lines.push(
        `    state ${state.state ?? "<none>"}${state.detailStatus ? ` (${state.detailStatus})` : ""}${state.exitCode !== undefined ? `, exit code ${state.exitCode}` : ""}, restarts ${view?.restartCount ?? 0}`,
      );
    }
  }
  const conditions = g.status?.conditions ?? [];
  if (conditions.length > 0) {
    lines.push("Conditions:");
    for (const c of conditions)
      lines.push(`  ${c.type}=${c.status} ${c.reason}${c.message ? `: ${c.message}` : ""}`);
  }
  const u = g.status?.usage;
  if (u) {
    lines.push(
      `Usage:          ${u.cpuCoreSeconds ?? 0} core-seconds, ${u.memoryGBSeconds ?? 0} GB-seconds, ${u.gpuSeconds ?? 0} GPU-seconds, ${u.runningSeconds ?? 0} s running (as of ${u.lastUpdateTime ?? "?"}; kubectl cg usage for live figures)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function show(
  session: Session,
  name: string,
  format: OutputFormat,
  now = new Date(),
): Promise<string> {
  const group = await getGroup(session, name);
  return format === "table" ? showText(group, now) : serialize([group], format);
}

export async function list(session: Session, format: OutputFormat, now = new Date()): Promise<string> {
  const groups = await listGroups(session);
  if (format !== "table") return serialize(groups, format);
  if (groups.length === 0) {
    return session.allNamespaces
      ? "No container groups found.\n"
      : `No container groups found in ${session.namespace} namespace.\n`;
  }
  return listTable(groups, session.allNamespaces, now);
}
