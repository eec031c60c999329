// `create`, `import` and `export`: ACI's documents and az's create flags in, ContainerGroups out
// (src/aci/ converts; this applies and prints). `create` runs again on an existing group as an
// update, as users of az do (there is no `az container update`): a server-side apply.
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { type CreateFlags, groupFromCreateFlags } from "../../aci/create-flags.js";
import { exportAciYaml } from "../../aci/export.js";
import { type ImportResult, importAciDocument } from "../../aci/import.js";
import type { ContainerGroup } from "../../api/types.js";
import { getGroup } from "../groups.js";
import { type OutputFormat, serialize } from "../output.js";
import { type Session, UsageError } from "../session.js";
import { CLI_FIELD_MANAGER } from "./lifecycle.js";

/** A file's text, or stdin's for "-". */
export function readDocument(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new UsageError(`-f ${file}: cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** `-p name=value` items as ARM parameter values. */
export function templateParameters(items: readonly string[] = []): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`-p ${item}: expected NAME=VALUE`);
    parameters[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return parameters;
}

/** What import reports on stderr: one line per warning, and the Secrets the user must create. */
export function importReport(result: ImportResult): string {
  const lines = result.warnings.map((w) => `warning: ${w.path ? `${w.path}: ` : ""}${w.message}`);
  for (const s of result.secretKeys) {
    lines.push(
      `to do: kubectl create secret generic ${s.secret} --from-literal=${s.key}=... (stands for ${s.path}${s.parameter ? `, template parameter ${s.parameter}` : ""})`,
    );
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** Applies the groups, every one checked by the API server first (dry run), so a bad one applies none. */
async function applyGroups(session: Session, groups: readonly ContainerGroup[]): Promise<string> {
  for (const g of groups) await session.client.apply(g, { fieldManager: CLI_FIELD_MANAGER, dryRun: true });
  let out = "";
  for (const g of groups) {
    await session.client.apply(g, { fieldManager: CLI_FIELD_MANAGER });
    out += `containergroup/${g.metadata.name} applied\n`;
  }
  return out;
}

export interface ImportFlags {
  file: string;
  parameter?: string[];
  apply?: boolean;
}

export async function importCommand(
  session: Session | undefined,
  namespace: string,
  flags: ImportFlags,
  format: OutputFormat,
  warn: (text: string) => void,
): Promise<string> {
  const result = importAciDocument(readDocument(flags.file), {
    parameters: templateParameters(flags.parameter),
    namespace,
    source: flags.file,
  });
  warn(importReport(result));
  if (!flags.apply) return serialize(result.groups, format === "json" ? "json" : "yaml");
  if (!session) throw new Error("--apply needs a cluster");
  return applyGroups(session, result.groups);
}

export async function create(
  session: Session,
  name: string | undefined,
  flags: CreateFlags & { file?: string },
  warn: (text: string) => void,
): Promise<string> {
  let groups: ContainerGroup[];
  if (flags.file) {
    const result = importAciDocument(readDocument(flags.file), {
      namespace: session.namespace,
      source: flags.file,
      ...(name ? { name } : {}),
    });
    warn(importReport(result));
    groups = result.groups;
  } else {
    if (!name)
      throw new UsageError("create needs the group's name (-n NAME, or as the first argument), or -f FILE");
    if (!flags.image) throw new UsageError("create needs --image (or -f FILE)");
    groups = [groupFromCreateFlags(name, flags, session.namespace)];
  }
  return applyGroups(session, groups);
}

export async function exportCommand(session: Session, name: string, format: OutputFormat): Promise<string> {
  const document = exportAciYaml(await getGroup(session, name));
  return format === "json" ? `${JSON.stringify(document, null, 2)}\n` : stringify(document);
}
