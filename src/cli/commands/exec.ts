// `exec`: a process in a container, with its arguments (az's --exec-command takes none,
// azure-cli#10039) and, from a terminal, an interactive TTY in raw mode, as az's exec gives.
// The exit code is the process's, as with kubectl exec.
import type { V1Status } from "@kubernetes/client-node";
import { Exec } from "@kubernetes/client-node";
import { getGroup, getPod, pickContainer } from "../groups.js";
import { type Session, UsageError } from "../session.js";

export interface ExecFlags {
  containerName?: string;
  /** Keep stdin open (-i); default: when stdin is a terminal. */
  stdin?: boolean;
  /** Allocate a TTY (-t); default: when stdin is a terminal. */
  tty?: boolean;
}

/** The remote process's exit code from the API server's final status (0 on Success). */
export function exitCodeOf(status: V1Status): number {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : 1;
}

export async function exec(
  session: Session,
  name: string,
  command: readonly string[],
  flags: ExecFlags,
): Promise<number> {
  if (command.length === 0) {
    throw new UsageError("no command: pass --exec-command CMD, or -- CMD ARGS... after the group's name");
  }
  const group = await getGroup(session, name);
  const container = pickContainer(group, flags.containerName, false);
  const pod = await getPod(session, group);
  if (pod?.status?.phase !== "Running" || !pod.metadata?.name) {
    throw new UsageError(
      `containergroup "${name}" is ${group.status?.state ?? "not running"}: exec needs a running container (kubectl cg attach ${name} waits for it)`,
    );
  }
  const interactive = process.stdin.isTTY === true;
  const tty = flags.tty ?? interactive;
  const withStdin = flags.stdin ?? interactive;
  const raw = tty && process.stdin.isTTY === true;
  if (raw) process.stdin.setRawMode(true);
  try {
    return await new Promise<number>((resolve, reject) => {
      let code: number | undefined;
      new Exec(session.kubeConfig)
        .exec(
          session.namespace,
          pod.metadata?.name ?? "",
          container,
          [...command],
          process.stdout,
          tty ? null : process.stderr,
          withStdin ? process.stdin : null,
          tty,
          (status) => {
            code = exitCodeOf(status);
          },
        )
        .then((socket) => {
          socket.on("close", () => resolve(code ?? 0));
          socket.on("error", reject);
        }, reject);
    });
  } finally {
    if (raw) process.stdin.setRawMode(false);
    if (withStdin) process.stdin.pause();
  }
}
