// `start`, `stop`, `restart` and `delete`. ACI's stop ends every container and billing, start is a
// new deployment of the same configuration, restart restarts every container: here spec.stopped
// and the restartedAt annotation (a new Pod), which the operator acts on.
import { createInterface } from "node:readline/promises";
import { RESTARTED_AT_ANNOTATION } from "../../api/constants.js";
import type { ContainerGroup } from "../../api/types.js";
import { getGroup, groupRef } from "../groups.js";
import { type Session, UsageError } from "../session.js";

/** The field manager of the plugin's writes, as `kubectl` names its own. */
export const CLI_FIELD_MANAGER = "kubectl-container-group";

async function patchGroup(session: Session, name: string, patch: object): Promise<ContainerGroup> {
  await getGroup(session, name); // a clear "not found" before any write
  return session.client.patch<ContainerGroup>(groupRef(session.namespace, name), patch, {
    type: "merge",
    fieldManager: CLI_FIELD_MANAGER,
  });
}

export async function stop(session: Session, name: string): Promise<string> {
  await patchGroup(session, name, { spec: { stopped: true } });
  return `containergroup/${name} stopped: its containers end and usage stops accruing; kubectl cg start ${name} runs it again\n`;
}

export async function start(session: Session, name: string): Promise<string> {
  await patchGroup(session, name, { spec: { stopped: false } });
  return `containergroup/${name} started\n`;
}

export async function restart(session: Session, name: string, now = new Date()): Promise<string> {
  const group = await getGroup(session, name);
  if (group.spec.stopped) {
    throw new UsageError(
      `containergroup "${name}" is stopped: kubectl cg start ${name} runs it (restart restarts a running group)`,
    );
  }
  await patchGroup(session, name, {
    metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: now.toISOString() } },
  });
  return `containergroup/${name} restarted: a new Pod runs every container again, pulling changed images\n`;
}

/** Asks on a terminal; anywhere else a missing -y is an error, never a silent yes. */
export async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY)
    throw new UsageError("delete asks for confirmation, and stdin is not a terminal: pass -y");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} (y/n): `)).trim());
  } finally {
    rl.close();
  }
}

export async function remove(session: Session, names: readonly string[], yes: boolean): Promise<string> {
  for (const name of names) await getGroup(session, name);
  const list = names.map((n) => `"${n}"`).join(", ");
  if (!(await confirm(`Delete container group ${list} in namespace "${session.namespace}"?`, yes))) {
    return "Nothing deleted.\n";
  }
  let out = "";
  for (const name of names) {
    await session.client.delete(groupRef(session.namespace, name), { propagationPolicy: "Foreground" });
    out += `containergroup/${name} deleted\n`;
  }
  return out;
}
