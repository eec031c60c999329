// kubectl's output formats: aligned tables with upper-case headers, or the objects as JSON or YAML
// (a list when there is more than one, as `kubectl get -o yaml` prints a List).
import { stringify } from "yaml";
import { UsageError } from "./session.js";

export const OUTPUT_FORMATS = ["table", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputFormat(value: string | undefined): OutputFormat {
  const format = (value ?? "table") as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new UsageError(`-o ${value}: expected one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  return format;
}

/** Columns separated by three spaces, each as wide as its widest cell, as kubectl prints them. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("   ")
      .trimEnd();
  return `${[line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join("\n")}\n`;
}

/** One object as itself; several as a kubectl List. */
export function serialize(objects: readonly object[], format: "json" | "yaml"): string {
  const value = objects.length === 1 ? objects[0] : { apiVersion: "v1", kind: "List", items: objects };
  return format === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

/** kubectl's AGE column: 45s, 12m, 3h, 2d, at most two units. */
export function age(from: string | Date | undefined, now: Date): string {
  if (!from) return "<unknown>";
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(from).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ""}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 && hours < 8 ? `${minutes % 60}m` : ""}`;
  const days = Math.floor(hours / 24);
  return days < 8 && hours % 24 ? `${days}d${hours % 24}h` : `${days}d`;
}
