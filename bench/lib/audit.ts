// Counting writes from the API server's audit log (the plane's policy records every write with its
// user agent): the operator's client sends "container-instances-operator/...", kube-controller-manager's controllers
// "kube-controller-manager/<version> ... /<controller>", this harness "cio-bench/...".
import { closeSync, openSync, readSync, statSync } from "node:fs";

export interface AuditEntry {
  verb: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  userAgent: string;
  /** The authenticated user (chaos gives each operator replica a ServiceAccount of its own). */
  user: string;
  code: number;
  /** requestReceivedTimestamp, ms since the epoch (microseconds kept as a fraction). */
  received: number;
  /** stageTimestamp of ResponseComplete, ms since the epoch. */
  completed: number;
}

export const OPERATOR_AGENT = /^container-instances-operator\//;
export const REPLICASET_AGENT = /^kube-controller-manager\/.*\/replicaset-controller$/;

function parseTime(s: string): number {
  // "2026-11-25T19:51:25.525044Z": Date.parse keeps milliseconds only; add the rest.
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(s);
  if (!m) return Date.parse(s);
  return Date.parse(`${m[1]}Z`) + (m[2] ? Number(m[2]) * 1000 : 0);
}

export class AuditLog {
  constructor(readonly path: string) {}

  /** The current end of the log: entries written after this call start at or after it. */
  mark(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  /** Entries between two marks (to the end when `to` is omitted). */
  read(from: number, to?: number): AuditEntry[] {
    const end = to ?? this.mark();
    if (to === undefined && end < from) {
      throw new Error(`${this.path} shrank below a mark (${end} < ${from} bytes): the API server rotated it`);
    }
    if (end <= from) return [];
    const fd = openSync(this.path, "r");
    const out: AuditEntry[] = [];
    try {
      const chunk = Buffer.alloc(Math.min(end - from, 64 << 20));
      let pos = from;
      let rest = "";
      while (pos < end) {
        const n = readSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
        if (n <= 0) break;
        pos += n;
        const text = rest + chunk.subarray(0, n).toString("utf8");
        const lines = text.split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          const e = parseLine(line);
          if (e) out.push(e);
        }
      }
      const e = parseLine(rest);
      if (e) out.push(e);
    } finally {
      closeSync(fd);
    }
    return out;
  }
}

function parseLine(line: string): AuditEntry | undefined {
  if (!line.trim()) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined; // a line cut at the mark
  }
  const ref = (raw.objectRef ?? {}) as Record<string, string>;
  return {
    verb: String(raw.verb),
    resource: ref.resource ?? "",
    subresource: ref.subresource ?? "",
    namespace: ref.namespace ?? "",
    name: ref.name ?? "",
    userAgent: String(raw.userAgent ?? ""),
    user: String((raw.user as { username?: string } | undefined)?.username ?? ""),
    code: Number((raw.responseStatus as { code?: number } | undefined)?.code ?? 0),
    received: parseTime(String(raw.requestReceivedTimestamp)),
    completed: parseTime(String(raw.stageTimestamp)),
  };
}

export const isWrite = (e: AuditEntry) =>
  ["create", "update", "patch", "delete", "deletecollection"].includes(e.verb);

/** Writes by `agent`, optionally in one namespace, with counts by `verb resource[/subresource]`. */
export function countWrites(
  entries: readonly AuditEntry[],
  agent: RegExp,
  namespace?: string,
): { total: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const e of entries) {
    if (!isWrite(e) || !agent.test(e.userAgent)) continue;
    if (namespace !== undefined && e.namespace !== namespace) continue;
    total++;
    const k = `${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ""}`;
    byKind[k] = (byKind[k] ?? 0) + 1;
  }
  return { total, byKind };
}
